package verify

import (
	"context"
	"crypto"
	"errors"
	"io"

	"github.com/shipgate/shipgate/signing/authenticode"
)

func init() { nativeVerifiers[KindPE] = verifyPE }

// verifyPE runs the Authenticode verifier.
func verifyPE(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error) {
	opts := authenticode.Options{Trust: env.trust, Time: env.time, FileHash: env.hash, Logger: env.log}
	if env.authentihashSHA1 {
		opts.Authentihashes = []crypto.Hash{crypto.SHA1}
	}
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
