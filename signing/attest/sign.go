package attest

import (
	"bytes"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// SignOptions controls [Sign]. The zero value is valid.
type SignOptions struct {
	// Statement controls the statement that is signed.
	Statement StatementOptions
	// NoKeyID leaves the signature's keyid empty instead of writing [KeyID]
	// of the signer's public key.
	NoKeyID bool
}

// Sign makes the statement for a shipgate JSON report (see [Statement]) and
// returns it in a DSSE envelope signed by signer: payloadType
// application/vnd.in-toto+json, one signature over the DSSE PAE. The envelope
// verifies with [Verify] and with cosign verify-blob-attestation --key (which
// hashes with SHA-256; see [KeyOptions]).
func Sign(reportJSON []byte, signer signature.Signer, opts SignOptions) ([]byte, error) {
	stmt, err := Statement(reportJSON, opts.Statement)
	if err != nil {
		return nil, err
	}
	env, err := SignPayload(PayloadType, stmt, signer, opts)
	if err != nil {
		return nil, err
	}
	return env.Marshal()
}

// SignPayload signs an arbitrary payload into a one-signature envelope. It is
// the primitive under [Sign], exported for callers that build their own
// statements and for adding a second signer to an existing payload.
func SignPayload(payloadType string, payload []byte, signer signature.Signer, opts SignOptions) (*Envelope, error) {
	if signer == nil {
		return nil, fmt.Errorf("%w: no signer", ErrKey)
	}
	pub, err := signer.PublicKey()
	if err != nil {
		return nil, wrapError(ErrKey, err)
	}
	if err := blob.CheckPublicKey(pub); err != nil {
		return nil, err
	}
	sig, err := signer.SignMessage(bytes.NewReader(PAE(payloadType, payload)))
	if err != nil {
		return nil, fmt.Errorf("attest: signing: %w", err)
	}
	es := EnvelopeSignature{Sig: sig}
	if !opts.NoKeyID {
		if es.KeyID, err = KeyID(pub); err != nil {
			return nil, err
		}
	}
	return &Envelope{PayloadType: payloadType, Payload: payload, Signatures: []EnvelopeSignature{es}}, nil
}
