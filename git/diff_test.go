package git

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// fastImportRepo builds a bare repository from a fast-import stream.
func fastImportRepo(t testing.TB, stream []byte) string {
	t.Helper()
	git := gitBin(t)
	dir := t.TempDir()
	if out, err := exec.Command(git, "init", "-q", "--bare", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	cmd := exec.Command(git, "-C", dir, "fast-import", "--quiet")
	cmd.Stdin = bytes.NewReader(stream)
	cmd.Env = fastImportEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v: %s", err, out)
	}
	runGit(t, dir, "symbolic-ref", "HEAD", "refs/heads/master")
	return dir
}

// fastImportEnv is the environment for git fast-import: fast-import grows
// and trims glibc's heap once per object, a brk system call each time (a
// 30,000-blob import spends 1.2 s in the kernel and 0.15 s without);
// keeping 64 MiB of headroom avoids it. Other libcs ignore the variable.
func fastImportEnv() []string {
	return append(os.Environ(), "MALLOC_TOP_PAD_=67108864")
}

// diffNames are entry names chosen for git's tree order: a directory "a"
// sorts as "a/", after "a b", "a!", "a-1" and "a.txt" (bytes below "/") and
// before "a0" and "ab"; "A" and "é" add case and non-ASCII names.
var diffNames = []string{"a", "a.txt", "a-1", "a b", "a!", "a0", "ab", "A", "b", "é"}

// genDiffStream writes a fast-import stream of n commits on master, each a
// few random operations over paths made of diffNames up to three levels
// deep: files added and changed (from a small set of contents, so blobs
// repeat), made executable, turned into symlinks and submodules, deleted,
// whole directories deleted, files replaced by directories and back, and
// case-only renames.
func genDiffStream(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	randPath := func() string {
		depth := 1 + rng.IntN(3)
		var parts []string
		for range depth {
			parts = append(parts, diffNames[rng.IntN(len(diffNames))])
		}
		return strings.Join(parts, "/")
	}
	quote := func(p string) string { return fmt.Sprintf("%q", p) }
	data := func(s string) { fmt.Fprintf(w, "data %d\n%s\n", len(s), s) }
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "commit refs/heads/master\nmark :%d\ncommitter Dev <dev@example.com> %d +0000\n", i, 1700000000+i*60)
		data(fmt.Sprintf("c%d", i))
		if i > 1 {
			fmt.Fprintf(w, "from :%d\n", i-1)
		}
		ops := 1 + rng.IntN(4)
		if i == 1 {
			ops = 30
		}
		for range ops {
			p := randPath()
			switch k := rng.IntN(20); {
			case k < 8:
				fmt.Fprintf(w, "M 100644 inline %s\n", quote(p))
				data(fmt.Sprintf("content %d\n", rng.IntN(6)))
			case k < 10:
				fmt.Fprintf(w, "M 100755 inline %s\n", quote(p))
				data(fmt.Sprintf("content %d\n", rng.IntN(6)))
			case k < 11:
				fmt.Fprintf(w, "M 120000 inline %s\n", quote(p))
				data("target")
			case k < 12:
				fmt.Fprintf(w, "M 160000 %040x %s\n", rng.IntN(3)+1, quote(p))
			case k < 15:
				fmt.Fprintf(w, "D %s\n", quote(p))
			case k < 17:
				// Delete a directory (or file) higher up.
				fmt.Fprintf(w, "D %s\n", quote(strings.SplitN(p, "/", 2)[0]))
			case k < 18:
				// A file where a directory may be, or the reverse.
				fmt.Fprintf(w, "M 100644 inline %s\n", quote(strings.SplitN(p, "/", 2)[0]))
				data("flat\n")
			default:
				// A case-only rename of the top-level name, as trees
				// record it: one name gone, the other added.
				top, rest, _ := strings.Cut(p, "/")
				if rest == "" {
					rest = "f"
				}
				fmt.Fprintf(w, "D %s\nM 100644 inline %s\n", quote(top), quote(strings.ToUpper(top)+"/"+rest))
				data("renamed\n")
			}
		}
		w.WriteString("\n")
	}
	w.Flush()
	return b.Bytes()
}

// gitDiffTrees runs one git diff-tree -r --stdin over tree pairs and
// returns, per pair, its raw output as "path oldmode newmode oldid newid"
// lines, sorted.
func gitDiffTrees(t testing.TB, dir string, pairs [][2]string) [][]string {
	t.Helper()
	var in bytes.Buffer
	for _, p := range pairs {
		fmt.Fprintf(&in, "%s %s\n", p[0], p[1])
	}
	cmd := exec.Command(gitBin(t), "-C", dir, "diff-tree", "--stdin", "--always", "-r", "--no-renames", "-z", "--raw", "--abbrev=40")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git diff-tree: %v", err)
	}
	// Each pair's output is its input line, then records of
	// ":modes ids status\0path\0".
	res := make([][]string, 0, len(pairs))
	for len(out) > 0 {
		if out[0] != ':' {
			line, rest, _ := bytes.Cut(out, []byte("\n"))
			if want := pairs[len(res)][0] + " " + pairs[len(res)][1]; string(line) != want {
				t.Fatalf("diff-tree header %q, want %q", line, want)
			}
			res = append(res, nil)
			out = rest
			continue
		}
		meta, rest, _ := bytes.Cut(out[1:], []byte{0})
		path, rest, _ := bytes.Cut(rest, []byte{0})
		f := strings.Fields(string(meta))
		if len(f) != 5 || len(res) == 0 {
			t.Fatalf("diff-tree record %q", meta)
		}
		res[len(res)-1] = append(res[len(res)-1], fmt.Sprintf("%s %s %s %s %s", path, f[0], f[1], f[2], f[3]))
		out = rest
	}
	if len(res) != len(pairs) {
		t.Fatalf("diff-tree printed %d diffs for %d pairs", len(res), len(pairs))
	}
	for _, r := range res {
		slices.Sort(r)
	}
	return res
}

// runGitRaw is runGit without trimming the output.
func runGitRaw(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(gitBin(t), append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// changeLines formats diffTrees' changes as gitDiffTree does.
func changeLines(chs []change) []string {
	side := func(e entryRef) (string, string) {
		if e.hash.IsZero() {
			return "000000", plumbing.ZeroHash.String()
		}
		return fmt.Sprintf("%06o", uint32(e.mode)), e.hash.String()
	}
	var res []string
	for _, ch := range chs {
		fm, fh := side(ch.from)
		tm, th := side(ch.to)
		res = append(res, fmt.Sprintf("%s %s %s %s %s", ch.path, fm, tm, fh, th))
	}
	slices.Sort(res)
	return res
}

func TestDiffTreesMatchesGitDiffTree(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			const n = 120
			dir := fastImportRepo(t, genDiffStream(seed, n))
			commits := lines(runGit(t, dir, "rev-list", "--reverse", "master"))
			if len(commits) != n {
				t.Fatalf("%d commits", len(commits))
			}
			r, err := openRepo(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			trees := make([]plumbing.Hash, len(commits))
			for i, c := range commits {
				ci, err := r.commit(plumbing.NewHash(c))
				if err != nil {
					t.Fatal(err)
				}
				trees[i] = ci.tree
			}
			// Each commit against its parent and against one ten back (in
			// both directions), and the first against the empty tree (the
			// zero id).
			var pairs [][2]plumbing.Hash
			for i := 1; i < len(commits); i++ {
				pairs = append(pairs, [2]plumbing.Hash{trees[i-1], trees[i]})
				if i >= 10 {
					pairs = append(pairs, [2]plumbing.Hash{trees[i], trees[i-10]})
				}
			}
			pairs = append(pairs, [2]plumbing.Hash{plumbing.NewHash(emptyTreeID(t, dir)), trees[0]})
			var ids [][2]string
			for _, p := range pairs {
				ids = append(ids, [2]string{p[0].String(), p[1].String()})
			}
			wants := gitDiffTrees(t, dir, ids)
			changes := 0
			kinds := map[string]bool{}
			for i, p := range pairs {
				a := p[0]
				if a.String() == emptyTree.String() {
					a = plumbing.ZeroHash
				}
				chs, err := r.diffTrees(a, p[1], "", nil)
				if err != nil {
					t.Fatal(err)
				}
				if got := changeLines(chs); !slices.Equal(got, wants[i]) {
					t.Fatalf("trees %s vs %s:\n got %q\nwant %q", p[0], p[1], got, wants[i])
				}
				changes += len(wants[i])
				for _, ch := range chs {
					kinds[fmt.Sprintf("%o>%o", ch.from.mode, ch.to.mode)] = true
				}
			}
			// Every kind of change happened: additions and deletions of
			// each type, mode and type changes.
			for _, k := range []string{"0>100644", "100644>0", "100644>100755", "100644>120000", "120000>100644", "100644>160000", "160000>100644"} {
				if !kinds[k] {
					t.Errorf("no change %s among %d", k, changes)
				}
			}
			t.Logf("%d tree pairs, %d changes, kinds %v", len(pairs), changes, sortedKeys(kinds))
		})
	}
}

// emptyTreeID writes the empty tree into dir and returns its id.
func emptyTreeID(t testing.TB, dir string) string {
	cmd := exec.Command(gitBin(t), "-C", dir, "hash-object", "-w", "-t", "tree", "--stdin")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func TestCompareTreeNamesGitOrder(t *testing.T) {
	t.Parallel()
	type ent struct {
		name string
		dir  bool
	}
	// Sorted as git sorts tree entries.
	order := []ent{{"a", false}, {"a b", false}, {"a!", false}, {"a-1", false}, {"a.txt", false}, {"a.txt", true}, {"a", true}, {"a0", false}, {"ab", true}, {"b", false}, {"é", false}}
	for i := range order {
		for j := range order {
			c := compareTreeNames([]byte(order[i].name), order[i].dir, []byte(order[j].name), order[j].dir)
			if (c < 0) != (i < j) || (c == 0) != (i == j) {
				t.Errorf("compare(%v, %v) = %d", order[i], order[j], c)
			}
		}
	}
}

func TestDiffTreesUnsortedTreeSeesEveryChange(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	blob := func(s string) string { return tr.put(plumbing.BlobObject, []byte(s)).String() }
	x, y, z, evil := blob("x\n"), blob("y\n"), blob("z\n"), blob("evil\x00\n")
	sorted := tr.rawTree([][3]string{{"100644", "a.c", x}, {"100644", "b.c", y}, {"100644", "c.c", z}})
	// The same names out of order, with b.c changed and d.c added at the
	// front: a merge join would step past both.
	unsorted := tr.rawTree([][3]string{{"100644", "d.c", evil}, {"100644", "c.c", z}, {"100644", "a.c", x}, {"100644", "b.c", evil}})
	r, err := openRepo(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	if _, ok, err := r.sortedTree(unsorted); ok || err != nil {
		t.Fatalf("unsorted tree: sorted %v, %v", ok, err)
	}
	if _, ok, err := r.sortedTree(sorted); !ok || err != nil {
		t.Fatalf("sorted tree: sorted %v, %v", ok, err)
	}
	for _, dir := range []bool{false, true} {
		a, b := sorted, unsorted
		if dir {
			a, b = b, a
		}
		chs, err := r.diffTrees(a, b, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, ch := range chs {
			paths = append(paths, ch.path)
		}
		slices.Sort(paths)
		if !slices.Equal(paths, []string{"b.c", "d.c"}) {
			t.Errorf("reverse %v: changes %q, want b.c and d.c", dir, paths)
		}
	}
}

func TestDiffTreesRejectsDuplicateNames(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	x := tr.put(plumbing.BlobObject, []byte("x\n")).String()
	sub := tr.rawTree([][3]string{{"100644", "evil", x}}).String()
	good := tr.rawTree([][3]string{{"100644", "foo", x}})
	for name, bad := range map[string]plumbing.Hash{
		// In git's order, with the file and directory "foo" apart.
		"file and directory": tr.rawTree([][3]string{{"100644", "foo", x}, {"100644", "foo.txt", x}, {"40000", "foo", sub}}),
		"adjacent files":     tr.rawTree([][3]string{{"100644", "foo", x}, {"100644", "foo", x}}),
	} {
		t.Run(name, func(t *testing.T) {
			r, err := openRepo(tr.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			if _, err := r.diffTrees(good, bad, "", nil); !errors.Is(err, ErrHostileTree) {
				t.Errorf("diffTrees: %v, want ErrHostileTree", err)
			}
		})
	}
}

func TestTreeModesReadAsGitDoes(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	bin := tr.put(plumbing.BlobObject, []byte("MZ\x00\x01payload")).String()
	txt := tr.put(plumbing.BlobObject, []byte("text\n")).String()
	sub := tr.rawTree([][3]string{{"100644", "payload.dll", bin}}).String()
	// git reads 40755 as a directory and 100664 as a plain file.
	before := tr.rawTree([][3]string{{"100644", "readme", txt}})
	after := tr.rawTree([][3]string{{"100664", "readme", txt}, {"40755", "tools", sub}})
	r, err := openRepo(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	chs, err := r.diffTrees(before, after, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(chs) != 1 || chs[0].path != "tools/payload.dll" || chs[0].to.mode != filemode.Regular {
		t.Errorf("changes %+v, want only tools/payload.dll added", chs)
	}
}

// genBinaryStream is genFastImport's shape at a smaller size with binary
// files: commits add text and binary blobs, side branches bring some in by
// merges, and some merges add their own.
func genBinaryStream(n int) []byte {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	mark := 0
	data := func(s string) { fmt.Fprintf(w, "data %d\n%s\n", len(s), s) }
	commit := func(ref string, from int, merge int, body func()) int {
		mark++
		fmt.Fprintf(w, "commit %s\nmark :%d\ncommitter Dev <dev@example.com> %d +0000\n", ref, mark, 1700000000+mark*60)
		data(fmt.Sprintf("c%d", mark))
		if from > 0 {
			fmt.Fprintf(w, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(w, "merge :%d\n", merge)
		}
		body()
		w.WriteString("\n")
		return mark
	}
	file := func(p, c string) {
		fmt.Fprintf(w, "M 100644 inline %s\n", p)
		data(c)
	}
	bin := func(i int) string { return fmt.Sprintf("MZ\x00%d\x00\xff\xfe", i) }
	head := commit("refs/heads/master", 0, 0, func() { file("README", "hi\n") })
	for i := 1; i < n; i++ {
		switch {
		case i%50 == 25:
			side := commit("refs/heads/side", head, 0, func() { file(fmt.Sprintf("side/b%d.bin", i), bin(i)) })
			head = commit("refs/heads/master", head, 0, func() { file(fmt.Sprintf("src/f%d.c", i), "x\n") })
			head = commit("refs/heads/master", head, side, func() {
				file(fmt.Sprintf("side/b%d.bin", i), bin(i))
				file(fmt.Sprintf("merge/m%d.bin", i), bin(-i))
			})
		case i%7 == 0:
			head = commit("refs/heads/master", head, 0, func() { file(fmt.Sprintf("lib/l%d/blob.so", i%13), bin(i%5)) })
		default:
			head = commit("refs/heads/master", head, 0, func() { file(fmt.Sprintf("src/d%d/f%d.c", i%9, i%17), fmt.Sprintf("v%d\n", i)) })
		}
	}
	w.Flush()
	return b.Bytes()
}

func TestAuditReportIdenticalWhateverGOMAXPROCS(t *testing.T) {
	dir := fastImportRepo(t, genBinaryStream(600))
	opts := Options{Backend: BackendGoGit, Now: time.Unix(1800000000, 0), Policy: &Policy{Protect: []ProtectRule{{Path: "lib/**"}}}}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var want []byte
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		res, err := Audit(context.Background(), dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.MarshalIndent(res, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got
			if n := len(findingsOf(res, RuleBinaryAdded)); n < 50 {
				t.Fatalf("%d binary findings", n)
			}
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("GOMAXPROCS %d: report differs from GOMAXPROCS 1", procs)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestSameEntrySkipsOnlyIdenticalEntries(t *testing.T) {
	t.Parallel()
	id := func(last byte) string { return strings.Repeat("\x01", 19) + string([]byte{last}) }
	ent := func(mode, name string, last byte) string { return mode + " " + name + "\x00" + id(last) }
	e := ent("100644", "foo", 0)
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{e + ent("100644", "z", 1), e + ent("100644", "y", 1), len(e)},
		{e, e, len(e)},
		{e, ent("100755", "foo", 0), 0},   // mode
		{e, ent("100644", "foo", 1), 0},   // last byte of the id
		{e, ent("100644", "foo.c", 0), 0}, // the name goes on
		{ent("100644", "foo.c", 0), e, 0}, // the other's name goes on
		{e, e[:len(e)-1], 0},              // truncated
		{"100644 foo", "100644 foo", 0},   // no NUL
		{"", "", 0},
	} {
		if got := sameEntry([]byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("sameEntry(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
