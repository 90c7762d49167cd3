package git

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/shipgate/shipgate/signing"
)

// sniffBytes is how much of a blob the binary heuristics read.
const sniffBytes = 64 << 10

// blobKind classifies blob content for git/binary-added.
type blobKind struct {
	suspicious bool
	reason     string
}

// isBinary reports whether b looks like binary data: a NUL byte in the first
// 8000 bytes (git's own test) or bytes that are not UTF-8.
func isBinary(b []byte) bool {
	head := b
	if len(head) > 8000 {
		head = head[:8000]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	// Allow a rune cut at the end of the sniffed window.
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
	var n [256]int
	for _, c := range b {
		n[c]++
	}
	var h float64
	l := float64(len(b))
	for _, c := range n {
		if c > 0 {
			p := float64(c) / l
			h -= p * math.Log2(p)
		}
	}
	return h
}

// Thresholds of the content heuristics. Compressed or encrypted data is close
// to 8 bits/byte; base64 is 6; source code and prose stay under 5.5.
const (
	binaryEntropy   = 7.0
	textEntropy     = 5.8
	minTextEntropyN = 4096
	minTextLineLen  = 200
)

// classify says whether blob content is binary or high-entropy.
func classify(b []byte, size int64) blobKind {
	if len(b) == 0 {
		return blobKind{}
	}
	e := entropy(b)
	if isBinary(b) {
		r := fmt.Sprintf("binary content (%d bytes", size)
		if e >= binaryEntropy {
			r += fmt.Sprintf(", entropy %.2f bits/byte: compressed or encrypted", e)
		}
		return blobKind{suspicious: true, reason: r + ")"}
	}
	if len(b) >= minTextEntropyN && e >= textEntropy {
		lines := bytes.Count(b, []byte("\n")) + 1
		if len(b)/lines >= minTextLineLen {
			return blobKind{suspicious: true, reason: fmt.Sprintf("high-entropy text (%d bytes, entropy %.2f bits/byte, long lines: encoded data)", size, e)}
		}
	}
	return blobKind{}
}

// checkBinaries reports binary or high-entropy blobs a commit adds or
// changes. A merge is charged only with content that differs from every
// parent (what the merge itself introduced); content a side branch brought
// is charged to the side branch's commits.
func (a *auditor) checkBinaries(c *rawCommit, id string) error {
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
	chs, err := a.r.diffTrees(base, tree, "", nil)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		if ch.to.hash.IsZero() || !ch.to.mode.IsFile() || ch.to.mode == 0o120000 {
			continue
		}
		if matchAny(a.pol.BinaryAllow, ch.path, a.pol.foldPaths()) {
			continue
		}
		inParent := false
		for _, ot := range others {
			e, err := a.r.entryAt(ot, ch.path)
			if err != nil {
				return err
			}
			if e.hash == ch.to.hash {
				inParent = true
				break
			}
		}
		if inParent {
			continue
		}
		k, ok := a.blobKinds[ch.to.hash]
		if !ok {
			b, size, err := a.r.blobPrefix(ch.to.hash, sniffBytes)
			if err != nil {
				return err
			}
			k = classify(b, size)
			if a.blobKinds == nil {
				a.blobKinds = map[plumbing.Hash]blobKind{}
			}
			a.blobKinds[ch.to.hash] = k
		}
		if !k.suspicious {
			continue
		}
		verb := "adds"
		if !ch.from.hash.IsZero() {
			verb = "changes"
		}
		a.finding(RuleBinaryAdded, signing.SeverityWarning, ch.path, id, fmt.Sprintf("commit %s %s %s: %s", id[:12], verb, ch.path, k.reason))
	}
	return nil
}

// countLineChanges counts lines added and deleted from a to b.
func countLineChanges(a, b string) (added, deleted int) {
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
