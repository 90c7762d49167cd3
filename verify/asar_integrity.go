package verify

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

// asarReaderOf returns the asar archive fsys reads, or nil when it is no
// asar's.
func asarReaderOf(fsys fs.FS) *asar.Reader {
	switch f := fsys.(type) {
	case *asar.Reader:
		return f
	case packedFS:
		return f.ar
	}
	return nil
}

// integrityBlockSize returns the size of the file e's integrity blocks
// when its header records more than one block of SHA-256 digests, whose
// digests the archive's pass then computes (see entryHasher), else 0.
func integrityBlockSize(e *asar.Entry) int64 {
	in := e.Integrity
	// A count of blocks that does not fit the size is reported without
	// hashing them (asar.Reader.CheckDigests); one that does is bounded by
	// the header's size.
	if in == nil || len(in.Blocks) < 2 || in.BlockSize <= 0 || in.BlockSize > e.Size || !strings.EqualFold(in.Algorithm, "SHA256") ||
		(e.Size+in.BlockSize-1)/in.BlockSize != int64(len(in.Blocks)) {
		return 0
	}
	return in.BlockSize
}

// asarIntegrity compares the bytes of the asar entry name of ar with the
// integrity the archive's header records for it, from the digests the
// archive's pass computed, facts, and returns an asar/integrity-mismatch
// finding (its path the entry's) when they differ. An entry whose block
// digests the pass did not compute is read again. An entry without
// integrity has no finding, as in sbom; one that cannot be read has its
// own check's.
func asarIntegrity(ar *asar.Reader, name string, facts entryFacts) (signing.Finding, bool) {
	e, err := ar.Entry(name)
	if err != nil || e.Kind != asar.KindFile {
		return signing.Finding{}, false
	}
	err = ar.CheckDigests(e, facts.sum, facts.blocks)
	if errors.Is(err, asar.ErrBlocksNeeded) {
		_, err = ar.VerifyFile(name)
	}
	var ee *asar.EntryError
	if !errors.Is(err, asar.ErrIntegrity) || !errors.As(err, &ee) {
		return signing.Finding{}, false
	}
	return ee.Finding(), true
}
