package verify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

// KindPkg is a macOS flat installer package (a xar archive).
const KindPkg = report.KindPkg

func init() {
	nativeVerifiers[KindPkg] = verifyPkg
	archiveOpeners[KindPkg] = openPkg
}

// isXar reports whether hdr starts a xar archive: "xar!" and a header
// size of at least 28 bytes, version 1.
func isXar(hdr []byte) bool {
	return len(hdr) >= 8 && bytes.HasPrefix(hdr, []byte(pkg.Magic)) && hdr[4] == 0 && hdr[5] >= 28 && hdr[6] == 0 && hdr[7] == 1
}

// verifyPkg checks an installer package's signatures and checksums
// against Apple's roots, as codesign checks Mach-O files.
func verifyPkg(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error) {
	res, err := pkg.Verify(r, size, pkg.Options{Trust: env.appleTrust, Time: env.time, Logger: env.log})
	if err != nil {
		return nil, pkgError(err)
	}
	return &nativeResult{sigs: res.Signatures, findings: res.Findings, signers: res.Signers}, nil
}

// openPkg opens an installer package as a file system whose components'
// Payload and Scripts are folders, within the payload budget sbom opens
// packages with too (see container.OpenPkg).
func openPkg(r io.ReaderAt, size int64) (fs.FS, []signing.Finding, error) {
	fsys, finds, err := container.OpenPkg(r, size)
	if err != nil {
		return nil, nil, pkgError(err)
	}
	return fsys, finds, nil
}

func pkgError(err error) error {
	var fe *pkg.FormatError
	switch {
	case errors.As(err, &fe):
		f := signing.Finding{Rule: pkg.RuleMalformed, Severity: signing.SeverityError, Message: fe.Error()}
		if fe.Offset >= 0 {
			off := fe.Offset
			f.Offset = &off
		}
		return &malformedError{offset: fe.Offset, reason: fe.Error(), finding: f}
	case errors.Is(err, pkg.ErrNotXar):
		return &malformedError{offset: -1, reason: err.Error()}
	}
	return err
}

// pkgPayloadRoot returns the folder of an installer package's file
// system that is the cpio archive holding the entry p
// (container.PkgPayloadRoot, sbom's too).
func pkgPayloadRoot(p string) (string, bool) { return container.PkgPayloadRoot(p) }
