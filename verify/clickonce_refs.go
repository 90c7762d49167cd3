package verify

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// clickOnceNote is a ClickOnce manifest's files named relative to it,
// compared with the release's by checkClickOnceRefs.
type clickOnceNote struct {
	path string
	refs []clickOnceRef
}

// clickOnceWantsSHA1 reports whether the check of the file at report path
// p computes its SHA-1, which a ClickOnce manifest of SHA-1 hashes may
// list: a file a ClickOnce publish lays out ("Application Files"
// folders, ".deploy" names).
func clickOnceWantsSHA1(p string) bool {
	l := strings.ToLower(p)
	return strings.HasSuffix(l, ".deploy") || strings.Contains(l, "application files/")
}

// noteClickOnce records a manifest's relative references.
func (e *engine) noteClickOnce(n clickOnceNote) {
	e.mu.Lock()
	e.clickOnce = append(e.clickOnce, n)
	e.mu.Unlock()
}

// noteClickOnceSHA1 records the SHA-1 of the checked file c when
// clickOnceWantsSHA1 asked for it and the check hashed the whole file.
func (e *engine) noteClickOnceSHA1(c *check) {
	if c.h.sha1 == nil || c.readProblem || c.h.n != c.f.Size || !clickOnceWantsSHA1(c.f.Path) {
		return
	}
	sum := c.h.sha1.Sum(nil)
	e.mu.Lock()
	if e.clickOnceSHA1 == nil {
		e.clickOnceSHA1 = map[string][]byte{}
	}
	e.clickOnceSHA1[c.f.Path] = sum
	e.mu.Unlock()
}

// checkClickOnceRefs compares each file a ClickOnce manifest names
// relative to itself with the release's file there (or its ".deploy"
// name): a file the release does not hold is clickonce/download (ClickOnce
// fetches it from beside the manifest's deployment), a size or hash other
// than the file's is clickonce/hash-mismatch, an error; a hash shipgate
// does not compare (none, or an algorithm or file it did not hash) is a
// warning of the same rule. It runs once every file has been checked.
func (e *engine) checkClickOnceRefs() {
	if len(e.clickOnce) == 0 {
		return
	}
	files := make(map[string]*File, len(e.files))
	for i := range e.files {
		files[e.files[i].Path] = &e.files[i]
	}
	// A web server on Windows (IIS) and a file share find a file
	// whatever its names' case: of files whose names differ only in
	// case, the least path stands for them.
	fold := map[string]*File{}
	for i := range e.files {
		l := strings.ToLower(e.files[i].Path)
		if g := fold[l]; g == nil || e.files[i].Path < g.Path {
			fold[l] = &e.files[i]
		}
	}
	for l, f := range fold {
		if files[l] == nil {
			files[l] = f
		}
	}
	notes := e.clickOnce
	sort.Slice(notes, func(i, j int) bool { return notes[i].path < notes[j].path })
	var finds []signing.Finding
	for _, n := range notes {
		dir := path.Dir(n.path)
		for _, r := range n.refs {
			if rule, sev, msg := e.clickOnceProblem(r, files, dir); msg != "" {
				finds = append(finds, finding(rule, sev, n.path, msg))
			}
		}
	}
	e.addFindings(finds...)
}

// clickOnceFile returns the release's file a manifest in folder dir names
// by the relative codebase name, or nil and the path it looked at.
func clickOnceFile(name, dir string, files map[string]*File) (*File, string) {
	f, p := clickOnceLookup(name, dir, files)
	if u, err := url.PathUnescape(name); f == nil && err == nil && u != name {
		// A codebase is a URL relative to its manifest's: the server
		// reads "%20" as a space, once.
		if g, q := clickOnceLookup(u, dir, files); g != nil {
			return g, q
		}
	}
	return f, p
}

// clickOnceLookup is clickOnceFile without unescaping name.
func clickOnceLookup(name, dir string, files map[string]*File) (*File, string) {
	rel := path.Clean(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") || rel == "." {
		return nil, rel
	}
	p := rel
	if dir != "." {
		p = joinPath(dir, rel)
	}
	for _, q := range []string{p, p + ".deploy", strings.ToLower(p), strings.ToLower(p + ".deploy")} {
		if f := files[q]; f != nil {
			return f, f.Path
		}
	}
	return nil, p
}

// clickOnceProblem says what is wrong with the file r of a manifest in
// folder dir, or "".
func (e *engine) clickOnceProblem(r clickOnceRef, files map[string]*File, dir string) (signing.Rule, signing.Severity, string) {
	f, p := clickOnceFile(r.name, dir, files)
	if f == nil {
		return RuleClickOnceDownload, signing.SeverityError, fmt.Sprintf("ClickOnce manifest names %q, which the release does not hold at %s: ClickOnce downloads it from beside the deployment, and it was not checked", r.name, p)
	}
	if r.size >= 0 && r.size != f.Size {
		return RuleClickOnceHashMismatch, signing.SeverityError, fmt.Sprintf("ClickOnce manifest names %q of %d bytes, but the release's %s has %d: ClickOnce refuses it, and installs only a file of the manifest's size and hash, which was not checked", r.name, r.size, p, f.Size)
	}
	if !r.hashed {
		return RuleClickOnceHashMismatch, signing.SeverityWarning, fmt.Sprintf("ClickOnce manifest names %q with no hash: ClickOnce installs whatever it downloads there, which need not be the release's %s", r.name, p)
	}
	var got []byte
	switch clickOnceAlg(r.alg) {
	case "sha256":
		if f.SHA256 != (Digest{}) {
			got = f.SHA256[:]
		}
	case "sha1":
		got = e.clickOnceSHA1[p]
	default:
		return RuleClickOnceHashMismatch, signing.SeverityWarning, fmt.Sprintf("ClickOnce manifest names %q with a hash of algorithm %q, which shipgate does not compute: the release's %s was not compared with it", r.name, r.alg, p)
	}
	if got == nil {
		return RuleClickOnceHashMismatch, signing.SeverityWarning, fmt.Sprintf("ClickOnce manifest names %q by its SHA-1, which shipgate did not compute for the release's %s (it does for files of an \"Application Files\" folder or named .deploy, read whole): the file was not compared with it", r.name, p)
	}
	if !bytes.Equal(got, r.digest) {
		return RuleClickOnceHashMismatch, signing.SeverityError, fmt.Sprintf("ClickOnce manifest names %q with %s %s, but the release's %s has %s: ClickOnce refuses it, and installs only a file of the manifest's hash, which was not checked", r.name, clickOnceAlg(r.alg), hex.EncodeToString(r.digest), p, hex.EncodeToString(got))
	}
	return "", 0, ""
}

// clickOnceAlg names the digest algorithm of an XML-DSig DigestMethod URI
// ("sha1", "sha256"), or "".
func clickOnceAlg(uri string) string {
	switch strings.TrimSpace(uri) {
	case "http://www.w3.org/2000/09/xmldsig#sha1":
		return "sha1"
	case "http://www.w3.org/2000/09/xmldsig#sha256", // as MSBuild and mage write it
		"http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2001/04/xmldsig-more#sha256":
		return "sha256"
	}
	return ""
}
