package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ChainOptions says what a chain must satisfy.
type ChainOptions struct {
	// Time is the time at which every certificate must be valid. The zero
	// value means now. Verifiers pass a verified timestamp's time here.
	Time time.Time
	// Earliest, when set before Time, is the earliest the signature can
	// have been made: a timestamp states its time within an accuracy, and
	// verifiers pass the latest possible time as Time (so a certificate
	// that may have expired or been revoked by then fails) and the
	// earliest here (so one that may not yet have been valid fails too).
	// Every certificate must be valid over the whole window.
	Earliest time.Time
	// Usage is the extended key usage the leaf must carry (the leaf may also
	// carry anyExtendedKeyUsage). Intermediates that restrict their extended
	// key usages must allow it too, as Windows requires. Zero means any.
	Usage x509.ExtKeyUsage
	// ExplicitUsage, with Usage set, requires the leaf to list Usage
	// itself: anyExtendedKeyUsage does not stand for it. macOS's
	// code-signing policy (SecPolicyCreateCodeSigning) accepts only the
	// codeSigning purpose on a leaf, "any" on iOS only, so an Apple code
	// signature whose leaf carries only anyExtendedKeyUsage does not
	// verify on a Mac.
	ExplicitUsage bool
	// LeafKeyUsage, when not zero, lists key usage bits of which a leaf
	// that carries the key usage extension must have at least one; a leaf
	// without the extension passes. macOS's code-signing policy asks for
	// digitalSignature or nonRepudiation (contentCommitment).
	LeafKeyUsage x509.KeyUsage
	// RefuseMD5 fails a path through a certificate signed with MD5 (or
	// MD2, MD4, which crypto/x509 does not verify at all) instead of
	// keeping it and reporting it in Weak: macOS's basic X.509 policy
	// (kSecPolicyCheckWeakSignature) refuses such chains, so an Apple
	// signature over one does not verify on a Mac. SHA-1 is still
	// accepted and reported.
	RefuseMD5 bool
	// AllowCriticalExtensions lists critical extensions the caller handles
	// itself (Apple's code-signing markers, for example). Any other critical
	// extension that crypto/x509 does not understand fails the chain, except
	// Netscape's certificate type (2.16.840.1.113730.1.1), which VerifyChain
	// handles as OpenSSL does: see checkNetscapeCertType.
	AllowCriticalExtensions []asn1.ObjectIdentifier
	// MaxDepth caps the chain length, root included; zero means 8.
	MaxDepth int
}

// WeakAlgorithm records a certificate in a chain whose signature uses MD5 or
// SHA-1. Such signatures are checked (crypto/x509 refuses them) and reported.
type WeakAlgorithm struct {
	// Subject is the subject of the certificate carrying the weak signature.
	Subject string
	// Algorithm names the signature algorithm, such as "SHA1-RSA".
	Algorithm string
}

// ChainResult is the outcome of building a chain.
type ChainResult struct {
	// Chain is the best path found, leaf first. When Trusted is false it is the
	// longest path that was built, which may stop short of any root.
	Chain []*x509.Certificate
	// Trusted reports whether Chain ends at a root of the TrustStore and every
	// check along it passed.
	Trusted bool
	// Problem says why the chain is not trusted; empty when Trusted.
	Problem string
	// Unanchored reports that the chain is untrusted only for want of a root:
	// every certificate of Chain passed its checks, but no issuer of its last
	// certificate is a root of the TrustStore or among the intermediates
	// (typically Chain ends at a self-signed root the store does not hold).
	Unanchored bool
	// Weak lists certificates of Chain signed with MD5 or SHA-1.
	Weak []WeakAlgorithm
}

// Identities returns the identities of r.Chain, leaf first.
func (r ChainResult) Identities() []Identity {
	out := make([]Identity, len(r.Chain))
	for i, c := range r.Chain {
		out[i] = NewIdentity(c)
	}
	return out
}

// VerifyChain builds a chain from leaf through the given intermediates to a root
// of t and checks it at opts.Time: signatures (MD5 and SHA-1 ones included, and
// reported as weak), validity periods, CA basic constraints and path lengths, key
// usage keyCertSign on issuers, the extended key usage, and unknown critical
// extensions. Trust anchors are taken as RFC 5280 §6.1 takes them: their
// validity period and self-signature are not checked and they need no
// basicConstraints, but their other constraints apply. When several paths are
// trusted, one without weak signatures is preferred. Path building is bounded
// (MaxDepth, and a budget of path extensions and signature checks), so hostile
// certificate sets cost little; a set that exhausts the budget is untrusted.
//
// Name constraints apply as RFC 5280 §6.1.3 says (nameconstraints.go):
// directoryName subtrees to subjects and directoryName alternative names,
// the others to subject alternative names; a constraint of any other type
// fails the chain when a certificate below carries a name of that type. It does not
// check revocation or certificate policies, nor
// self-issued certificates' exemption from path lengths (they count). Integrity
// problems of the leaf are not its business: a chain that does not reach a
// root is untrusted, never invalid. Where t uses a platform verifier (macOS,
// Windows), chains that only it can build are held to the same per-certificate
// rules, but the weak algorithms on them are not reported.
func (t *TrustStore) VerifyChain(leaf *x509.Certificate, intermediates []*x509.Certificate, opts ChainOptions) ChainResult {
	if leaf == nil {
		return ChainResult{Problem: "no leaf certificate"}
	}
	at := opts.Time
	if at.IsZero() {
		at = time.Now()
	}
	depth := opts.MaxDepth
	if depth <= 0 {
		depth = 8
	}
	b := &builder{t: t, inter: intermediates, opts: opts, at: at, depth: depth}
	if prob := b.checkCert(leaf, 0, false); prob != "" {
		b.note([]*x509.Certificate{leaf}, nil, prob)
	} else {
		b.walk([]*x509.Certificate{leaf}, nil)
	}
	if b.best.Trusted {
		return b.best
	}
	if t != nil && t.platform != nil && b.best.Problem != "" {
		// The platform verifier knows roots we cannot enumerate.
		if r, ok := b.platformVerify(leaf); ok {
			return r
		}
	}
	if b.best.Chain == nil {
		b.best.Chain = []*x509.Certificate{leaf}
	}
	if b.best.Problem == "" {
		b.best.Problem = "no path to a trusted root"
	}
	return b.best
}

// when names the validation time in problem texts. The current time is not
// printed, so that reports of the same input stay byte-identical from run to
// run.
func (b *builder) when() string {
	if b.opts.Time.IsZero() {
		return "the current time"
	}
	return b.at.UTC().Format(time.RFC3339)
}

type builder struct {
	t     *TrustStore
	inter []*x509.Certificate
	opts  ChainOptions
	at    time.Time
	depth int
	best  ChainResult
	steps int
	sigs  map[[2]*x509.Certificate]sigResult
	// interKeys are the name keys (x509name.Key) of inter's subjects, made
	// on first use.
	interKeys []string
}

type sigResult struct {
	weak string
	err  error
}

// maxSteps bounds path building on hostile certificate sets: every extension
// of a path and every signature verification counts as one step, so a set of
// look-alike CAs cannot make the search cost more than maxSteps signature
// checks.
const maxSteps = 1000

// walk extends path (leaf first, every element already checked) toward a
// root, keeping the best outcome. It returns true when the search is over: a
// trusted path without weak signatures was found, or the step budget ran out.
func (b *builder) walk(path []*x509.Certificate, weak []WeakAlgorithm) bool {
	b.steps++
	if b.steps > maxSteps {
		b.note(path, weak, "chain building gave up after too many candidate paths")
		return true
	}
	cur := path[len(path)-1]
	if b.t.IsRoot(cur) {
		// A trusted path that uses MD5 or SHA-1 is kept, but the search goes
		// on for one that does not: cross-signed CAs often come in both.
		if !b.best.Trusted || len(weak) < len(b.best.Weak) {
			b.best = ChainResult{Chain: clone(path), Trusted: true, Weak: weak}
		}
		return len(weak) == 0
	}
	if len(path) >= b.depth {
		b.note(path, weak, "chain longer than the maximum depth")
		return false
	}
	cands := b.issuers(cur, path)
	if len(cands) == 0 {
		if b.note(path, weak, fmt.Sprintf("no issuer found for %q among the embedded and trusted certificates", cur.Subject.String())) {
			b.best.Unanchored = true
		}
		return false
	}
	for _, p := range cands {
		next := append(clone(path), p)
		if prob := b.checkCert(p, len(path), b.t.IsRoot(p)); prob != "" {
			b.note(next, weak, prob)
			continue
		}
		if prob := checkNameConstraints(p, path); prob != "" {
			b.note(next, weak, prob)
			continue
		}
		w, err, ok := b.signedBy(cur, p)
		if !ok {
			b.note(path, weak, "chain building gave up after too many signature checks")
			return true
		}
		if err != nil {
			b.note(next, weak, fmt.Sprintf("signature of %q by %q does not verify: %v", cur.Subject.String(), p.Subject.String(), err))
			continue
		}
		if b.opts.RefuseMD5 && cur.SignatureAlgorithm == x509.MD5WithRSA {
			b.note(next, weak, fmt.Sprintf("certificate %q is signed with %s, which this signature format refuses", cur.Subject.String(), w))
			continue
		}
		nw := weak
		if w != "" {
			nw = append(append([]WeakAlgorithm(nil), weak...), WeakAlgorithm{Subject: cur.Subject.String(), Algorithm: w})
		}
		if b.walk(next, nw) {
			return true
		}
	}
	return false
}

// signedBy checks c's signature by p once per pair, counting each new check as
// a step; ok is false when the step budget is spent.
func (b *builder) signedBy(c, p *x509.Certificate) (weak string, err error, ok bool) {
	key := [2]*x509.Certificate{c, p}
	if r, seen := b.sigs[key]; seen {
		return r.weak, r.err, true
	}
	b.steps++
	if b.steps > maxSteps {
		return "", nil, false
	}
	var cache *sigCache
	if b.t != nil {
		cache = b.t.sigs
	}
	weak, err = cache.checkSignedBy(c, p)
	if b.sigs == nil {
		b.sigs = map[[2]*x509.Certificate]sigResult{}
	}
	b.sigs[key] = sigResult{weak, err}
	return weak, err, true
}

// note keeps the longest failing path as the best explanation, and reports
// whether it kept this one.
func (b *builder) note(path []*x509.Certificate, weak []WeakAlgorithm, prob string) bool {
	if b.best.Trusted {
		return false
	}
	if b.best.Chain == nil || len(path) > len(b.best.Chain) {
		b.best = ChainResult{Chain: clone(path), Problem: prob, Weak: weak}
		return true
	}
	return false
}

func clone(p []*x509.Certificate) []*x509.Certificate { return append([]*x509.Certificate(nil), p...) }

// issuers returns candidate issuers of c not already in path: roots first, then
// intermediates, matched by subject and, when both carry them, key identifiers.
// Names compare as RFC 5280 §7.1 asks (x509name): a CA whose subject is a
// PrintableString issues a certificate whose issuer was written as a
// UTF8String, as Windows and OpenSSL accept. A malformed name matches only
// its own bytes.
func (b *builder) issuers(c *x509.Certificate, path []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	issuer := nameKeys.key(c.RawIssuer)
	add := func(p *x509.Certificate, subject string) {
		if subject != issuer {
			return
		}
		if len(c.AuthorityKeyId) > 0 && len(p.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, p.SubjectKeyId) {
			return
		}
		for _, q := range path {
			if bytes.Equal(q.Raw, p.Raw) {
				return
			}
		}
		for _, q := range out {
			if bytes.Equal(q.Raw, p.Raw) {
				return
			}
		}
		out = append(out, p)
	}
	if b.t != nil {
		for _, r := range b.t.bySubj[issuer] {
			add(r, issuer)
		}
	}
	if b.interKeys == nil {
		b.interKeys = make([]string, len(b.inter))
		for i, p := range b.inter {
			b.interKeys[i] = nameKeys.key(p.RawSubject)
		}
	}
	for i, p := range b.inter {
		add(p, b.interKeys[i])
	}
	return out
}

// checkCert checks c at position i of a path (0 = leaf) on its own; anchor
// says c is the trust anchor that ends the path. A trust anchor's validity
// period is not checked: RFC 5280 §6.1 takes none from it, and Windows keeps
// honouring expired code-signing roots (Microsoft Root Authority expired in
// 2020). Nor must an anchor carry basicConstraints (Microsoft Root Authority
// has none; RFC 5280 §6.1 takes anchors out of band); one that says CA:false
// is refused. Its key usage, path length, extended key usage and critical
// extensions still apply. An intermediate must be a CA by basicConstraints,
// whatever its version, as RFC 5280 §6.1.4(k) and crypto/x509 require.
func (b *builder) checkCert(c *x509.Certificate, i int, anchor bool) string {
	anchor = anchor && i > 0
	from := b.at
	if !b.opts.Earliest.IsZero() && b.opts.Earliest.Before(from) {
		from = b.opts.Earliest
	}
	if !anchor && from.Before(c.NotBefore) {
		return fmt.Sprintf("certificate %q is not valid until %s (checked at %s)", c.Subject.String(), c.NotBefore.UTC().Format(time.RFC3339), b.when())
	}
	if !anchor && b.at.After(c.NotAfter) {
		return fmt.Sprintf("certificate %q expired at %s (checked at %s)", c.Subject.String(), c.NotAfter.UTC().Format(time.RFC3339), b.when())
	}
	for _, ext := range c.UnhandledCriticalExtensions {
		if ext.Equal(oidNameConstraints) {
			continue // checkNameConstraints applies it, or fails the chain
		}
		if ext.Equal(oidNetscapeCertType) {
			if why := checkNetscapeCertType(c, i > 0, b.opts.Usage); why != "" {
				return why
			}
			continue
		}
		if !containsOID(b.opts.AllowCriticalExtensions, ext) {
			return fmt.Sprintf("certificate %q has an unhandled critical extension %s", c.Subject.String(), ext)
		}
	}
	if i > 0 {
		notCA := !c.BasicConstraintsValid || !c.IsCA
		if anchor {
			notCA = c.BasicConstraintsValid && !c.IsCA
		}
		if notCA {
			return fmt.Sprintf("certificate %q issues certificates but is not a CA", c.Subject.String())
		}
		if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
			return fmt.Sprintf("certificate %q issues certificates but its key usage lacks keyCertSign", c.Subject.String())
		}
		// Path length counts the intermediates below c, the leaf excluded.
		if c.BasicConstraintsValid && (c.MaxPathLen > 0 || c.MaxPathLenZero) && i-1 > c.MaxPathLen {
			return fmt.Sprintf("certificate %q allows %d intermediates below it, found %d", c.Subject.String(), c.MaxPathLen, i-1)
		}
	}
	if b.opts.Usage != 0 && !allowsUsage(c, b.opts.Usage, i == 0) {
		if i == 0 {
			return fmt.Sprintf("certificate %q lacks the %s extended key usage", c.Subject.String(), UsageName(b.opts.Usage))
		}
		return fmt.Sprintf("CA certificate %q restricts extended key usage and does not allow %s", c.Subject.String(), UsageName(b.opts.Usage))
	}
	if i == 0 && b.opts.LeafKeyUsage != 0 && c.KeyUsage != 0 && c.KeyUsage&b.opts.LeafKeyUsage == 0 {
		return fmt.Sprintf("certificate %q has a key usage (%#x) without any of the bits this signature format requires (%#x)", c.Subject.String(), int(c.KeyUsage), int(b.opts.LeafKeyUsage))
	}
	if b.opts.Usage != 0 && b.opts.ExplicitUsage && i == 0 && !slices.Contains(c.ExtKeyUsage, b.opts.Usage) {
		return fmt.Sprintf("certificate %q lists anyExtendedKeyUsage but not the %s extended key usage, which this signature format requires explicitly", c.Subject.String(), UsageName(b.opts.Usage))
	}
	return ""
}

// allowsUsage applies the EKU rule: a leaf must list u (or anyExtendedKeyUsage);
// a CA that lists EKUs must list u or any, and one without the extension allows all.
func allowsUsage(c *x509.Certificate, u x509.ExtKeyUsage, leaf bool) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return !leaf
	}
	for _, e := range c.ExtKeyUsage {
		if e == u || e == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// UsageName names an extended key usage as reports print it.
func UsageName(u x509.ExtKeyUsage) string {
	switch u {
	case x509.ExtKeyUsageCodeSigning:
		return "codeSigning (1.3.6.1.5.5.7.3.3)"
	case x509.ExtKeyUsageTimeStamping:
		return "timeStamping (1.3.6.1.5.5.7.3.8)"
	case x509.ExtKeyUsageAny:
		return "anyExtendedKeyUsage"
	}
	return fmt.Sprintf("extKeyUsage(%d)", int(u))
}

// oidNetscapeCertType is Netscape's certificate type extension
// (2.16.840.1.113730.1.1), a BIT STRING of the purposes a certificate serves.
var oidNetscapeCertType = asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 1, 1}

// Netscape certificate type bits (bit 0 is the most significant bit of the
// first byte, as in a DER BIT STRING).
const (
	nsObjectSigning   = 3 // objsign: the certificate signs code
	nsSSLCA           = 5
	nsSMIMECA         = 6
	nsObjectSigningCA = 7 // objCA: the CA issues code-signing certificates
)

// checkNetscapeCertType handles a critical Netscape certificate type
// extension, the one critical extension outside RFC 5280 that code-signing
// chains are known to carry: the Debian Secure Boot CA (the anchor of every
// Debian shim, GRUB, kernel and fwupd EFI binary) marks it critical, and
// OpenSSL, sbverify and UEFI firmware (EDK2 via OpenSSL) accept it, because
// OpenSSL understands the extension and applies it as a purpose restriction.
// shipgate does the same rather than ignoring it: for a code-signing chain a
// CA must list objCA (Object Signing CA) and the leaf objsign (Object
// Signing); for other usages, which the extension has no bit for, a CA must
// list some CA bit and a leaf is accepted. A value that does not parse fails
// the chain. Any other unknown critical extension still fails the chain
// unless the caller lists it in ChainOptions.AllowCriticalExtensions.
func checkNetscapeCertType(c *x509.Certificate, ca bool, usage x509.ExtKeyUsage) string {
	var bits asn1.BitString
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidNetscapeCertType) {
			continue
		}
		if rest, err := asn1.Unmarshal(e.Value, &bits); err != nil || len(rest) != 0 {
			return fmt.Sprintf("certificate %q has a critical Netscape certificate type extension that does not parse", c.Subject.String())
		}
	}
	switch {
	case usage == x509.ExtKeyUsageCodeSigning && ca && bits.At(nsObjectSigningCA) == 0:
		return fmt.Sprintf("certificate %q has a critical Netscape certificate type extension without Object Signing CA", c.Subject.String())
	case usage == x509.ExtKeyUsageCodeSigning && !ca && bits.At(nsObjectSigning) == 0:
		return fmt.Sprintf("certificate %q has a critical Netscape certificate type extension without Object Signing", c.Subject.String())
	case ca && bits.At(nsSSLCA) == 0 && bits.At(nsSMIMECA) == 0 && bits.At(nsObjectSigningCA) == 0:
		return fmt.Sprintf("certificate %q has a critical Netscape certificate type extension without any CA type", c.Subject.String())
	}
	return ""
}

func containsOID(list []asn1.ObjectIdentifier, o asn1.ObjectIdentifier) bool {
	for _, x := range list {
		if x.Equal(o) {
			return true
		}
	}
	return false
}

// checkSignedBy verifies c's signature with parent's key. It returns the name of
// the algorithm when it is weak (MD5 or SHA-1); MD5, which crypto/x509 refuses,
// is checked explicitly. Whether parent may issue certificates is checkCert's
// business: crypto/x509's CheckSignatureFrom would refuse a v3 anchor without
// basicConstraints, such as Microsoft Root Authority.
func checkSignedBy(c, parent *x509.Certificate) (weak string, err error) {
	if parent.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
		return "", errors.New("issuer public key algorithm unsupported")
	}
	err = parent.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	if err == nil {
		if _, isWeak := weakHash(c.SignatureAlgorithm); isWeak {
			return c.SignatureAlgorithm.String(), nil
		}
		return "", nil
	}
	var ins x509.InsecureAlgorithmError
	if !errors.As(err, &ins) {
		return "", err
	}
	h, ok := weakHash(c.SignatureAlgorithm)
	if !ok {
		return "", err
	}
	if err := VerifyWeakSignature(parent.PublicKey, h, c.RawTBSCertificate, c.Signature); err != nil {
		return "", err
	}
	return c.SignatureAlgorithm.String(), nil
}

func weakHash(a x509.SignatureAlgorithm) (crypto.Hash, bool) {
	switch a {
	case x509.MD5WithRSA:
		return crypto.MD5, true
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		return crypto.SHA1, true
	}
	return 0, false
}

// VerifyWeakSignature checks an RSA PKCS#1 v1.5 or ECDSA signature made with a
// hash that crypto/x509 refuses (MD5, SHA-1). Callers report the weakness.
func VerifyWeakSignature(pub any, h crypto.Hash, signed, sig []byte) error {
	if !h.Available() {
		return fmt.Errorf("hash %v unavailable", h)
	}
	hh := h.New()
	hh.Write(signed)
	d := hh.Sum(nil)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, h, d, sig)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, d, sig) {
			return errors.New("ecdsa verification failure")
		}
		return nil
	case ed25519.PublicKey:
		return errors.New("ed25519 does not use a separate hash")
	}
	return fmt.Errorf("unsupported public key type %T", pub)
}

// platformVerify asks the platform verifier, which knows roots we cannot
// enumerate, then holds the chains it returns to the same per-certificate
// rules as our own paths (leaf EKU listed explicitly, CA and name constraints, unknown
// critical extensions, MaxDepth): crypto/x509 lets a leaf without the
// extended key usage extension pass any usage, for one.
func (b *builder) platformVerify(leaf *x509.Certificate) (ChainResult, bool) {
	pool := x509.NewCertPool()
	for _, c := range b.inter {
		pool.AddCert(c)
	}
	usages := []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	if b.opts.Usage != 0 {
		usages = []x509.ExtKeyUsage{b.opts.Usage}
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: b.t.platform, Intermediates: pool, CurrentTime: b.at, KeyUsages: usages})
	if err != nil {
		return ChainResult{}, false
	}
	for _, chain := range chains {
		if len(chain) == 0 || len(chain) > b.depth {
			continue
		}
		ok := true
		for i, c := range chain {
			if b.checkCert(c, i, i == len(chain)-1) != "" || i > 0 && checkNameConstraints(c, chain[:i]) != "" {
				ok = false
				break
			}
		}
		if ok {
			return ChainResult{Chain: chain, Trusted: true}, true
		}
	}
	return ChainResult{}, false
}

// ValidityProblem re-judges the validity periods of a trusted chain (leaf
// first, ending at its trust anchor) at another time, as VerifyChain judges
// them: every certificate but the anchor must be valid at at; the leaf always
// is, even when it is the anchor itself. when names at in the problem ("the
// current time" keeps reports of the same input byte-identical). It returns ""
// when every period holds. It searches no other path, so a chain that another
// path would have made valid at at is reported; the other checks of
// VerifyChain do not depend on the time and are not repeated.
func ValidityProblem(chain []Identity, at time.Time, when string) string {
	for i, c := range chain {
		if i > 0 && i == len(chain)-1 {
			break // the trust anchor: RFC 5280 §6.1 takes no validity period from it
		}
		if at.Before(c.NotBefore) {
			return fmt.Sprintf("certificate %q is not valid until %s (checked at %s)", c.Subject, c.NotBefore.UTC().Format(time.RFC3339), when)
		}
		if at.After(c.NotAfter) {
			return fmt.Sprintf("certificate %q expired at %s (checked at %s)", c.Subject, c.NotAfter.UTC().Format(time.RFC3339), when)
		}
	}
	return ""
}
