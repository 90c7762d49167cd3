package verify

import (
	"io"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/codesign"
)

// InventorySignatures returns the signature reader that sbom.Options.Signatures
// takes, for sbom.Open, sbom.DiffReleases and sbom.DiffUpstream: the
// signatures of a PE file verified by signing/authenticode with pe, those of
// a Mach-O or universal file by signing/codesign with mac, and none for any
// other kind. The shipgate CLI's diff and sbom verbs use it, so that a
// pipeline that diffs releases through the library compares signers and
// signature statuses as the CLI does; without a reader, package sbom
// examines no signature and reports no signer change.
//
// The trust stores in pe and mac decide which signatures are valid, as in
// [Options]; no policy, blocklist or catalog applies. Their per-file fields
// (FileHash; authenticode's Alongside, codesign's Files) are ignored: the
// reader is called for many files from several goroutines at once.
func InventorySignatures(pe authenticode.Options, mac codesign.Options) func(r io.ReaderAt, size int64, kind string) ([]signing.Signature, error) {
	pe.FileHash, pe.Alongside = nil, nil
	mac.FileHash, mac.Files = nil, nil
	return func(r io.ReaderAt, size int64, kind string) ([]signing.Signature, error) {
		switch Kind(kind) {
		case KindPE:
			res, err := authenticode.Verify(r, size, pe)
			if err != nil {
				return nil, err
			}
			return res.Signatures, nil
		case KindMachO, KindMachOUniversal:
			res, err := codesign.Verify(r, size, mac)
			if err != nil {
				return nil, err
			}
			return res.Signatures, nil
		}
		return nil, nil
	}
}
