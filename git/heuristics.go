package git

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/shipgate/shipgate/signing"
)

// sniffBytes is how much of a blob the binary heuristics read: all of any
// blob up to 16 MiB, so a payload cannot hide after a text prefix. A larger
// blob is reported as too large to inspect rather than assumed to be text.
const sniffBytes = 16 << 20

// windowBytes is the size of the windows the entropy heuristics measure one
// by one: a compressed payload after megabytes of text is not diluted by
// them.
const windowBytes = 64 << 10

// blobKind classifies blob content for git/binary-added.
type blobKind struct {
	suspicious bool
	reason     string
}

// isBinary reports whether b looks like binary data: a NUL byte anywhere
// (git's own test looks at the first 8000 bytes only, which a text prefix
// defeats) or bytes that are not UTF-8.
func isBinary(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	// Allow a rune cut at the end of a prefix.
	head := b
	for i := 0; i < 3 && len(head) > 0 && !utf8.Valid(head); i++ {
		head = head[:len(head)-1]
	}
	return !utf8.Valid(head)
}

// entropy returns the Shannon entropy of b in bits per byte.
func entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	// Two tables of 32-bit counts: consecutive equal bytes do not wait on
	// each other's increments.
	var x, y [256]uint32
	i := 0
	for ; i+2 <= len(b); i += 2 {
		x[b[i]]++
		y[b[i+1]]++
	}
	if i < len(b) {
		x[b[i]]++
	}
	var n [256]int
	for c := range n {
		n[c] = int(x[c]) + int(y[c])
	}
	return countsEntropy(&n, len(b))
}

// Thresholds of the content heuristics. Compressed or encrypted data is close
// to 8 bits/byte; base64 is 6; source code and prose stay under 5.5.
const (
	binaryEntropy   = 7.0
	textEntropy     = 5.8
	minTextEntropyN = 4096
	minTextLineLen  = 200
)

// asciiTextEntropy is the least entropy of minTextEntropyN ASCII-only
// bytes that counts as encoded data whatever its line lengths: base85
// (Ascii85, Z85) is 6.4 bits/byte, above base64's 6, which wrapped
// certificates and keys reach; source and prose stay under 5.5. Text with
// non-ASCII characters is left out: UTF-8 spreads a multilingual table's
// bytes over more values.
const asciiTextEntropy = 6.2

// denseASCII reports whether b holds minTextEntropyN consecutive ASCII
// bytes, starting at a multiple of half that, with entropy at least
// asciiTextEntropy: a payload of 1.5 times that size or more always covers
// such a stretch, wherever it starts.
func denseASCII(b []byte) bool {
	const half = minTextEntropyN / 2
	// The counts of the half before and of this one: each byte is counted
	// once, and a window costs a pass over 256 counts.
	var prev, cur [256]uint32
	for i := 0; i+half <= len(b); i += half {
		cur = [256]uint32{}
		for _, c := range b[i : i+half] {
			cur[c]++
		}
		if i >= half && denseWindow(&prev, &cur) {
			return true
		}
		prev = cur
	}
	return false
}

// denseWindow reports whether the minTextEntropyN bytes counted in x and y
// are ASCII only with entropy at least asciiTextEntropy.
func denseWindow(x, y *[256]uint32) bool {
	var counts [256]int
	for c := range counts {
		counts[c] = int(x[c]) + int(y[c])
	}
	return counts128(&counts) == 0 && entropyAtLeast(&counts, minTextEntropyN, asciiTextEntropy)
}

// counts128 returns how many of counts are of bytes above 0x7f.
func counts128(counts *[256]int) int {
	n := 0
	for _, c := range counts[utf8.RuneSelf:] {
		n += c
	}
	return n
}

// hexEntropy is the least entropy of a window of hex digits that counts as
// encoded data: random hex is 4 bits/byte; a run of zeros is not a payload.
const hexEntropy = 3.5

// hexRun reports whether b holds a run of at least minTextEntropyN bytes of
// consecutive lines, each at least minTextLineLen long, of hex digits only,
// with entropy at least hexEntropy: a binary payload spelled in hex, which
// stays under textEntropy, wherever it lies in the file.
func hexRun(b []byte) bool {
	// The run's byte counts, kept as lines join it, so that each line costs
	// its length and one pass over the 256 counts.
	var counts [256]int
	total, end := 0, -1
	for off := 0; off < len(b); {
		n := bytes.IndexByte(b[off:], '\n')
		if n < 0 {
			n = len(b) - off
		}
		line := bytes.TrimSuffix(b[off:off+n], []byte("\r"))
		if len(line) >= minTextLineLen && hexOnly(line) {
			if end != off {
				counts, total = [256]int{}, 0
			}
			for _, c := range line {
				counts[c]++
			}
			total += len(line)
			end = off + n + 1
			if total >= minTextEntropyN && countsEntropy(&counts, total) >= hexEntropy {
				return true
			}
		}
		off += n + 1
	}
	return false
}

// countsEntropy returns the Shannon entropy, in bits per byte, of total
// bytes with the given counts.
func countsEntropy(counts *[256]int, total int) float64 {
	var h float64
	l := float64(total)
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / l
			h -= p * math.Log2(p)
		}
	}
	return h
}

// cLog2c[c] is c·log2(c), so that the entropy of up to minTextEntropyN
// bytes needs no logarithm per distinct byte.
var cLog2c = func() (t [minTextEntropyN + 1]float64) {
	for c := 1; c < len(t); c++ {
		t[c] = float64(c) * math.Log2(float64(c))
	}
	return t
}()

// entropyAtLeast reports whether countsEntropy(counts, total) >= e. It
// computes the entropy as log2(total) - Σ c·log2(c)/total from cLog2c,
// which differs from countsEntropy's sum by rounding only (well under
// 1e-9 bits), and calls countsEntropy when the two could disagree.
func entropyAtLeast(counts *[256]int, total int, e float64) bool {
	if total <= 0 || total >= len(cLog2c) {
		return countsEntropy(counts, total) >= e
	}
	var s float64
	for _, c := range counts {
		s += cLog2c[c]
	}
	h := math.Log2(float64(total)) - s/float64(total)
	const margin = 1e-9
	switch {
	case h < e-margin:
		return false
	case h > e+margin:
		return true
	}
	return countsEntropy(counts, total) >= e
}

// hexOnly reports whether line is hex digits only.
func hexOnly(line []byte) bool {
	for _, c := range line {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// windows calls f on each windowBytes window of b (the last one shorter, and
// merged into the one before when under minTextEntropyN, so that a short
// tail is not judged alone).
func windows(b []byte, f func(w []byte)) {
	for len(b) > 0 {
		n := min(len(b), windowBytes)
		if len(b)-n < minTextEntropyN {
			n = len(b)
		}
		f(b[:n])
		b = b[n:]
	}
}

// classify says whether blob content is binary, high-entropy or too large to
// inspect. b is the blob's first bytes (up to sniffBytes) and size its full
// size.
func classify(b []byte, size int64) blobKind {
	if len(b) == 0 && size == 0 {
		return blobKind{}
	}
	if r := lfsPointer(b, size); r != "" {
		return blobKind{suspicious: true, reason: r}
	}
	var maxE float64
	highText := false
	windows(b, func(w []byte) {
		e := entropy(w)
		maxE = max(maxE, e)
		if len(w) < minTextEntropyN {
			return
		}
		lines := bytes.Count(w, []byte("\n")) + 1
		if len(w)/lines < minTextLineLen {
			return
		}
		highText = highText || e >= textEntropy
	})
	if isBinary(b) {
		r := fmt.Sprintf("binary content (%d bytes", size)
		if maxE >= binaryEntropy {
			r += fmt.Sprintf(", entropy %.2f bits/byte: compressed or encrypted", maxE)
		}
		return blobKind{suspicious: true, reason: r + ")"}
	}
	if highText {
		return blobKind{suspicious: true, reason: fmt.Sprintf("high-entropy text (%d bytes, entropy %.2f bits/byte, long lines: encoded data)", size, maxE)}
	}
	if denseASCII(b) {
		return blobKind{suspicious: true, reason: fmt.Sprintf("high-entropy text (%d bytes, %d or more ASCII bytes at %.1f bits/byte or more: base85 or similar encoded data)", size, minTextEntropyN, asciiTextEntropy)}
	}
	if hexRun(b) {
		return blobKind{suspicious: true, reason: fmt.Sprintf("hex-encoded data (%d bytes on long lines of hex digits only)", size)}
	}
	if r := encodedReason(b); r != "" {
		return blobKind{suspicious: true, reason: fmt.Sprintf("%s (%d bytes)", r, size)}
	}
	if size > int64(len(b)) {
		return blobKind{suspicious: true, reason: fmt.Sprintf("too large to inspect (%d bytes; the heuristics read the first %d)", size, len(b))}
	}
	return blobKind{}
}

// checkBinaries reports binary or high-entropy blobs a commit adds or
// changes. A merge is charged only with content that differs from every
// parent (what the merge itself introduced); content a side branch brought
// is charged to the side branch's commits. When a binaryScan computed the
// commit ahead (see startBinaryScan), its result is used.
func (a *auditor) checkBinaries(c *rawCommit, id string) error {
	hits, ok := a.bins.take(plumbing.NewHash(id), c)
	if !ok {
		tree := plumbing.NewHash(c.tree)
		var base plumbing.Hash
		var others []plumbing.Hash
		for i, p := range c.parents {
			pc, err := a.r.commit(plumbing.NewHash(p))
			if err != nil {
				return err
			}
			if i == 0 {
				base = pc.tree
			} else {
				others = append(others, pc.tree)
			}
		}
		if a.blobKinds == nil {
			a.blobKinds = map[plumbing.Hash]blobKind{}
		}
		var err error
		hits, err = binaryHits(a.r, a.pol, tree, base, others, func(h plumbing.Hash) (blobKind, bool) {
			k, ok := a.blobKinds[h]
			return k, ok
		}, func(h plumbing.Hash, k blobKind) { a.blobKinds[h] = k })
		if err != nil {
			return err
		}
	}
	for _, hit := range hits {
		verb := "adds"
		if !hit.added {
			verb = "changes"
		}
		a.finding(RuleBinaryAdded, signing.SeverityWarning, hit.path, id, fmt.Sprintf("commit %s %s %s: %s", id[:12], verb, hit.path, hit.reason))
	}
	return nil
}

// binHit is a blob checkBinaries reports: its path, whether the commit adds
// the path (rather than changing it), and why the content is suspicious.
type binHit struct {
	path   string
	added  bool
	reason string
}

// binaryHits diffs tree against base (the first parent's tree; zero for a
// root commit) and returns the suspicious blobs that are in none of the other
// parents' trees, in diff order. Blob classifications are looked up with get
// and stored with put.
func binaryHits(r *repo, pol *Policy, tree, base plumbing.Hash, others []plumbing.Hash,
	get func(plumbing.Hash) (blobKind, bool), put func(plumbing.Hash, blobKind)) ([]binHit, error) {
	chs, err := r.diffTrees(base, tree, "", nil)
	if err != nil {
		return nil, err
	}
	var hits []binHit
	for _, ch := range chs {
		if ch.to.hash.IsZero() || !ch.to.mode.IsFile() || ch.to.mode == 0o120000 {
			continue
		}
		if matchAny(pol.BinaryAllow, ch.path, pol.foldPaths()) {
			continue
		}
		inParent := false
		for _, ot := range others {
			e, err := r.entryAt(ot, ch.path)
			if err != nil {
				return nil, err
			}
			if e.hash == ch.to.hash {
				inParent = true
				break
			}
		}
		if inParent {
			continue
		}
		k, ok := get(ch.to.hash)
		if !ok {
			b, size, err := r.blobPrefix(ch.to.hash, sniffBytes)
			if err != nil {
				return nil, err
			}
			k = classify(b, size)
			put(ch.to.hash, k)
		}
		if k.suspicious {
			hits = append(hits, binHit{path: ch.path, added: ch.from.hash.IsZero(), reason: k.reason})
		}
	}
	return hits, nil
}

// binaryScanChunk is how many consecutive commits a binaryScan worker takes
// at once: neighbours share trees, which the worker's caches then hold.
const binaryScanChunk = 64

// maxBinaryScanWorkers caps the goroutines of a binaryScan.
const maxBinaryScanWorkers = 8

// binaryScan computes checkBinaries' results for the commits of a range on
// GOMAXPROCS goroutines, each with its own reader over the repository (see
// repo.fork), ahead of the audit's sequential loop. The scan diffs the tree
// and parents the walk read (from the commit-graph or the commit's first
// lines); the loop takes the results in walk order (take), checking them
// against the commit object it parsed, so the findings and their order do
// not depend on scheduling. A commit whose object names another tree or
// other parents, or that the scan could not read, is left to the loop,
// which then reports what it finds itself.
type binaryScan struct {
	items []binItem
	hits  [][]binHit
	ok    []bool
	// done[k] is closed when chunk k is computed.
	done []chan struct{}
	next int // the item take expects next
	// kinds memoizes blob classification across the workers.
	kindsMu sync.Mutex
	kinds   map[plumbing.Hash]blobKind
}

// binItem is one commit to scan, with what the walk read of it.
type binItem struct {
	id      plumbing.Hash
	tree    plumbing.Hash
	parents []plumbing.Hash
	// trees are the parents' trees.
	trees []plumbing.Hash
	// skip leaves the commit to the loop: the walk could not read it or
	// a parent.
	skip bool
}

// startBinaryScan starts a binaryScan of commits (in walk order) when more
// than one CPU is available; the scan stops when the repository is closed.
func (a *auditor) startBinaryScan(ctx context.Context, commits []plumbing.Hash) {
	// Each worker holds up to 64 MiB of caches (packs and trees).
	workers := min(runtime.GOMAXPROCS(0), maxBinaryScanWorkers)
	if workers < 2 || len(commits) < 2*binaryScanChunk {
		return
	}
	s := &binaryScan{
		items: make([]binItem, len(commits)),
		hits:  make([][]binHit, len(commits)),
		ok:    make([]bool, len(commits)),
		done:  make([]chan struct{}, (len(commits)+binaryScanChunk-1)/binaryScanChunk),
		kinds: map[plumbing.Hash]blobKind{},
	}
	for i, h := range commits {
		it := binItem{id: h}
		ci, err := a.r.commit(h)
		if err != nil {
			it.skip = true
		} else {
			it.tree, it.parents = ci.tree, ci.parents
			for _, p := range ci.parents {
				pc, err := a.r.commit(p)
				if err != nil {
					it.skip = true
					break
				}
				it.trees = append(it.trees, pc.tree)
			}
		}
		s.items[i] = it
	}
	for k := range s.done {
		s.done[k] = make(chan struct{})
	}
	ctx = a.r.background(ctx)
	var nextChunk atomic.Int64
	for range workers {
		f := a.r.fork()
		a.r.bg.Add(1)
		go func() {
			defer a.r.bg.Done()
			defer f.close()
			for {
				k := int(nextChunk.Add(1) - 1)
				if k >= len(s.done) {
					return
				}
				if ctx.Err() == nil {
					for i := k * binaryScanChunk; i < min(len(s.items), (k+1)*binaryScanChunk); i++ {
						s.scan(f, a.pol, i)
					}
				}
				close(s.done[k])
			}
		}()
	}
	a.bins = s
}

// scan computes item i with the worker's repository f.
func (s *binaryScan) scan(f *repo, pol *Policy, i int) {
	it := &s.items[i]
	if it.skip {
		return
	}
	var base plumbing.Hash
	var others []plumbing.Hash
	if len(it.trees) > 0 {
		base, others = it.trees[0], it.trees[1:]
	}
	hits, err := binaryHits(f, pol, it.tree, base, others, func(h plumbing.Hash) (blobKind, bool) {
		s.kindsMu.Lock()
		defer s.kindsMu.Unlock()
		k, ok := s.kinds[h]
		return k, ok
	}, func(h plumbing.Hash, k blobKind) {
		s.kindsMu.Lock()
		defer s.kindsMu.Unlock()
		s.kinds[h] = k
	})
	if err != nil {
		return
	}
	s.hits[i], s.ok[i] = hits, true
}

// take returns the scan's result for commit id, parsed as c, waiting for
// it; ok is false when there is no scan, id is not the commit the scan
// expects next, c names another tree or other parents than the scan used, or
// the scan left it to the caller.
func (s *binaryScan) take(id plumbing.Hash, c *rawCommit) ([]binHit, bool) {
	if s == nil || s.next >= len(s.items) || s.items[s.next].id != id {
		return nil, false
	}
	i := s.next
	s.next++
	<-s.done[i/binaryScanChunk]
	it := s.items[i]
	hits, ok := s.hits[i], s.ok[i]
	s.hits[i], s.items[i] = nil, binItem{}
	if !ok || plumbing.NewHash(c.tree) != it.tree || len(c.parents) != len(it.parents) {
		return nil, false
	}
	for j, p := range c.parents {
		if plumbing.NewHash(p) != it.parents[j] {
			return nil, false
		}
	}
	return hits, true
}

// Bounds of line counting. A side over maxDiffBytes is not read: the file is
// reported as a large change with no counts. Below it the count costs time
// linear in the blob sizes: an exact shortest edit script is searched for up
// to exactDiffWork steps; past that, lines unique to both sides anchor the
// diff and each gap between anchors gets its own exact search from a shared
// budget of gapDiffWork steps plus diffWorkPerLine per line. A gap the budget
// cannot afford counts as wholly deleted and added, and the change is
// reported as large (its counts are then an upper bound).
const (
	maxDiffBytes    = 8 << 20
	exactDiffWork   = 1 << 22
	gapDiffWork     = 1 << 22
	diffWorkPerLine = 64
)

// lineCount is the line count of one blob pair.
type lineCount struct {
	added, deleted int
	binary, large  bool
}

// lineCounts counts added and deleted lines between two blobs, once per
// pair of blob ids. Binary files count no lines; see maxDiffBytes for large
// ones.
func (a *auditor) lineCounts(from, to entryRef) lineCount {
	key := [2]plumbing.Hash{diffSide(from), diffSide(to)}
	if lc, ok := a.lineCache[key]; ok {
		return lc
	}
	lc := a.countBlobs(key[0], key[1])
	if a.lineCache == nil {
		a.lineCache = map[[2]plumbing.Hash]lineCount{}
	}
	a.lineCache[key] = lc
	return lc
}

// diffSide is the blob a side of a change contributes lines from: none
// (the zero id) for a missing entry, a submodule or a tree.
func diffSide(e entryRef) plumbing.Hash {
	if e.hash.IsZero() || !e.mode.IsFile() {
		return plumbing.ZeroHash
	}
	return e.hash
}

// countBlobs reads two blobs (the zero id is empty) and counts their lines.
func (a *auditor) countBlobs(from, to plumbing.Hash) lineCount {
	var text [2]string
	large := false
	for i, h := range [2]plumbing.Hash{from, to} {
		if h.IsZero() {
			continue
		}
		b, size, err := a.r.blobPrefix(h, maxDiffBytes+1)
		if err != nil || isBinary(b) {
			return lineCount{binary: true}
		}
		large = large || size > maxDiffBytes
		text[i] = string(b)
	}
	if large {
		return lineCount{large: true}
	}
	added, deleted, exact := countLineChanges(text[0], text[1])
	return lineCount{added: added, deleted: deleted, large: !exact}
}

// splitLines splits s after each newline; a last line without one is a line
// of its own, so "a" and "a\n" differ.
func splitLines(s string) []string {
	out := make([]string, 0, strings.Count(s, "\n")+1)
	for s != "" {
		i := strings.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// countLineChanges counts lines added and deleted from a to b: the lines
// inserted and deleted by a shortest edit script when one is found within
// exactDiffWork steps (as git diff --numstat and the Myers diff shipgate
// used before count ordinary edits), else by an anchored diff whose counts
// may exceed the minimum around repeated lines. exact is false when a gap
// between anchors was over budget and counted as wholly replaced. Time and
// memory are linear in the sizes, up to a log factor for the anchors.
func countLineChanges(a, b string) (added, deleted int, exact bool) {
	added, deleted, exact, _ = countLineChangesSteps(a, b)
	return added, deleted, exact
}

// countLineChangesSteps is countLineChanges that also returns the steps it
// took, for tests that check they stay linear in the sizes: a step per line
// split and numbered, per line and distinct line the anchors are looked
// for in (their log factor aside), per entry of each edit search's array,
// and each step an edit search takes from its budget.
func countLineChangesSteps(a, b string) (added, deleted int, exact bool, steps int) {
	la, lb := splitLines(a), splitLines(b)
	steps = len(la) + len(lb)
	// Number the distinct lines.
	ids := make(map[string]int32, len(la))
	number := func(ls []string) []int32 {
		out := make([]int32, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = int32(len(ids))
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	x, y := number(la), number(lb)
	x, y = trimCommon(x, y)
	// search is editDistance, its steps counted.
	search := func(x, y []int32, budget *int) int {
		before := *budget
		d := editDistance(x, y, budget)
		steps += len(x) + len(y) + 1 + before - *budget
		return d
	}
	budget := exactDiffWork
	if d := search(x, y, &budget); d >= 0 {
		return (d + len(y) - len(x)) / 2, (d + len(x) - len(y)) / 2, true, steps
	}
	budget = gapDiffWork + diffWorkPerLine*(len(x)+len(y))
	exact = true
	ax, ay := 0, 0
	gap := func(ex, ey int) {
		gx, gy := trimCommon(x[ax:ex], y[ay:ey])
		d := -1
		if budget > 0 {
			d = search(gx, gy, &budget)
		}
		if d < 0 {
			exact = false
			deleted += len(gx)
			added += len(gy)
			return
		}
		added += (d + len(gy) - len(gx)) / 2
		deleted += (d + len(gx) - len(gy)) / 2
	}
	steps += len(x) + len(y) + len(ids)
	for _, p := range anchors(x, y, len(ids)) {
		gap(p[0], p[1])
		ax, ay = p[0]+1, p[1]+1
	}
	gap(len(x), len(y))
	return added, deleted, exact, steps
}

// trimCommon drops the lines x and y start and end with alike.
func trimCommon(x, y []int32) ([]int32, []int32) {
	n := 0
	for n < len(x) && n < len(y) && x[n] == y[n] {
		n++
	}
	x, y = x[n:], y[n:]
	n = 0
	for n < len(x) && n < len(y) && x[len(x)-1-n] == y[len(y)-1-n] {
		n++
	}
	return x[:len(x)-n], y[:len(y)-n]
}

// anchors returns the positions (in x, in y) of lines that occur exactly
// once in each, as the longest sequence increasing in both (patience diff's
// anchors). nids bounds the line numbers.
func anchors(x, y []int32, nids int) [][2]int {
	cx := make([]int32, nids)
	cy := make([]int32, nids)
	at := make([]int, nids)
	for i, v := range x {
		cx[v]++
		at[v] = i
	}
	for _, v := range y {
		cy[v]++
	}
	// Pairs in y order; the longest run increasing in x is kept.
	var pairs [][2]int
	for j, v := range y {
		if cx[v] == 1 && cy[v] == 1 {
			pairs = append(pairs, [2]int{at[v], j})
		}
	}
	// Patience sorting: tails[k] is the pair index ending the best run of
	// length k+1; prev links runs back.
	var tails []int
	prev := make([]int, len(pairs))
	for i, p := range pairs {
		k := sort.Search(len(tails), func(k int) bool { return pairs[tails[k]][0] > p[0] })
		prev[i] = -1
		if k > 0 {
			prev[i] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	if len(tails) == 0 {
		return nil
	}
	out := make([][2]int, len(tails))
	for i, k := len(tails)-1, tails[len(tails)-1]; i >= 0; i, k = i-1, prev[k] {
		out[i] = pairs[k]
	}
	return out
}

// editDistance returns the number of lines inserted plus deleted by a
// shortest edit script from x to y (Myers' greedy algorithm, keeping only
// the furthest point of each diagonal), or -1 when that takes more steps
// than *budget. Each step, a diagonal tried or a line matched, is taken
// from *budget.
func editDistance(x, y []int32, budget *int) int {
	n, m := len(x), len(y)
	if n == 0 || m == 0 {
		*budget -= n + m
		return n + m
	}
	// v[k+off] is the furthest x reached on diagonal k = x-y; diagonals
	// run from -m to n.
	const unreached = math.MinInt
	off := m
	v := make([]int, n+m+1)
	for i := range v {
		v[i] = unreached
	}
	for d := 0; d <= n+m; d++ {
		lo, hi := max(-d, -m), min(d, n)
		if (lo+d)%2 != 0 {
			lo++
		}
		for k := lo; k <= hi; k += 2 {
			var px int
			switch {
			case d == 0:
				px = 0
			default:
				px = unreached
				// From diagonal k+1 by an insertion (down), when y stays in range.
				if k+1 <= n {
					if xd := v[k+1+off]; xd != unreached && xd-k <= m {
						px = xd
					}
				}
				// From diagonal k-1 by a deletion (right), when x stays in range.
				if k-1 >= -m {
					if xr := v[k-1+off]; xr != unreached && xr < n && xr+1 > px {
						px = xr + 1
					}
				}
				if px == unreached {
					continue
				}
			}
			py := px - k
			from := px
			for px < n && py < m && x[px] == y[py] {
				px++
				py++
			}
			*budget -= 1 + px - from
			v[k+off] = px
			if px == n && py == m {
				return d
			}
			if *budget < 0 {
				return -1
			}
		}
	}
	return n + m
}
