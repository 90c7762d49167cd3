package verify

import (
	"context"
	"errors"
	"io"

	"github.com/shipgate/shipgate/signing/codesign"
)

func init() {
	nativeVerifiers[KindMachO] = verifyMachO
	nativeVerifiers[KindMachOUniversal] = verifyMachO
}

// verifyMachO runs the Apple code signature verifier on thin and universal
// files.
func verifyMachO(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error) {
	res, err := codesign.Verify(r, size, codesign.Options{Trust: env.appleTrust, Time: env.time, FileHash: env.hash, Logger: env.log})
	var fe *codesign.FormatError
	switch {
	case errors.As(err, &fe):
		me := &malformedError{offset: fe.Offset, reason: fe.Reason}
		if res != nil {
			// The verifier explains the malformation itself.
			me.result = &nativeResult{sigs: res.Signatures, findings: res.Findings}
		}
		return nil, me
	case errors.Is(err, codesign.ErrNotMachO):
		return nil, &malformedError{offset: -1, reason: err.Error()}
	case err != nil:
		return nil, err
	}
	out := &nativeResult{sigs: res.Signatures, findings: res.Findings, slices: res.Slices}
	for _, s := range res.Slices {
		out.cdhashes = append(out.cdhashes, s.CDHashes...)
	}
	return out, nil
}
