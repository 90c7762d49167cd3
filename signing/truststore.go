package signing

import (
	"crypto/x509"
	"embed"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/x509name"
)

//go:embed roots/*.pem
var embeddedRoots embed.FS

// EmbeddedRoots selects the sets of public code-signing roots shipped inside
// shipgate. System trust stores usually lack them: Microsoft's code-signing
// roots are not TLS roots, and Apple's roots live only in macOS keychains.
type EmbeddedRoots int

const (
	// EmbeddedMicrosoft is Microsoft Root Authority, Microsoft Root Certificate
	// Authority (2001), Microsoft Root Certificate Authority 2010, Microsoft
	// Root Certificate Authority 2011 and Microsoft Identity Verification Root
	// Certificate Authority 2020 (the root of Azure Trusted Signing's code-signing
	// and time-stamping certificates).
	EmbeddedMicrosoft EmbeddedRoots = 1 << iota
	// EmbeddedApple is Apple Root CA, Apple Root CA - G2 and Apple Root CA - G3.
	EmbeddedApple
	// EmbeddedAll selects every embedded root.
	EmbeddedAll = EmbeddedMicrosoft | EmbeddedApple
)

// TrustStoreOptions says where a TrustStore's roots come from. The zero value
// gives an empty store that trusts nothing.
type TrustStoreOptions struct {
	// PEMFiles are paths of PEM bundles whose certificates become roots.
	PEMFiles []string
	// PEM holds PEM bundles given as bytes.
	PEM [][]byte
	// System adds the operating system's roots. On Linux and the BSDs the
	// first bundle file of the list Go itself reads is loaded (honouring
	// SSL_CERT_FILE and SSL_CERT_DIR); elsewhere the platform verifier is
	// consulted for chains that shipgate's own path building cannot
	// complete, and the chains it returns must still pass shipgate's
	// per-certificate checks. These bundles say nothing about what a root is
	// trusted for (Debian's lists the roots Mozilla trusts for TLS), so a
	// system root anchors code-signing chains unless the root certificate
	// itself restricts its extended key usages; the leaf must still carry
	// the code-signing usage, and CAs on the path must allow it.
	System bool
	// SystemFiles, when non-nil, stands in for the operating system's roots
	// when System is set: the PEM bundles named are read instead of the
	// platform's files, SSL_CERT_FILE, SSL_CERT_DIR and platform verifier,
	// and one that cannot be read or holds no certificate fails. A non-nil
	// empty list gives no system roots. It pins a copy of a platform bundle
	// for hermetic runs and tests; nil means the platform's own store.
	SystemFiles []string
	// Embedded adds the embedded well-known code-signing roots.
	Embedded EmbeddedRoots
}

// ForApple returns o as Apple code signatures are anchored: by the PEM
// roots given and Apple's embedded roots only. macOS trusts Developer ID
// and Apple's other code-signing leaves under Apple's roots alone; the
// operating system's roots (a TLS root program) and Microsoft's embedded
// code-signing roots, one of which (Microsoft Identity Verification Root
// Certificate Authority 2020) anchors certificates that Azure Trusted
// Signing issues to any validated customer, would make a Mach-O, disk
// image or package signed with a Windows code-signing certificate valid.
func (o TrustStoreOptions) ForApple() TrustStoreOptions {
	o.System, o.SystemFiles = false, nil
	o.Embedded &= EmbeddedApple
	return o
}

// TrustStore is a set of root certificates that signatures may chain to. It is
// built from local material only, never from the network. A nil or empty
// TrustStore trusts nothing. A TrustStore is safe for concurrent use once built.
type TrustStore struct {
	sources  []TrustSource
	roots    []*x509.Certificate
	seen     map[string]bool
	bySubj   map[string][]*x509.Certificate // by x509name.Key of the subject
	platform *x509.CertPool                 // non-nil when System was asked on a platform verifier OS
	sigs     *sigCache                      // signature checks of chains built to it
}

// NewTrustStore builds a TrustStore from opts. It fails when a named file
// cannot be read or holds no certificate.
func NewTrustStore(opts TrustStoreOptions) (*TrustStore, error) {
	t := &TrustStore{seen: map[string]bool{}, bySubj: map[string][]*x509.Certificate{}, sigs: newSigCache()}
	for _, name := range opts.PEMFiles {
		if err := t.addFile(TrustFile, name); err != nil {
			return nil, err
		}
	}
	for i, b := range opts.PEM {
		n := len(t.roots)
		if err := t.AddPEM(b); err != nil {
			return nil, fmt.Errorf("signing: roots bundle %d: %w", i, err)
		}
		t.sources = append(t.sources, TrustSource{Kind: TrustPEM, Name: fmt.Sprintf("bundle %d", i), Roots: len(t.roots) - n})
	}
	for _, set := range []struct {
		bit  EmbeddedRoots
		name string
	}{{EmbeddedMicrosoft, "microsoft"}, {EmbeddedApple, "apple"}} {
		if opts.Embedded&set.bit == 0 {
			continue
		}
		certs, err := EmbeddedCertificates(set.bit)
		if err != nil {
			return nil, err
		}
		n := len(t.roots)
		for _, c := range certs {
			t.AddCertificate(c)
		}
		t.sources = append(t.sources, TrustSource{Kind: TrustEmbedded, Name: set.name, Roots: len(t.roots) - n})
	}
	if opts.System {
		if opts.SystemFiles != nil {
			for _, name := range opts.SystemFiles {
				if err := t.addFile(TrustSystem, name); err != nil {
					return nil, err
				}
			}
			if len(opts.SystemFiles) == 0 {
				t.sources = append(t.sources, TrustSource{Kind: TrustSystem})
			}
		} else if err := t.addSystem(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// addFile adds the roots of the PEM bundle name, recording it as a source of
// the given kind.
func (t *TrustStore) addFile(kind TrustSourceKind, name string) error {
	var certs []*x509.Certificate
	var rerr, perr error
	if kind == TrustSystem {
		certs, rerr, perr = readRootFile(name) // parsed once per process
	} else {
		var b []byte
		if b, rerr = os.ReadFile(name); rerr == nil {
			certs, perr = ParsePEMCertificates(b)
		}
	}
	if rerr != nil {
		return fmt.Errorf("signing: reading roots: %w", rerr)
	}
	if perr != nil {
		return fmt.Errorf("signing: roots %s: %w", name, perr)
	}
	n := len(t.roots)
	t.addCertificates(certs)
	t.sources = append(t.sources, TrustSource{Kind: kind, Name: name, Roots: len(t.roots) - n})
	return nil
}

// TrustSourceKind says what kind of material a TrustSource is.
type TrustSourceKind string

const (
	// TrustFile is a PEM file of TrustStoreOptions.PEMFiles.
	TrustFile TrustSourceKind = "file"
	// TrustPEM is a PEM bundle of TrustStoreOptions.PEM.
	TrustPEM TrustSourceKind = "pem"
	// TrustEmbedded is a set of embedded roots.
	TrustEmbedded TrustSourceKind = "embedded"
	// TrustSystem is the operating system's roots: a bundle file or
	// directory, or the platform verifier.
	TrustSystem TrustSourceKind = "system"
)

// TrustSource records where some of a TrustStore's roots came from, so that a
// caller can say which trust a verdict rests on.
type TrustSource struct {
	// Kind is the kind of material.
	Kind TrustSourceKind `json:"kind"`
	// Name is the file or directory read, the embedded set ("microsoft",
	// "apple"), "bundle N" for the Nth PEM of TrustStoreOptions.PEM,
	// "platform verifier" on macOS and Windows, or empty for a system
	// store where no bundle was found.
	Name string `json:"name,omitempty"`
	// Roots counts the roots it added that no earlier source had added; the
	// platform verifier's roots cannot be listed and count 0.
	Roots int `json:"roots"`
}

// Sources returns where the store's roots came from, in the order they were
// loaded. Roots added later with AddPEM or AddCertificate are not listed.
func (t *TrustStore) Sources() []TrustSource {
	if t == nil {
		return nil
	}
	return append([]TrustSource(nil), t.sources...)
}

// EmbeddedCertificates returns the embedded roots selected by which, sorted by
// file name.
func EmbeddedCertificates(which EmbeddedRoots) ([]*x509.Certificate, error) {
	names, err := fs.Glob(embeddedRoots, "roots/*.pem")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*x509.Certificate
	for _, name := range names {
		base := path.Base(name)
		switch {
		case which&EmbeddedMicrosoft != 0 && len(base) > 10 && base[:10] == "microsoft-":
		case which&EmbeddedApple != 0 && len(base) > 6 && base[:6] == "apple-":
		default:
			continue
		}
		b, err := embeddedRoots.ReadFile(name)
		if err != nil {
			return nil, err
		}
		certs, err := ParsePEMCertificates(b)
		if err != nil {
			return nil, fmt.Errorf("signing: embedded %s: %w", base, err)
		}
		out = append(out, certs...)
	}
	return out, nil
}

// ErrNoCertificates results when a PEM bundle holds no CERTIFICATE block.
var ErrNoCertificates = errors.New("no certificates found")

// ParsePEMCertificates parses every CERTIFICATE block in b, ignoring other
// block types.
func ParsePEMCertificates(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for n := 0; ; n++ {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoCertificates
	}
	return out, nil
}

// AddPEM adds every certificate of a PEM bundle as a root.
func (t *TrustStore) AddPEM(b []byte) error {
	certs, err := ParsePEMCertificates(b)
	if err != nil {
		return err
	}
	t.addCertificates(certs)
	return nil
}

// AddCertificate adds c as a root. Adding the same certificate twice is a no-op.
func (t *TrustStore) AddCertificate(c *x509.Certificate) {
	if t.seen == nil {
		t.seen = map[string]bool{}
		t.bySubj = map[string][]*x509.Certificate{}
	}
	if t.seen[string(c.Raw)] {
		return
	}
	t.seen[string(c.Raw)] = true
	t.roots = append(t.roots, c)
	k := x509name.Key(c.RawSubject)
	t.bySubj[k] = append(t.bySubj[k], c)
}

// Roots returns the store's root certificates in the order they were added.
func (t *TrustStore) Roots() []*x509.Certificate {
	if t == nil {
		return nil
	}
	return append([]*x509.Certificate(nil), t.roots...)
}

// Len returns the number of roots, not counting a platform verifier.
func (t *TrustStore) Len() int {
	if t == nil {
		return 0
	}
	return len(t.roots)
}

// IsRoot reports whether c is one of the store's roots.
func (t *TrustStore) IsRoot(c *x509.Certificate) bool {
	return t != nil && t.seen[string(c.Raw)]
}

// Files Go's crypto/x509 reads on Linux and the BSDs.
var systemBundleFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
	"/usr/local/etc/ssl/cert.pem",
	"/usr/local/share/certs/ca-root-nss.crt",
}

func (t *TrustStore) addSystem() error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" || runtime.GOOS == "ios" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			return fmt.Errorf("signing: system roots: %w", err)
		}
		t.platform = pool
		t.sources = append(t.sources, TrustSource{Kind: TrustSystem, Name: "platform verifier"})
		return nil
	}
	found := false
	files := systemBundleFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		certs, rerr, perr := readRootFile(f)
		if rerr != nil || perr != nil {
			continue
		}
		n := len(t.roots)
		t.addCertificates(certs)
		t.sources = append(t.sources, TrustSource{Kind: TrustSystem, Name: f, Roots: len(t.roots) - n})
		found = true
		break
	}
	if env := os.Getenv("SSL_CERT_DIR"); env != "" {
		// A colon-separated list, as Go reads it.
		for _, d := range strings.Split(env, ":") {
			ents, err := os.ReadDir(d)
			if d == "" || err != nil {
				continue
			}
			n := len(t.roots)
			for _, e := range ents {
				// Not every file in a cert dir is PEM.
				if certs, rerr, perr := readRootFile(filepath.Join(d, e.Name())); rerr == nil && perr == nil {
					t.addCertificates(certs)
				}
			}
			t.sources = append(t.sources, TrustSource{Kind: TrustSystem, Name: d, Roots: len(t.roots) - n})
			found = true
		}
	}
	if !found {
		t.sources = append(t.sources, TrustSource{Kind: TrustSystem})
	}
	return nil
}
