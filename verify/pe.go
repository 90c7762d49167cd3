package verify

import (
	"context"
	"errors"
	"io"

	"github.com/shipgate/shipgate/signing/authenticode"
)

func init() { nativeVerifiers[KindPE] = verifyPE }

// verifyPE runs the Authenticode verifier.
func verifyPE(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error) {
	// The blocklists' image hash algorithms are computed in the same single
	// pass as the digests the signatures need.
	opts := authenticode.Options{Trust: env.trust, Time: env.time, FileHash: env.hash, Logger: env.log, Authentihashes: env.authentihashes}
	res, err := authenticode.Verify(r, size, opts)
	var fe *authenticode.FormatError
	switch {
	case errors.As(err, &fe):
		return nil, &malformedError{offset: fe.Offset, reason: fe.Reason}
	case errors.Is(err, authenticode.ErrNotPE):
		// The magic said PE: a header the verifier rejects is malformed.
		return nil, &malformedError{offset: -1, reason: err.Error()}
	case err != nil:
		return nil, err
	}
	return &nativeResult{sigs: res.Signatures, findings: res.Findings, authentihash: res.Authentihash}, nil
}
