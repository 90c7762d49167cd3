package verify

import (
	"bytes"
	"crypto"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// Catalog-signed files: a file without a signature of its own whose digest
// a verified security catalog lists is signed by that catalog, as
// `signtool verify /c` sees it. Membership is decided once every file has
// been checked (applyCatalogs), so that it does not depend on the order in
// which the workers checked the catalogs and their members.

// catalogEntry is a catalog the run verified: one found in the release, or
// one given in Options.Catalogs.
type catalogEntry struct {
	// path is the catalog's report path; for one given in
	// Options.Catalogs, its base name.
	path     string
	external bool
	// status is the worst status of the catalog's signatures; only a
	// valid catalog vouches for its members.
	status signing.Status
	// sig is the catalog's first signature: its signer, chain and
	// timestamp stand for the files it vouches for.
	sig signing.Signature
	cat *authenticode.Catalog
}

// fileExtra holds what membership needs of a checked file beyond its
// report entry: its SHA-1 (when computed) and Authenticode digests.
type fileExtra struct {
	sha1         string
	authentihash map[string]string
	// malformed: the file cannot be parsed or was not read whole.
	malformed bool
}

// catalogEligible reports whether files of kind k can be vouched for by a
// catalog: the Windows formats and files of no other kind.
func catalogEligible(k Kind) bool {
	switch k {
	case KindPE, KindMSI, KindCAB, KindPowerShell, KindJScript, KindVBScript, KindWSF, KindEncodedScript, KindBatch, KindScriptComponent, KindHTMLApplication, KindOther:
		return true
	}
	return false
}

// catalogFacts returns the member list of the catalog the check verified,
// if it is one, and the digests membership looks the file up by.
func (c *check) catalogFacts() (*catalogEntry, *fileExtra) {
	var ent *catalogEntry
	if c.native != nil && c.native.catalog != nil && c.f.Kind == KindCatalog && !c.malformed {
		ent = &catalogEntry{path: c.f.Path, status: worstStatus(c.f.Signatures), cat: c.native.catalog}
		if len(c.f.Signatures) > 0 {
			ent.sig = c.f.Signatures[0]
		}
	}
	if !catalogEligible(c.f.Kind) {
		return ent, nil
	}
	// A file that cannot be parsed, or whose bytes did not read as its
	// archive entry says, is never vouched for.
	x := fileExtra{sha1: hexSum(c.h.sha1), malformed: c.malformed || c.readProblem}
	// A script whose text is not UTF-8 is found by its flat digest alone:
	// its Authenticode digest does not fix its invalid bytes.
	if c.native != nil && !slices.ContainsFunc(c.native.findings, func(f signing.Finding) bool { return f.Rule == authenticode.RuleScriptInvalidText }) {
		x.authentihash = c.native.authentihash
	}
	if x.sha1 == "" && x.authentihash == nil && !x.malformed {
		return ent, nil // most files: nothing to keep, nothing allocated
	}
	kept := x // x itself stays on the stack
	return ent, &kept
}

// defaultMaxRunCatalogMembers bounds the members of the release's catalogs
// a run holds (see engine.maxRunCatalogMembers).
const defaultMaxRunCatalogMembers = 1 << 21

// addCatalogLocked keeps a catalog of the release for applyCatalogs, within
// maxRunCatalogMembers: past it, none of the release's catalogs is kept,
// whatever the order their checks finished in. Called with e.mu held.
func (e *engine) addCatalogLocked(c *catalogEntry) {
	e.catPaths = append(e.catPaths, c.path)
	if e.catOverflow {
		return
	}
	e.catMembers += len(c.cat.Members)
	if e.catMembers <= e.maxRunCatalogMembers() {
		e.catalogs = append(e.catalogs, c)
		return
	}
	e.catOverflow = true
	e.catalogs = slices.DeleteFunc(e.catalogs, func(c *catalogEntry) bool { return !c.external })
}

// worstStatus is the status of a file with signatures sigs: unsigned when
// none, else the worst.
func worstStatus(sigs []signing.Signature) signing.Status {
	if len(sigs) == 0 {
		return signing.StatusUnsigned
	}
	st := signing.StatusValid
	for _, s := range sigs {
		st = st.Worse(s.Status)
	}
	return st
}

// loadCatalogs verifies the catalogs given in Options.Catalogs before the
// walk. A file that is not a catalog fails the run; one that does not
// verify is reported and vouches for nothing.
func (e *engine) loadCatalogs(paths []string) error {
	seen := map[string]string{}
	for _, p := range paths {
		b, err := readCatalogFile(p)
		if err != nil {
			return err
		}
		name := filepath.Base(p)
		if prev, dup := seen[name]; dup {
			return fmt.Errorf("verify: catalogs %s and %s have the same name %q", prev, p, name)
		}
		seen[name] = p
		opts := authenticode.Options{Trust: e.trust, Time: e.opts.Time, Logger: e.log}
		res, err := authenticode.VerifyCatalog(bytes.NewReader(b), int64(len(b)), opts)
		if err != nil {
			return fmt.Errorf("verify: catalog %s: %w", p, err)
		}
		var finds []signing.Finding
		for _, f := range res.Findings {
			f.Path = name
			finds = append(finds, f)
		}
		for i := range res.Signatures {
			s := &res.Signatures[i]
			for _, f := range e.bl.matchSignature(s) {
				f.Path = name
				finds = append(finds, f.For(s.Index))
			}
		}
		ent := &catalogEntry{path: name, external: true, status: worstStatus(res.Signatures), cat: res.Catalog}
		if len(res.Signatures) > 0 {
			ent.sig = res.Signatures[0]
		}
		if ent.status != signing.StatusValid {
			finds = append(finds, finding(RuleCatalogNotVerified, signing.SeverityError, name,
				fmt.Sprintf("catalog %s given with --catalog is %s%s: it vouches for none of its %d members", p, ent.status, failedDetail(ent.sig, ""), len(res.Catalog.Members))))
		}
		e.addFindings(finds...)
		e.catalogs = append(e.catalogs, ent)
		if slices.Contains(res.Catalog.Hashes(), crypto.SHA1) && ent.status == signing.StatusValid {
			e.catSHA1 = true
		}
	}
	return nil
}

func readCatalogFile(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("verify: catalog: %w", err)
	}
	if !st.Mode().IsRegular() || st.Size() > authenticode.MaxCatalogBytes {
		return nil, fmt.Errorf("verify: catalog %s: not a regular file of at most %d bytes", p, authenticode.MaxCatalogBytes)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("verify: catalog: %w", err)
	}
	if len(b) > authenticode.MaxCatalogBytes {
		return nil, fmt.Errorf("verify: catalog %s: larger than %d bytes", p, authenticode.MaxCatalogBytes)
	}
	return b, nil
}

// needsSHA1Rerun reports whether a catalog found in the release that
// verified lists SHA-1 digests the run did not compute for every file.
func (e *engine) needsSHA1Rerun() bool {
	if e.catSHA1 {
		return false
	}
	for _, c := range e.catalogs {
		if c.status == signing.StatusValid && slices.Contains(c.cat.Hashes(), crypto.SHA1) {
			return true
		}
	}
	return false
}

// memberKey is how a member is looked up: the digest's domain, its
// algorithm name and its lowercase hex. The domain follows the member's
// SpcIndirectDataContent type: "pe" (SpcPeImageData: a PE image digest),
// "sip" (SpcSipInfo: a script's or MSI database's digest) or "file" (the
// flat digest of a file, or a cabinet's digest, which makecat types alike).
type memberKey struct{ domain, alg, digest string }

func keyOf(m authenticode.Member) (memberKey, bool) {
	// An MD5 member vouches for nothing: colliding files are cheap to
	// make (the catalog's weak-algorithm finding says so).
	if m.Hash() == 0 || m.Hash() == crypto.MD5 || m.Digest == "" {
		return memberKey{}, false
	}
	var d string
	switch m.Kind {
	case authenticode.MemberPE:
		d = "pe"
	case authenticode.MemberSIP:
		d = "sip"
	case authenticode.MemberFile:
		d = "file"
	default:
		return memberKey{}, false
	}
	return memberKey{d, m.Algorithm, m.Digest}, true
}

// fileKeys returns the keys file f can be found under. As Windows hashes
// a file for a catalog lookup with its subject interface package, a PE file
// is found by its image digest alone; MSI databases, cabinets and scripts
// by their Authenticode digest or their flat digest; other files by their
// flat digest.
func fileKeys(f *File, x *fileExtra) []memberKey {
	var keys []memberKey
	flat := func() {
		keys = append(keys, memberKey{"file", "sha256", f.SHA256.String()})
		if x != nil && x.sha1 != "" {
			keys = append(keys, memberKey{"file", "sha1", x.sha1})
		}
	}
	auth := func(domains ...string) {
		if x == nil {
			return
		}
		algs := make([]string, 0, len(x.authentihash))
		for alg := range x.authentihash {
			algs = append(algs, alg)
		}
		slices.Sort(algs)
		for _, d := range domains {
			for _, alg := range algs {
				keys = append(keys, memberKey{d, alg, x.authentihash[alg]})
			}
		}
	}
	switch f.Kind {
	case KindPE:
		auth("pe")
	case KindOther:
		flat()
	default:
		auth("sip", "file")
		flat()
	}
	return keys
}

// memberRef is a member of one of the run's catalogs.
type memberRef struct {
	cat *catalogEntry
	m   authenticode.Member
}

// inScope reports whether a catalog covers the file at p: one given in
// Options.Catalogs covers the release, one found in it the files of its
// directory and below.
func (c *catalogEntry) inScope(p string) bool {
	if c.external {
		return true
	}
	dir := path.Dir(c.path)
	return dir == "." || strings.HasPrefix(p, dir+"/")
}

// applyCatalogs decides catalog membership once every file is checked:
// a file with no signature of its own whose digest a valid catalog lists
// gets a signature standing for that catalog's, and the policy is applied
// to it again; a file a catalog names with another digest is reported.
// Catalogs are taken in path order and each file is judged alone, so the
// result does not depend on scheduling.
func (e *engine) applyCatalogs() {
	if e.catOverflow {
		slices.Sort(e.catPaths)
		for _, p := range e.catPaths {
			e.addFindings(finding(RuleCatalogNotVerified, signing.SeverityWarning, p,
				fmt.Sprintf("catalog not used: the release's catalogs list more than %d members in all, so none of them vouches for any file", e.maxRunCatalogMembers())))
		}
	}
	if len(e.catalogs) == 0 {
		return
	}
	slices.SortFunc(e.catalogs, func(a, b *catalogEntry) int {
		if a.external != b.external {
			if a.external {
				return -1
			}
			return 1
		}
		return strings.Compare(a.path, b.path)
	})
	// A catalog's members are kept once per digest (the first; a file is
	// signed by the first member of each catalog listing it), and those of
	// one name grouped: a catalog listing one digest or one name many
	// times costs no more per file than listing it once.
	byKey := map[memberKey][]memberRef{}
	byName := map[string][]*nameGroup{}
	for _, c := range e.catalogs {
		for _, m := range c.cat.Members {
			k, ok := keyOf(m)
			if ok {
				if refs := byKey[k]; len(refs) == 0 || refs[len(refs)-1].cat != c {
					byKey[k] = append(refs, memberRef{c, m})
				}
			}
			if m.Name != "" && ok && c.status == signing.StatusValid {
				n := strings.ToLower(m.Name)
				gs := byName[n]
				if len(gs) == 0 || gs[len(gs)-1].cat != c {
					gs = append(gs, &nameGroup{cat: c, keys: map[memberKey]bool{}, domains: map[string]bool{}, algs: map[[2]string]bool{}})
					byName[n] = gs
				}
				gs[len(gs)-1].add(k, m)
			}
		}
	}
	var finds []signing.Finding
	for i := range e.files {
		f := &e.files[i]
		if !catalogEligible(f.Kind) {
			continue
		}
		x := e.extras[i]
		if x != nil && x.malformed {
			continue
		}
		keys := fileKeys(f, x)
		var valid, other []memberRef
		for _, k := range keys {
			for _, r := range byKey[k] {
				if !r.cat.inScope(f.Path) {
					continue
				}
				if r.cat.status == signing.StatusValid {
					valid = append(valid, r)
				} else {
					other = append(other, r)
				}
			}
		}
		finds = append(finds, e.catalogNameCheck(f, keys, byName)...)
		if len(f.Signatures) > 0 {
			continue // a file with its own signature is judged by it
		}
		if len(valid) == 0 {
			for _, r := range dedupeRefs(other) {
				finds = append(finds, finding(RuleCatalogNotVerified, signing.SeverityWarning, f.Path,
					fmt.Sprintf("member %q of catalog %s, whose signature is %s: the catalog vouches for nothing, so the file stays unsigned", r.m.Tag, r.cat.path, r.cat.status)))
			}
			continue
		}
		e.catalogSign(f, x, dedupeRefs(valid))
	}
	e.addFindings(finds...)
}

// dedupeRefs keeps the first member of each catalog.
func dedupeRefs(rs []memberRef) []memberRef {
	var out []memberRef
	for _, r := range rs {
		if !slices.ContainsFunc(out, func(o memberRef) bool { return o.cat == r.cat }) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b memberRef) int { return strings.Compare(a.cat.path, b.cat.path) })
	return out
}

// catalogSign records file f as signed by the catalogs of refs and applies
// the policy to it again: the findings the policy gave it as unsigned are
// withdrawn.
func (e *engine) catalogSign(f *File, x *fileExtra, refs []memberRef) {
	for i, r := range refs {
		c := r.cat
		// The digest of the file that matched the member.
		k, _ := keyOf(r.m)
		computed, what := r.m.Digest, "flat file digest"
		if x != nil && x.authentihash[k.alg] == r.m.Digest && f.Kind != KindOther {
			what = "Authenticode digest"
		}
		sig := signing.Signature{
			Format: signing.FormatCatalog, Index: i, Status: signing.StatusValid, Catalog: c.path,
			Digest: &signing.Digest{Algorithm: r.m.Algorithm, Signed: r.m.Digest, Computed: computed},
			Signer: c.sig.Signer, Chain: c.sig.Chain, Timestamp: c.sig.Timestamp,
		}
		sig.AddCheck(CheckCatalogMember, true, fmt.Sprintf("the file's %s %s is member %q of catalog %s", r.m.Algorithm, what, r.m.Tag, c.path))
		sig.AddCheck(CheckCatalogSignature, true, fmt.Sprintf("catalog %s's signature is valid", c.path))
		f.Signatures = append(f.Signatures, sig)
	}
	if !f.Kind.Native() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	// The policy judged the file unsigned: those findings (about no
	// signature, index -1) go, and the policy judges its new signatures.
	kept := e.findings[:0]
	for _, x := range e.findings {
		if x.Path == f.Path && x.Signature == -1 && (x.Rule == RuleUnsigned || x.Rule == RuleSignerNotAllowed) {
			continue
		}
		kept = append(kept, x)
	}
	e.findings = kept
	var again []signing.Finding
	for _, x := range e.applyPolicy(f, e.pol.settingsFor(f.Path), nil, false) {
		if x.Signature >= 0 {
			again = append(again, x)
		}
	}
	e.addFindingsLocked(again)
}

// maxClaimedDigests bounds the digests a catalog/hash-mismatch finding
// lists: a catalog naming one file with many digests makes no finding of
// many megabytes, once per file of that name.
const maxClaimedDigests = 8

// catalogNameCheck reports file f when a valid catalog covering it names a
// file of its base name with digests none of which is f's.
func (e *engine) catalogNameCheck(f *File, keys []memberKey, byName map[string][]*nameGroup) []signing.Finding {
	var out []signing.Finding
	for _, g := range byName[strings.ToLower(path.Base(f.Path))] {
		c := g.cat
		if !c.inScope(f.Path) {
			continue
		}
		// The file can be compared with a member when it has a digest of
		// the member's algorithm; a member of a domain the file has no
		// digest in (a PE image member for a text file) is not it either.
		match, known := false, false
		fileDomains := map[string]bool{}
		for _, fk := range keys {
			fileDomains[fk.domain] = true
			match = match || g.keys[fk]
			known = known || g.algs[[2]string{fk.domain, fk.alg}]
		}
		for d := range g.domains {
			known = known || !fileDomains[d]
		}
		if match || !known {
			continue
		}
		claimed := g.claimed
		if g.n > len(claimed) {
			claimed = append(slices.Clone(claimed), fmt.Sprintf("%d more", g.n-len(claimed)))
		}
		out = append(out, finding(RuleCatalogHashMismatch, signing.SeverityError, f.Path,
			fmt.Sprintf("catalog %s names %q with the digest %s, which is not this file's: the file is not the one the catalog vouches for", c.path, path.Base(f.Path), strings.Join(claimed, ", "))))
	}
	return out
}

// nameGroup is what a catalog's members of one file name claim: their
// keys, the domains and (domain, algorithm) pairs of those keys, and the
// first maxClaimedDigests of their digests for a finding, so that a file
// is compared with any number of members at once.
type nameGroup struct {
	cat     *catalogEntry
	keys    map[memberKey]bool
	domains map[string]bool
	algs    map[[2]string]bool
	claimed []string
	n       int // distinct keys
}

func (g *nameGroup) add(k memberKey, m authenticode.Member) {
	if g.keys[k] {
		return
	}
	g.keys[k] = true
	g.domains[k.domain] = true
	g.algs[[2]string{k.domain, k.alg}] = true
	g.n++
	if len(g.claimed) < maxClaimedDigests {
		g.claimed = append(g.claimed, m.Algorithm+" "+m.Digest)
	}
}
