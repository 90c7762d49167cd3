package git

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// myersCounts is the line count shipgate made before countLineChanges: go-git's
// line diff (diffmatchpatch, quadratic, with a one-hour timeout). It is kept
// here as the reference for the counts and the benchmarks.
func myersCounts(a, b string) (added, deleted int) {
	for _, d := range diff.Do(a, b) {
		n := strings.Count(d.Text, "\n")
		if d.Text != "" && !strings.HasSuffix(d.Text, "\n") {
			n++
		}
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			added += n
		case diffmatchpatch.DiffDelete:
			deleted += n
		}
	}
	return added, deleted
}

func TestCountLineChangesSimpleEdits(t *testing.T) {
	t.Parallel()
	base := "a\nb\nc\nd\ne\n"
	for _, c := range []struct {
		name          string
		a, b          string
		added, delete int
	}{
		{"same", base, base, 0, 0},
		{"empty both", "", "", 0, 0},
		{"add file", "", base, 5, 0},
		{"delete file", base, "", 0, 5},
		{"insert", base, "a\nb\nX\nY\nc\nd\ne\n", 2, 0},
		{"insert first", base, "X\n" + base, 1, 0},
		{"append", base, base + "f\n", 1, 0},
		{"delete", base, "a\nd\ne\n", 0, 2},
		{"modify", base, "a\nB\nc\nD\ne\n", 2, 2},
		{"move", base, "b\nc\nd\ne\na\n", 1, 1},
		{"swap", "a\nb\n", "b\na\n", 1, 1},
		{"no final newline", base, "a\nb\nc\nd\ne", 1, 1},
		{"final line without newline", "a\nb", "a\nb\nc", 2, 1},
		{"crlf", "a\nb\n", "a\r\nb\n", 1, 1},
		{"repeated lines", "}\n}\n}\n", "}\n}\n", 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			add, del, exact := countLineChanges(c.a, c.b)
			if add != c.added || del != c.delete || !exact {
				t.Errorf("countLineChanges = +%d -%d exact %v, want +%d -%d exact", add, del, exact, c.added, c.delete)
			}
			if ma, md := myersCounts(c.a, c.b); ma != add || md != del {
				t.Errorf("old Myers diff counts +%d -%d, new +%d -%d", ma, md, add, del)
			}
		})
	}
}

// editFile applies n random line edits (insert, delete, modify, move) to
// lines.
func editFile(r *rand.Rand, lines []string, n int) []string {
	out := append([]string(nil), lines...)
	for i := 0; i < n && len(out) > 0; i++ {
		p := r.IntN(len(out))
		switch r.IntN(4) {
		case 0:
			out = append(out[:p], append([]string{fmt.Sprintf("new %d %d\n", i, r.Uint32())}, out[p:]...)...)
		case 1:
			out = append(out[:p], out[p+1:]...)
		case 2:
			out[p] = fmt.Sprintf("changed %d %d\n", i, r.Uint32())
		case 3:
			l := out[p]
			out = append(out[:p], out[p+1:]...)
			q := r.IntN(len(out) + 1)
			out = append(out[:q], append([]string{l}, out[q:]...)...)
		}
	}
	return out
}

// TestCountLineChangesMatchesOldDiff compares the counts with the old
// diffmatchpatch diff on random edits of source-like files, with unique and
// with repeated lines ("}", blank lines).
func TestCountLineChangesMatchesOldDiff(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		n := 1 + r.IntN(300)
		lines := make([]string, n)
		for i := range lines {
			switch r.IntN(5) {
			case 0:
				lines[i] = "}\n"
			case 1:
				lines[i] = "\n"
			default:
				lines[i] = fmt.Sprintf("line %d %d\n", i, r.IntN(1000))
			}
		}
		a := strings.Join(lines, "")
		b := strings.Join(editFile(r, lines, r.IntN(20)), "")
		add, del, exact := countLineChanges(a, b)
		ma, md := myersCounts(a, b)
		if !exact || add != ma || del != md {
			t.Fatalf("iteration %d: +%d -%d exact %v, old diff +%d -%d", iter, add, del, exact, ma, md)
		}
	}
}

// scattered returns a file of n unique lines and a copy with every
// every-th line changed.
func scattered(n, every int) (a, b string) {
	var sa, sb strings.Builder
	for i := 0; i < n; i++ {
		l := fmt.Sprintf("\tx%d := compute(%d) // line\n", i, i*7)
		sa.WriteString(l)
		if i%every == every/2 {
			l = fmt.Sprintf("\tx%d := compute(%d) // edited\n", i, i*7)
		}
		sb.WriteString(l)
	}
	return sa.String(), sb.String()
}

// linearCount counts the line changes from a to b and fails the test when
// the count took more steps than a linear bound in the number of lines: the
// quadratic diff shipgate used before took minutes on the inputs of these
// tests, about the square of the lines in steps. The bound is what the
// budgets allow (exactDiffWork, gapDiffWork and diffWorkPerLine a line),
// plus a few steps a line for splitting, numbering, the anchors, the edit
// searches' arrays and a search's last step past its budget. Counting
// steps, not time, keeps the test exact on a loaded machine;
// BenchmarkLineCounts* measure the time.
func linearCount(t *testing.T, a, b string) (added, deleted int, exact bool) {
	t.Helper()
	added, deleted, exact, steps := countLineChangesSteps(a, b)
	lines := len(splitLines(a)) + len(splitLines(b))
	if bound := exactDiffWork + gapDiffWork + (diffWorkPerLine+10)*lines; steps > bound {
		t.Errorf("%d steps for %d lines, over the linear bound %d", steps, lines, bound)
	}
	return added, deleted, exact
}

func TestCountLineChangesScatteredEditsAnchored(t *testing.T) {
	t.Parallel()
	a, b := scattered(100000, 10)
	// The exact search alone cannot afford 10000 scattered edits in 100k
	// lines; the anchored diff finds the same counts.
	x, y := trimCommon(ids(a, b))
	budget := exactDiffWork
	if d := editDistance(x, y, &budget); d >= 0 {
		t.Fatalf("exact search within budget (%d); the test does not reach the anchored diff", d)
	}
	add, del, exact := linearCount(t, a, b)
	if add != 10000 || del != 10000 || !exact {
		t.Errorf("+%d -%d exact %v, want +10000 -10000 exact", add, del, exact)
	}
}

// ids numbers the lines of a and b as countLineChanges does.
func ids(a, b string) ([]int32, []int32) {
	m := map[string]int32{}
	num := func(s string) []int32 {
		var out []int32
		for _, l := range splitLines(s) {
			id, ok := m[l]
			if !ok {
				id = int32(len(m))
				m[l] = id
			}
			out = append(out, id)
		}
		return out
	}
	return num(a), num(b)
}

func TestCountLineChangesHostileInputLinear(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	huge := strings.Repeat("x", 4<<20)
	noiseText := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return string(b)
	}
	bin := noiseText(4 << 20)
	binEdited := bin[:1<<20] + "inserted\n" + bin[2<<20:]
	ab := func(n int) string {
		var s strings.Builder
		for i := 0; i < n; i++ {
			s.WriteString([]string{"a\n", "b\n"}[r.IntN(2)])
		}
		return s.String()
	}
	same := strings.Repeat("same\n", 200000)
	for _, c := range []struct {
		name                string
		a, b                string
		added, deleted      int // -1: an upper bound, not checked
		exact               bool
		minAdded, minDelete int
	}{
		{name: "one huge line", a: huge, b: huge[:2<<20] + "y" + huge[2<<20+1:], added: 1, deleted: 1, exact: true},
		{name: "identical lines", a: same, b: same[:500000] + "other\n" + same[500000:] + "same\n", added: 2, deleted: 0, exact: true},
		{name: "identical lines reordered", a: strings.Repeat("a\nb\n", 100000), b: strings.Repeat("b\na\n", 100000), added: 1, deleted: 1, exact: true},
		{name: "two-line alphabet", a: ab(100000), b: ab(100000), added: -1, minAdded: 1, minDelete: 1},
		{name: "binary data", a: bin, b: binEdited, added: -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			add, del, exact := linearCount(t, c.a, c.b)
			nb, na := strings.Count(c.b, "\n")+1, strings.Count(c.a, "\n")+1
			if add > nb || del > na || add-del != len(splitLines(c.b))-len(splitLines(c.a)) {
				t.Errorf("+%d -%d for %d and %d lines: not an edit script", add, del, na, nb)
			}
			if c.added >= 0 && (add != c.added || del != c.deleted || exact != c.exact) {
				t.Errorf("+%d -%d exact %v, want +%d -%d exact %v", add, del, exact, c.added, c.deleted, c.exact)
			}
			if add < c.minAdded || del < c.minDelete {
				t.Errorf("+%d -%d, want at least +%d -%d", add, del, c.minAdded, c.minDelete)
			}
		})
	}
}

// TestCountLineChangesOverBudgetIsLarge: a change the cost bound cannot
// afford is counted as wholly replaced and not exact.
func TestCountLineChangesOverBudgetIsLarge(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	ab := func(n int) string {
		var s strings.Builder
		for i := 0; i < n; i++ {
			s.WriteString([]string{"a\n", "b\n", "c\n"}[r.IntN(3)])
		}
		return s.String()
	}
	a, b := ab(200000), ab(200000)
	add, del, exact := countLineChanges(a, b)
	x, y := trimCommon(ids(a, b))
	if exact || add != len(y) || del != len(x) {
		t.Errorf("+%d -%d exact %v, want +%d -%d not exact", add, del, exact, len(y), len(x))
	}
}

func TestEditDistanceBudget(t *testing.T) {
	t.Parallel()
	x := []int32{1, 2, 3, 4, 5, 6}
	y := []int32{1, 9, 3, 4, 8, 6, 7}
	b := 1000
	if d := editDistance(x, y, &b); d != 5 {
		t.Errorf("distance %d, want 5", d)
	}
	b = 3
	if d := editDistance(x, y, &b); d != -1 {
		t.Errorf("distance %d within a budget of 3, want -1", d)
	}
}

// lineTestRepo is a repository holding the given blobs, and an auditor on it.
func lineTestRepo(t testing.TB, blobs ...string) (*auditor, []entryRef) {
	tr := newTestRepo(t)
	var refs []entryRef
	for _, b := range blobs {
		refs = append(refs, entryRef{hash: tr.put(plumbing.BlobObject, []byte(b)), mode: filemode.Regular})
	}
	r, err := openRepo(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	return &auditor{r: r}, refs
}

func TestLineCountsCachedPerBlobPair(t *testing.T) {
	t.Parallel()
	a, refs := lineTestRepo(t, "a\nb\n", "a\nc\nd\n")
	want := lineCount{added: 2, deleted: 1}
	if lc := a.lineCounts(refs[0], refs[1]); lc != want {
		t.Fatalf("lineCounts = %+v, want %+v", lc, want)
	}
	// A marked entry shows the second file with the same pair is served
	// from the cache, whatever its mode bits.
	key := [2]plumbing.Hash{refs[0].hash, refs[1].hash}
	if len(a.lineCache) != 1 {
		t.Fatalf("cache holds %d pairs, want 1", len(a.lineCache))
	}
	marked := lineCount{added: 99}
	a.lineCache[key] = marked
	exe := entryRef{hash: refs[1].hash, mode: filemode.Executable}
	if lc := a.lineCounts(refs[0], exe); lc != marked {
		t.Errorf("repeated pair = %+v, want the cached %+v", lc, marked)
	}
	// The reverse pair is another count.
	if lc := a.lineCounts(refs[1], refs[0]); lc != (lineCount{added: 1, deleted: 2}) {
		t.Errorf("reverse pair = %+v", lc)
	}
	// Added and deleted files, and a submodule side, count against nothing.
	if lc := a.lineCounts(entryRef{}, refs[1]); lc != (lineCount{added: 3}) {
		t.Errorf("added file = %+v", lc)
	}
	sub := entryRef{hash: refs[0].hash, mode: filemode.Submodule}
	if lc := a.lineCounts(sub, refs[1]); lc != (lineCount{added: 3}) {
		t.Errorf("submodule to file = %+v", lc)
	}
}

func TestLineCountsOverSizeBoundIsLargeChange(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("0123456789abcdef\n", maxDiffBytes/17+1)
	a, refs := lineTestRepo(t, "a\n", big, big[:maxDiffBytes-1]+"\n", "\x00binary")
	for _, c := range []struct {
		name     string
		from, to entryRef
		want     lineCount
	}{
		{"over bound", refs[0], refs[1], lineCount{large: true}},
		{"added over bound", entryRef{}, refs[1], lineCount{large: true}},
		{"at bound", entryRef{}, refs[2], lineCount{added: strings.Count(big[:maxDiffBytes-1], "\n") + 1}},
		{"binary", refs[0], refs[3], lineCount{binary: true}},
	} {
		if lc := a.lineCounts(c.from, c.to); lc != c.want {
			t.Errorf("%s: lineCounts = %+v, want %+v", c.name, lc, c.want)
		}
	}
}

// Benchmarks of the line count of two 100k-line files with 1000 scattered
// edits, against the old quadratic diff at 20k lines (it took 3 min 43 s at
// 100k), and of 50 files sharing one blob pair.

func BenchmarkLineCountsScattered100k(b *testing.B) {
	x, y := scattered(100000, 100)
	for b.Loop() {
		countLineChanges(x, y)
	}
}

func BenchmarkLineCountsDense100k(b *testing.B) {
	x, y := scattered(100000, 10)
	for b.Loop() {
		countLineChanges(x, y)
	}
}

func BenchmarkLineCountsScattered20k(b *testing.B) {
	x, y := scattered(20000, 100)
	for b.Loop() {
		countLineChanges(x, y)
	}
}

func BenchmarkLineCountsScattered20kOldDiff(b *testing.B) {
	x, y := scattered(20000, 100)
	for b.Loop() {
		myersCounts(x, y)
	}
}

func BenchmarkLineCountsDense20k(b *testing.B) {
	x, y := scattered(20000, 10)
	for b.Loop() {
		countLineChanges(x, y)
	}
}

func BenchmarkLineCountsDense20kOldDiff(b *testing.B) {
	x, y := scattered(20000, 10)
	for b.Loop() {
		myersCounts(x, y)
	}
}

// Every other line edited: the old diff's worst case, quadratic.

func BenchmarkLineCountsHalf100k(b *testing.B) {
	x, y := scattered(100000, 2)
	for b.Loop() {
		countLineChanges(x, y)
	}
}

func BenchmarkLineCountsHalf20k(b *testing.B) {
	x, y := scattered(20000, 2)
	for b.Loop() {
		countLineChanges(x, y)
	}
}

func BenchmarkLineCountsHalf20kOldDiff(b *testing.B) {
	x, y := scattered(20000, 2)
	for b.Loop() {
		myersCounts(x, y)
	}
}

func BenchmarkLineCountsSharedPair50(b *testing.B) {
	benchSharedPair(b, func(a *auditor, from, to entryRef) { a.lineCounts(from, to) })
}

// BenchmarkLineCountsSharedPair50Uncached is the cost without the cache:
// each file reads and counts the pair again.
func BenchmarkLineCountsSharedPair50Uncached(b *testing.B) {
	benchSharedPair(b, func(a *auditor, from, to entryRef) { a.countBlobs(from.hash, to.hash) })
}

// benchSharedPair counts 50 files that share one pair of 100k-line blobs
// with scattered edits, in a fresh auditor each time.
func benchSharedPair(b *testing.B, count func(a *auditor, from, to entryRef)) {
	x, y := scattered(100000, 100)
	tr := newTestRepo(b)
	from := entryRef{hash: tr.put(plumbing.BlobObject, []byte(x)), mode: filemode.Regular}
	to := entryRef{hash: tr.put(plumbing.BlobObject, []byte(y)), mode: filemode.Regular}
	r, err := openRepo(tr.dir)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		a := &auditor{r: r}
		for range 50 {
			count(a, from, to)
		}
	}
}

// lcsCounts counts by the textbook quadratic longest common subsequence of
// lines, the minimum any diff can report.
func lcsCounts(a, b string) (added, deleted int) {
	x, y := splitLines(a), splitLines(b)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for i := range x {
		for j := range y {
			switch {
			case x[i] == y[j]:
				cur[j+1] = prev[j] + 1
			default:
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	l := prev[len(y)]
	return len(y) - l, len(x) - l
}

// TestCountLineChangesMinimal checks the exact counts against the longest
// common subsequence on random files over a few distinct lines (many
// repeats, where diffs differ most).
func TestCountLineChangesMinimal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	gen := func(n, k int) string {
		var s strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&s, "%d\n", r.IntN(k))
		}
		if r.IntN(4) == 0 {
			s.WriteString("tail")
		}
		return s.String()
	}
	for iter := 0; iter < 2000; iter++ {
		k := 1 + r.IntN(6)
		a, b := gen(r.IntN(40), k), gen(r.IntN(40), k)
		add, del, exact := countLineChanges(a, b)
		la, ld := lcsCounts(a, b)
		if !exact || add != la || del != ld {
			t.Fatalf("%q -> %q: +%d -%d exact %v, minimum +%d -%d", a, b, add, del, exact, la, ld)
		}
	}
}

// FuzzCountLineChanges checks the counts are those of an edit script and,
// for small inputs, minimal.
func FuzzCountLineChanges(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd")
	f.Add("", "x\n")
	f.Add("\x00\xff\n\n", "\n\x00")
	f.Fuzz(func(t *testing.T, a, b string) {
		add, del, exact := countLineChanges(a, b)
		na, nb := len(splitLines(a)), len(splitLines(b))
		if add < 0 || del < 0 || add > nb || del > na || add-del != nb-na {
			t.Fatalf("+%d -%d for %d and %d lines", add, del, na, nb)
		}
		if na*nb <= 1<<16 {
			la, ld := lcsCounts(a, b)
			if !exact || add != la || del != ld {
				t.Fatalf("+%d -%d exact %v, minimum +%d -%d", add, del, exact, la, ld)
			}
		}
	})
}

func TestAuditProtectedFileCounts(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	old, edited := scattered(2000, 100)
	big := strings.Repeat("0123456789abcdef\n", maxDiffBytes/17+1)
	files := func(content, large string) map[string]string {
		m := map[string]string{"src/large.txt": large}
		for i := range 50 {
			m[fmt.Sprintf("src/f%02d.go", i)] = content
		}
		return m
	}
	c0 := tr.commit(commitSpec{files: files(old, "small\n")})
	tr.tag("v1", c0, nil)
	c1 := tr.commit(commitSpec{files: files(edited, big), parents: []plumbing.Hash{c0}})
	tr.head(c1)
	res, err := Audit(context.Background(), tr.dir, Options{Since: "v1", Now: epoch.Add(100 * time.Hour),
		Policy: &Policy{Protect: []ProtectRule{{Path: "src/**"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Commits) != 1 || len(res.Commits[0].Files) != 51 {
		t.Fatalf("commits %+v, want one with 51 files", res.Commits)
	}
	for _, f := range res.Commits[0].Files {
		want := FileChange{Path: f.Path, Status: "modified", Added: 20, Deleted: 20}
		if f.Path == "src/large.txt" {
			want = FileChange{Path: f.Path, Status: "modified", Large: true}
		}
		if f != want {
			t.Errorf("file %+v, want %+v", f, want)
		}
	}
}
