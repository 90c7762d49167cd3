package verify

import (
	"context"
	"errors"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/dmg"
)

// KindDMG is a macOS disk image (UDIF).
const KindDMG = report.KindDMG

func init() {
	nativeVerifiers[KindDMG] = verifyDMG
	archiveOpeners[KindDMG] = walk.OpenDMG
	bundleArchives[KindDMG] = true
}

// dmgKind returns KindDMG for the file of size bytes at r named name whose
// kind from its first bytes is cur: a file ending with a version 4, 512-byte
// koly trailer when nothing else claimed it, or whatever its first bytes say
// when it is named .dmg (macOS attaches a .dmg by its trailer, so a Mach-O
// or any other file named .dmg that ends with one is a disk image first);
// and a .dmg without a trailer that nothing else claimed, which its
// verifier then reports as malformed. Otherwise cur. noKoly says the
// file's trailer is already known not to be koly (an asar entry's, seen by
// its archive's pass), which saves reading it.
func dmgKind(r io.ReaderAt, name string, hdr []byte, size int64, cur Kind, noKoly bool) Kind {
	named := namedDMG(name)
	if cur != KindOther && !named {
		return cur
	}
	switch cur {
	case KindPE, KindMachO, KindMachOUniversal:
		// Code recognised by its magic stays code whatever its name or
		// tail: a koly trailer appended to a PE must not make its
		// Authenticode go unchecked.
		return cur
	}
	if (!noKoly && walk.HasKoly(r, hdr, size)) || (named && cur == KindOther) {
		return KindDMG
	}
	return cur
}

// namedDMG reports whether name ends with .dmg, in any case.
func namedDMG(name string) bool { return strings.EqualFold(path.Ext(name), ".dmg") }

// verifyDMG runs the disk image verifier: structure, checksums and the
// embedded code signature, anchored in the Apple trust store.
func verifyDMG(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error) {
	res, err := dmg.Verify(r, size, dmg.Options{Trust: env.appleTrust, Time: env.time, FileHash: env.hash, Logger: env.log})
	var fe *dmg.FormatError
	switch {
	case errors.Is(err, dmg.ErrNotDMG):
		return nil, &malformedError{offset: -1, reason: "named .dmg but does not end with a koly trailer: not a UDIF disk image"}
	case errors.As(err, &fe):
		return nil, &malformedError{offset: fe.Offset, reason: fe.Reason}
	case err != nil:
		return nil, err
	}
	// Whether the file system inside is opened is walk.OpenDMG's to say.
	finds := slices.DeleteFunc(res.Findings, func(f signing.Finding) bool { return f.Rule == dmg.RuleFilesystemNotOpened })
	out := &nativeResult{sigs: []signing.Signature{res.Signature}, findings: finds}
	if res.CodeSignature != nil {
		out.cdhashes = append(out.cdhashes, res.CodeSignature.CDHashes...)
		out.slices = []codesign.Slice{*res.CodeSignature}
	}
	return out, nil
}
