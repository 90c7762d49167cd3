package verify

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/attest/blob"
	"github.com/shipgate/shipgate/signing/provenance"
)

// SigstoreBundleSuffix is appended to a file's name to find its Sigstore
// bundle: the bundle of "dist/libffmpeg.tar.gz" is
// "dist/libffmpeg.tar.gz.sigstore.json", in the same directory or archive.
const SigstoreBundleSuffix = ".sigstore.json"

// SigstoreVerifier verifies a Sigstore bundle over an artifact; the policy's
// sigstore rules need one (see [Options]). Package signing/sigstore has the
// implementation, sigstore.Verifier, built on sigstore-go; verify does not
// import it, so that a program that never checks Sigstore bundles does not
// link sigstore-go's gRPC, OpenTelemetry and transparency-log clients.
// Release calls it from several goroutines at once.
type SigstoreVerifier interface {
	// VerifyBundle verifies bundle (a Sigstore bundle's JSON) over an
	// artifact as opts require, offline. opts.ArtifactSHA256 is the
	// artifact's SHA-256; artifact yields its bytes, for the bundles whose
	// signature a digest cannot check (Ed25519 and non-SHA-256 message
	// signatures), and should not be read otherwise. The error wraps
	// blob.ErrIdentity when the bundle verifies but its certificate is
	// not the expected identity; any other error means the bundle does not
	// verify (or ctx is done).
	VerifyBundle(ctx context.Context, bundle []byte, artifact io.Reader, opts blob.Options) (*blob.Result, error)
}

// errNoSigstoreVerifier is the error of a run whose policy has sigstore
// rules and whose Options name no SigstoreVerifier.
// usesSigstore reports whether a rule of the policy requires Sigstore
// bundles, which are read from beside the files they cover.
func (p *Policy) usesSigstore() bool {
	for i := range p.Rules {
		if p.Rules[i].Sigstore != nil {
			return true
		}
	}
	return false
}

func errNoSigstoreVerifier(p *Policy) error {
	for i := range p.Rules {
		if p.Rules[i].Sigstore == nil {
			continue
		}
		who := fmt.Sprintf("rule %d of the policy", i+1)
		if l := p.Rules[i].line; l > 0 {
			who = fmt.Sprintf("the policy rule at line %d", l)
		}
		return fmt.Errorf("verify: %s requires Sigstore bundles, and no Sigstore verifier is set: set Options.Sigstore (package signing/sigstore has one)", who)
	}
	return nil
}

// Sigstore requires the files a [Rule] matches to carry a Sigstore bundle
// next to them (the file's name plus [SigstoreBundleSuffix]) that verifies
// over the file's bytes, offline, against a trusted root. Keyless bundles
// must name the expected certificate identity and OIDC issuer; keyed
// bundles must be signed by Key.
//
// A bundle must verify as signing/sigstore.VerifyBlob verifies it: a
// transparency log entry from a log of the trusted root (unless
// InsecureIgnoreTlog), at least one verified time, the Fulcio chain at that
// time, an embedded SCT when the trusted root lists CT logs (unless
// InsecureIgnoreSCT), the signature over the file, and the identity.
// Revocation of Fulcio certificates and keys is not checked; Sigstore has
// none.
type Sigstore struct {
	// TrustedRoot is a Sigstore trusted_root.json (Fulcio CAs, Rekor logs,
	// CT logs, timestamp authorities). Required. LoadPolicy resolves it
	// relative to the policy file.
	TrustedRoot string `yaml:"trustedRoot" json:"trustedRoot"`
	// CertificateIdentity is the exact subject alternative name of the
	// signing certificate (an e-mail address or a URI such as a GitHub
	// workflow); CertificateIdentityRegexp is a regular expression (Go
	// syntax) that must match the whole of it. Keyless bundles need
	// exactly one of them.
	CertificateIdentity       string `yaml:"certificateIdentity" json:"certificateIdentity"`
	CertificateIdentityRegexp string `yaml:"certificateIdentityRegexp" json:"certificateIdentityRegexp"`
	// CertificateOIDCIssuer is the exact OIDC issuer recorded in the
	// certificate; CertificateOIDCIssuerRegexp a regular expression that
	// must match the whole of it. Keyless bundles need exactly one of them.
	CertificateOIDCIssuer       string `yaml:"certificateOidcIssuer" json:"certificateOidcIssuer"`
	CertificateOIDCIssuerRegexp string `yaml:"certificateOidcIssuerRegexp" json:"certificateOidcIssuerRegexp"`
	// Key is a PEM public key file: the bundles must be signed by this key
	// (keyed bundles, as `cosign sign-blob --key` makes), and the identity
	// fields must be empty. LoadPolicy resolves it relative to the policy
	// file.
	Key string `yaml:"key" json:"key"`
	// SignedTimestamps is the number of RFC 3161 timestamps from timestamp
	// authorities of the trusted root that must verify; zero requires none
	// beyond the one verified time every bundle needs.
	SignedTimestamps int `yaml:"signedTimestamps" json:"signedTimestamps"`
	// InsecureIgnoreTlog accepts bundles without a transparency log entry;
	// an RFC 3161 timestamp must then supply the signing time.
	InsecureIgnoreTlog bool `yaml:"insecureIgnoreTlog" json:"insecureIgnoreTlog"`
	// InsecureIgnoreSCT accepts keyless bundles whose certificate carries no
	// verified SCT although the trusted root lists CT logs.
	InsecureIgnoreSCT bool `yaml:"insecureIgnoreSCT" json:"insecureIgnoreSCT"`
	// Provenance, when set, requires the bundle to hold a SLSA provenance
	// statement (a DSSE bundle, as npm and GitHub artifact attestations
	// are) whose predicate type, builder, build type and source meet it,
	// with the file as a subject.
	Provenance *provenance.Requirements `yaml:"provenance" json:"provenance"`
}

// check validates s; field names the faulty key for the error's line.
func (s *Sigstore) check() (field string, err error) {
	if s.TrustedRoot == "" {
		return "trustedRoot", errors.New("sigstore needs trustedRoot (a trusted_root.json)")
	}
	if s.Provenance != nil {
		if err := s.Provenance.Validate(); err != nil {
			return "provenance", fmt.Errorf("sigstore %w", err)
		}
	}
	ids := s.CertificateIdentity != "" || s.CertificateIdentityRegexp != "" || s.CertificateOIDCIssuer != "" || s.CertificateOIDCIssuerRegexp != ""
	if s.Key != "" {
		if ids {
			return "key", errors.New("sigstore: key and certificate identity exclude each other (key: keyed bundles; certificateIdentity and certificateOidcIssuer: keyless ones)")
		}
	} else {
		if (s.CertificateIdentity == "") == (s.CertificateIdentityRegexp == "") {
			return "certificateIdentity", errors.New("sigstore needs exactly one of certificateIdentity and certificateIdentityRegexp (or a key)")
		}
		if (s.CertificateOIDCIssuer == "") == (s.CertificateOIDCIssuerRegexp == "") {
			return "certificateOidcIssuer", errors.New("sigstore needs exactly one of certificateOidcIssuer and certificateOidcIssuerRegexp (or a key)")
		}
	}
	for _, re := range []struct{ key, v string }{{"certificateIdentityRegexp", s.CertificateIdentityRegexp}, {"certificateOidcIssuerRegexp", s.CertificateOIDCIssuerRegexp}} {
		if re.v == "" {
			continue
		}
		if _, err := regexp.Compile("^(?:" + re.v + ")$"); err != nil {
			return re.key, fmt.Errorf("sigstore %s %q: %w", re.key, re.v, err)
		}
	}
	if s.SignedTimestamps < 0 {
		return "signedTimestamps", fmt.Errorf("sigstore signedTimestamps %d: want 0 or more", s.SignedTimestamps)
	}
	return "", nil
}

func (s *Sigstore) identity() blob.Identity {
	return blob.Identity{
		SAN: s.CertificateIdentity, SANRegexp: s.CertificateIdentityRegexp,
		Issuer: s.CertificateOIDCIssuer, IssuerRegexp: s.CertificateOIDCIssuerRegexp,
	}
}

// expected describes who must have signed, for messages.
func (s *Sigstore) expected() string {
	if s.Key != "" {
		return "the key " + path.Base(strings.ReplaceAll(s.Key, `\`, "/"))
	}
	san, iss := s.CertificateIdentity, s.CertificateOIDCIssuer
	if san == "" {
		san = "/" + s.CertificateIdentityRegexp + "/"
	}
	if iss == "" {
		iss = "/" + s.CertificateOIDCIssuerRegexp + "/"
	}
	return fmt.Sprintf("%s (issuer %s)", san, iss)
}

// sigstoreMaterial is a Sigstore setting with its files loaded.
type sigstoreMaterial struct {
	root []byte
	key  crypto.PublicKey
}

// loadSigstore reads the trusted roots and keys the policy's sigstore
// settings name, each file once. A file that cannot be read fails the run.
func loadSigstore(p *Policy) (map[*Sigstore]*sigstoreMaterial, error) {
	out := map[*Sigstore]*sigstoreMaterial{}
	roots := map[string][]byte{}
	keys := map[string]crypto.PublicKey{}
	read := func(name string) ([]byte, error) {
		st, err := os.Stat(name)
		if err != nil {
			return nil, err
		}
		if st.Size() > blob.MaxBundleSize {
			return nil, fmt.Errorf("%s: larger than %d bytes", name, blob.MaxBundleSize)
		}
		return os.ReadFile(name)
	}
	for i := range p.Rules {
		s := p.Rules[i].Sigstore
		if s == nil {
			continue
		}
		m := &sigstoreMaterial{}
		if b, ok := roots[s.TrustedRoot]; ok {
			m.root = b
		} else {
			b, err := read(s.TrustedRoot)
			if err != nil {
				return nil, fmt.Errorf("verify: sigstore trusted root: %w", err)
			}
			roots[s.TrustedRoot], m.root = b, b
		}
		if s.Key != "" {
			if k, ok := keys[s.Key]; ok {
				m.key = k
			} else {
				b, err := read(s.Key)
				if err != nil {
					return nil, fmt.Errorf("verify: sigstore key: %w", err)
				}
				k, err := blob.ParsePublicKey(b)
				if err != nil {
					return nil, fmt.Errorf("verify: sigstore key %s: %w", s.Key, err)
				}
				keys[s.Key], m.key = k, k
			}
		}
		out[s] = m
	}
	return out, nil
}

// checkSigstore verifies the Sigstore bundle next to the file c checks, when
// the policy asks for one. The file's SHA-256 has been computed by the walk;
// the bundle is verified against it, and the file is read again only for the
// rare bundles a digest cannot verify (Ed25519 or non-SHA-256 message
// signatures).
func (c *check) checkSigstore(s *Sigstore, line int) {
	if s == nil || c.f.SHA256.IsZero() {
		return
	}
	j := c.j
	bundleName := path.Base(c.f.Path) + SigstoreBundleSuffix
	who := "the policy"
	if line > 0 {
		who = fmt.Sprintf("the policy rule at line %d", line)
	}
	if strings.HasSuffix(c.f.Path, SigstoreBundleSuffix) {
		// A bundle needs no bundle of its own when it is verified: it
		// lies next to the regular file it names, which a Sigstore rule
		// holds to it, over that file's exact bytes. Next to a symbolic
		// link it is no bundle: the link's target (the bundle itself,
		// or a file with no bundle) is not what it would be verified
		// against, so it would exempt bytes nobody verified.
		artPath := strings.TrimSuffix(c.f.Path, SigstoreBundleSuffix)
		art := strings.TrimSuffix(j.sibName, SigstoreBundleSuffix)
		switch {
		case j.sib == nil || art == "" || !isSiblingFile(j.sib, art):
			c.add(ruleSigstoreMissing, signing.SeverityError, fmt.Sprintf("The file is named as the Sigstore bundle of %s, which is not a regular file next to it (a symbolic link there does not count: put the bundle next to the file the link reaches), so it is no bundle; %s requires a Sigstore bundle %s for it", path.Base(artPath), who, bundleName))
		case c.e.pol.settingsFor(artPath).sigstore == nil:
			c.add(ruleSigstoreMissing, signing.SeverityError, fmt.Sprintf("The file is named as the Sigstore bundle of %s, but no Sigstore rule matches %s, so it was not verified as its bundle; %s requires a Sigstore bundle %s for it", path.Base(artPath), path.Base(artPath), who, bundleName))
		}
		return
	}
	if j.sib == nil {
		c.add(ruleSigstoreMissing, signing.SeverityError, fmt.Sprintf("%s requires a Sigstore bundle %s next to this file, and files of this input have no neighbours to hold one", capital(who), bundleName))
		return
	}
	b, err := readSibling(j.sib, j.sibName+SigstoreBundleSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		c.add(ruleSigstoreMissing, signing.SeverityError, fmt.Sprintf("No Sigstore bundle %s next to this file; %s requires one signed by %s", bundleName, who, s.expected()))
		return
	}
	if err != nil {
		c.add(ruleSigstoreInvalid, signing.SeverityError, fmt.Sprintf("Sigstore bundle %s cannot be read: %v", bundleName, unwrapPath(err)))
		return
	}
	m := c.e.sigstore[s]
	digest := c.f.SHA256[:]
	if m == nil {
		// Fail closed: a setting whose files were not loaded (a rule
		// changed during the run) verifies nothing.
		c.add(ruleSigstoreInvalid, signing.SeverityError, fmt.Sprintf("Sigstore bundle %s was not verified: the trusted root of %s is not loaded", bundleName, who))
		return
	}
	verifier := c.e.opts.Sigstore
	if verifier == nil {
		// Release refuses to start without one; fail closed all the same.
		c.add(ruleSigstoreInvalid, signing.SeverityError, fmt.Sprintf("Sigstore bundle %s was not verified: no Sigstore verifier is set", bundleName))
		return
	}
	opts := blob.Options{
		TrustedRoot: m.root, ArtifactSHA256: digest, SignedTimestamps: s.SignedTimestamps,
		InsecureIgnoreTlog: s.InsecureIgnoreTlog, InsecureIgnoreSCT: s.InsecureIgnoreSCT,
	}
	if m.key != nil {
		opts.Key = m.key
	} else {
		opts.Identity = s.identity()
	}
	art := &lazyReader{open: c.reopen}
	defer art.close()
	res, err := verifier.VerifyBundle(c.e.ctx, b, art, opts)
	if err == nil {
		// With provenance required, checkProvenance refuses any other
		// predicate type.
		if why := failedVerdict(res); why != "" && s.Provenance == nil {
			c.add(ruleSigstoreInvalid, signing.SeverityError, fmt.Sprintf("Sigstore bundle %s verifies, but what it signs is a verdict against the file, not the file: %s", bundleName, why))
			return
		}
		c.checkProvenance(s, res, bundleName, who)
		return
	}
	if art.err != nil && c.e.ctx.Err() == nil {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read the file again to verify its Sigstore bundle %s: %v", bundleName, unwrapPath(art.err)))
		return
	}
	c.add(ruleSigstoreInvalid, signing.SeverityError, fmt.Sprintf("Sigstore bundle %s does not verify as %s requires: %s", bundleName, who, sigstoreReason(err, s)))
}

// sigstoreReason says why a bundle failed: the identity, or the bundle
// itself (signature, transparency log, timestamps, certificate chain), in
// sigstore-go's words.
func sigstoreReason(err error, s *Sigstore) string {
	msg := err.Error()
	for _, p := range []string{"attest: sigstore bundle does not verify: ", "attest: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	// sigstore-go formats some errors with a nil %w.
	msg = strings.ReplaceAll(msg, "; error: %!w(<nil>)", "")
	if errors.Is(err, blob.ErrIdentity) {
		return fmt.Sprintf("identity mismatch: the bundle verifies, but its certificate is not %s: %s", s.expected(), msg)
	}
	return msg
}

// maxSibling bounds a bundle read next to an artifact.
const maxSibling = blob.MaxBundleSize

// isSiblingFile reports whether name is a regular file in fsys, not a
// folder or a symbolic link: a link "tool" to "tool.sigstore.json" would
// exempt the file it reaches, a script with no bundle, as its own bundle.
func isSiblingFile(fsys fs.FS, name string) bool {
	if !fs.ValidPath(name) {
		return false
	}
	st, err := fs.Lstat(fsys, name)
	return err == nil && st.Mode().IsRegular()
}

// readSibling reads the regular file name of fsys, up to maxSibling bytes.
// A symbolic link is refused: the bundle must be part of the release.

func readSibling(fsys fs.FS, name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, fs.ErrNotExist
	}
	if _, ok := fsys.(fs.ReadLinkFS); ok {
		st, err := fs.Lstat(fsys, name)
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("not a regular file (mode %v)", st.Mode().Type())
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (mode %v)", st.Mode().Type())
	}
	if st.Size() > maxSibling {
		return nil, fmt.Errorf("%d bytes, over the %d-byte limit", st.Size(), maxSibling)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSibling+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSibling {
		return nil, fmt.Errorf("over the %d-byte limit", maxSibling)
	}
	return b, nil
}

// lazyReader opens its source on the first Read, so that a verification
// that needs only the digest never reads the file again.
type lazyReader struct {
	open func() (io.ReadCloser, error)
	rc   io.ReadCloser
	err  error
}

func (l *lazyReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.rc == nil {
		if l.open == nil {
			l.err = errors.New("the file's bytes are no longer available")
			return 0, l.err
		}
		if l.rc, l.err = l.open(); l.err != nil {
			return 0, l.err
		}
	}
	n, err := l.rc.Read(p)
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}

func (l *lazyReader) close() {
	if l.rc != nil {
		l.rc.Close()
	}
}

// checkProvenance applies a sigstore rule's provenance requirements to a
// bundle that verified.
func (c *check) checkProvenance(s *Sigstore, res *blob.Result, bundleName, who string) {
	if s.Provenance == nil {
		return
	}
	if res == nil || len(res.Statement) == 0 {
		c.add(RuleProvenanceMismatch, signing.SeverityError, fmt.Sprintf("Sigstore bundle %s verifies, but it signs the file itself, not a SLSA provenance statement, and %s requires provenance", bundleName, who))
		return
	}
	p, err := provenance.Parse(res.Statement)
	if err == nil {
		err = p.Check(*s.Provenance, c.f.SHA256.String())
	}
	if err != nil {
		c.add(RuleProvenanceMismatch, signing.SeverityError, fmt.Sprintf("Sigstore bundle %s verifies, but its provenance does not meet %s: %s", bundleName, who, strings.TrimPrefix(err.Error(), "provenance: ")))
	}
}

// failedVerdict says why the statement of a DSSE bundle that verified is a
// verdict against its subjects, or returns "": a SLSA verification summary
// whose verificationResult is not PASSED (or that is PASSED while its
// shipgateReport counts errors), or an in-toto test result whose
// result is not PASSED. A DSSE bundle counts as a signature because the
// file's digest is among its subjects, whatever the statement says of them,
// and a pipeline that gates or tests its releases signs the verdicts on the
// builds it failed with the same identity as on the ones it passed: a
// FAILED verdict beside the file it failed is no signature.
func failedVerdict(res *blob.Result) string {
	if res == nil || len(res.Statement) == 0 {
		return ""
	}
	var st struct {
		PredicateType string `json:"predicateType"`
		Predicate     struct {
			VerificationResult string `json:"verificationResult"`
			Result             string `json:"result"`
			ShipgateReport     struct {
				Summary struct {
					Errors int `json:"errors"`
				} `json:"summary"`
			} `json:"shipgateReport"`
		} `json:"predicate"`
	}
	if err := json.Unmarshal(res.Statement, &st); err != nil {
		return ""
	}
	var field, value string
	switch st.PredicateType {
	case predicateTypeVSA:
		field, value = "verificationResult", st.Predicate.VerificationResult
	case predicateTypeTestResult:
		field, value = "result", st.Predicate.Result
	default:
		return ""
	}
	if value != "PASSED" {
		return fmt.Sprintf("a %s statement whose %s is %q", st.PredicateType, field, value)
	}
	if n := st.Predicate.ShipgateReport.Summary.Errors; st.PredicateType == predicateTypeVSA && n > 0 {
		// Signed before shipgate attest refused to call a gate that could
		// not fail (failOn never) PASSED, as attest.Verify refuses it
		// (TestAttackSigstorePassedVerdictWithErrors).
		return fmt.Sprintf("a %s statement whose verificationResult is PASSED but whose shipgateReport counts %d errors", st.PredicateType, n)
	}
	return ""
}

// Predicate types of verdicts on a statement's subjects: SLSA's
// verification summary (signing/attest.PredicateTypeVSA, which package
// verify does not import) and in-toto's test result.
const (
	predicateTypeVSA        = "https://slsa.dev/verification_summary/v1"
	predicateTypeTestResult = "https://in-toto.io/attestation/test-result/v0.1"
)
