package signing

import (
	"crypto/x509"
	"os"
	"time"

	"github.com/shipgate/shipgate/internal/memo"
)

// rootFileKey identifies one version of a root bundle file: a file whose
// size or modification time changed is read again.
type rootFileKey struct {
	size  int64
	mtime time.Time
}

// parsedRootFile is the parse of one version of a root bundle file. Its
// certificates are shared by every store built from the file and never
// modified; stores copy the pointers into their own slices and maps.
type parsedRootFile struct {
	key   rootFileKey
	certs []*x509.Certificate
	err   error // the parse error, nil when certs holds at least one certificate
}

// maxRootFiles bounds rootFileCache: far more files than any system
// certificate directory holds; files met after it is full are parsed every
// time.
const maxRootFiles = 4096

// rootFileCache holds the parse of each root bundle file read by path, so
// that building a TrustStore with the system roots parses them once per
// process rather than once per store (tens of milliseconds to a second with
// SSL_CERT_DIR set).
var rootFileCache = memo.Bounded[string, *parsedRootFile]{Max: maxRootFiles}

// readRootFile returns the certificates of the PEM bundle at name, parsed
// once per version of the file. A read error (readErr) is not cached; a
// parse error (parseErr, including ErrNoCertificates) is cached with the
// version that caused it. The slice returned is shared: callers must not
// modify it or the certificates.
func readRootFile(name string) (certs []*x509.Certificate, readErr, parseErr error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err, nil
	}
	key := rootFileKey{size: fi.Size(), mtime: fi.ModTime()}
	if p, ok := rootFileCache.Get(name); ok && p.key == key {
		return p.certs, nil, p.err
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err, nil
	}
	certs, perr := ParsePEMCertificates(b)
	// The content read may be newer than key; a later change of size or
	// time still replaces it.
	rootFileCache.Put(name, &parsedRootFile{key: key, certs: certs, err: perr})
	return certs, nil, perr
}

// addCertificates adds every certificate of certs as a root, copying the
// pointers so that certs, which may be shared, is never modified.
func (t *TrustStore) addCertificates(certs []*x509.Certificate) {
	for _, c := range certs {
		t.AddCertificate(c)
	}
}
