package verify

import (
	"errors"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// nestedSignature verifies the signature of a database nested in a
// storage of the MSI being checked (ra, size bytes), one signed on its own
// before it was stored (see container.SignedDatabase), and records it as a
// file of kind msi at the storage's report path: its signature, and its
// findings, blocklists and policy as for any MSI. A storage is no byte
// range of the MSI: the record's size and SHA-256 are those of the
// streams' contents the database's digest reads, in that order (see
// authenticode.VerifyMSIStorage). A signature that no longer matches the
// storage (a database changed after it was signed, then stored in an MSI
// signed again) fails there, whatever the outer signature says.
func (c *check) nestedSignature(ra io.ReaderAt, size int64, sd container.SignedDatabase) {
	e := c.e
	n := &check{e: e, j: &job{path: sd.Path, depth: c.j.depth + 1 + sd.Nested, held: c.j.held}, f: File{Path: sd.Path, Kind: KindMSI}}
	needSHA1, needMD5 := e.bl.needsHashes()
	n.h = newFileHasher(needSHA1 || e.catSHA1, needMD5, false)
	verify := windowsVerifier(func(r io.ReaderAt, size int64, opts authenticode.Options) (*authenticode.Result, error) {
		return authenticode.VerifyMSIStorage(r, size, sd.Storage, opts)
	})
	env := verifyEnv{trust: e.trust, appleTrust: e.appleTrust, time: e.opts.Time, hash: n.h, log: e.log.With("path", sd.Path), authentihashes: e.authAlgs}
	res, err := verify(e.ctx, ctxReaderAt{e.ctx, ra}, size, env)
	if e.ctx.Err() != nil {
		return
	}
	var me *malformedError
	switch {
	case errors.As(err, &me):
		n.addMalformed(me)
		n.malformed = true
	case err != nil:
		n.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot verify the nested database's signature: %v", unwrapPath(err)))
		e.addFile(nil, n.finds)
		return
	}
	if res != nil {
		n.native = res
		n.f.Signatures = res.sigs
		for _, f := range res.findings {
			f.Path = joinPath(n.f.Path, f.Path)
			n.finds = append(n.finds, f)
		}
	}
	n.f.Size = n.h.n
	n.f.SHA256 = n.h.digest()
	n.listed = true
	n.afterHash()
	cat, x := n.catalogFacts()
	e.addCheckedFile(&n.f, n.finds, cat, x)
}
