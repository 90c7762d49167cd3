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
	"runtime"
	"sort"

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
	// Authority (2001), Microsoft Root Certificate Authority 2010 and Microsoft
	// Root Certificate Authority 2011.
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
	// bundle files Go itself reads are loaded (honouring SSL_CERT_FILE and
	// SSL_CERT_DIR); elsewhere the platform verifier is consulted for chains
	// that shipgate's own path building cannot complete, and the chains it
	// returns must still pass shipgate's per-certificate checks.
	System bool
	// Embedded adds the embedded well-known code-signing roots.
	Embedded EmbeddedRoots
}

// TrustStore is a set of root certificates that signatures may chain to. It is
// built from local material only, never from the network. A nil or empty
// TrustStore trusts nothing. A TrustStore is safe for concurrent use once built.
type TrustStore struct {
	roots    []*x509.Certificate
	seen     map[string]bool
	bySubj   map[string][]*x509.Certificate // by x509name.Key of the subject
	platform *x509.CertPool                 // non-nil when System was asked on a platform verifier OS
}

// NewTrustStore builds a TrustStore from opts. It fails when a named file
// cannot be read or holds no certificate.
func NewTrustStore(opts TrustStoreOptions) (*TrustStore, error) {
	t := &TrustStore{seen: map[string]bool{}, bySubj: map[string][]*x509.Certificate{}}
	for _, name := range opts.PEMFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("signing: reading roots: %w", err)
		}
		if err := t.AddPEM(b); err != nil {
			return nil, fmt.Errorf("signing: roots %s: %w", name, err)
		}
	}
	for i, b := range opts.PEM {
		if err := t.AddPEM(b); err != nil {
			return nil, fmt.Errorf("signing: roots bundle %d: %w", i, err)
		}
	}
	if opts.Embedded != 0 {
		certs, err := EmbeddedCertificates(opts.Embedded)
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			t.AddCertificate(c)
		}
	}
	if opts.System {
		if err := t.addSystem(); err != nil {
			return nil, err
		}
	}
	return t, nil
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
	for _, c := range certs {
		t.AddCertificate(c)
	}
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
		return nil
	}
	files := systemBundleFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if err := t.AddPEM(b); err == nil {
			break
		}
	}
	if d := os.Getenv("SSL_CERT_DIR"); d != "" {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if b, err := os.ReadFile(path.Join(d, e.Name())); err == nil {
				_ = t.AddPEM(b) // not every file in a cert dir is PEM
			}
		}
	}
	return nil
}
