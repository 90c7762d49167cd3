package container

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// checkFile hands over the cabinet file f, read from r at report path p,
// and compares it with what the MSI's tables say it holds (ck): its
// File table FileSize, and the MD5 of its MsiFileHash row, hashed as the
// entry is read (the bytes the entry leaves unread are hashed after it).
// A mismatch is an msi/file-table-mismatch error: Windows Installer
// compares the hash with an installed copy to decide whether to replace
// it, and the tables are what the MSI's signature covers, while a cabinet
// beside the MSI is not.
func (w *walker) checkFile(f *cab.File, ck msi.FileCheck, p string, r io.Reader) {
	if ck.Size >= 0 && ck.Size != f.Size {
		w.add(RuleMSIFileTableMismatch, signing.SeverityError, p, fmt.Sprintf("the cabinet's file %q holds %d bytes, the File table's FileSize says %d", f.Name, f.Size, ck.Size))
	}
	if ck.MD5 == nil {
		w.entry(p, release.NewStream(r), f.Size)
		return
	}
	h := md5.New()
	tr := io.TeeReader(r, h)
	w.entry(p, release.NewStream(tr), f.Size)
	if _, err := io.Copy(io.Discard, tr); err != nil {
		return // the cabinet's walk reports it
	}
	if sum := h.Sum(nil); !bytes.Equal(sum, ck.MD5) {
		w.add(RuleMSIFileTableMismatch, signing.SeverityError, p, fmt.Sprintf("the MD5 of the cabinet's file %q is %x, the MsiFileHash table's is %x: the file is not the one the database was built with", f.Name, sum, ck.MD5))
	}
}
