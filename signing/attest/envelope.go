package attest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// PayloadType is the DSSE payload type of an in-toto statement.
const PayloadType = "application/vnd.in-toto+json"

// Limits applied to envelopes and statements before anything is allocated
// from them.
const (
	// MaxEnvelopeSize caps the size of an envelope document in bytes.
	MaxEnvelopeSize = 64 << 20
	// MaxSignatures caps the number of signatures in one envelope.
	MaxSignatures = 64
)

// Envelope is a parsed DSSE envelope.
type Envelope struct {
	// PayloadType is the envelope's payloadType, authenticated by the
	// signatures through the PAE.
	PayloadType string
	// Payload is the decoded payload.
	Payload []byte
	// Signatures are the envelope's signatures in document order.
	Signatures []EnvelopeSignature
}

// EnvelopeSignature is one signature of a DSSE envelope.
type EnvelopeSignature struct {
	// KeyID is the unauthenticated key hint; empty when absent.
	KeyID string
	// Sig is the decoded signature.
	Sig []byte
}

// envelopeJSON fixes the field order of the envelopes this package writes.
type envelopeJSON struct {
	PayloadType string          `json:"payloadType"`
	Payload     string          `json:"payload"`
	Signatures  []signatureJSON `json:"signatures"`
}

type signatureJSON struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// Marshal encodes e as a DSSE JSON envelope (standard base64, fields in the
// order payloadType, payload, signatures; keyid is always present, as cosign
// and go-securesystemslib write it).
func (e *Envelope) Marshal() ([]byte, error) {
	out := envelopeJSON{
		PayloadType: e.PayloadType,
		Payload:     base64.StdEncoding.EncodeToString(e.Payload),
		Signatures:  make([]signatureJSON, len(e.Signatures)),
	}
	for i, s := range e.Signatures {
		out.Signatures[i] = signatureJSON{KeyID: s.KeyID, Sig: base64.StdEncoding.EncodeToString(s.Sig)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PAE returns the DSSE v1 pre-authentication encoding of a payload: the bytes
// a signature covers ("DSSEv1" SP len(type) SP type SP len(body) SP body).
func PAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(payloadType) + len(payload) + 32)
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

// ParseEnvelope parses a DSSE JSON envelope. It is strict where parsers could
// disagree: the document must be one JSON object without duplicate keys,
// payloadType, payload and signatures must be present with the right types,
// there must be between 1 and [MaxSignatures] signatures, and every base64
// field must decode (standard or URL-safe alphabet, padded or not, as the DSSE
// specification allows). Unknown fields are ignored. Errors wrap
// [ErrMalformed].
func ParseEnvelope(b []byte) (*Envelope, error) {
	if len(b) > MaxEnvelopeSize {
		return nil, malformed(-1, "envelope is %d bytes, over the %d-byte limit", len(b), MaxEnvelopeSize)
	}
	if err := blob.CheckJSON(b); err != nil {
		return nil, err
	}
	var raw struct {
		PayloadType *string `json:"payloadType"`
		Payload     *string `json:"payload"`
		Signatures  *[]struct {
			KeyID *string `json:"keyid"`
			Sig   *string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, jsonError("envelope", err)
	}
	switch {
	case raw.PayloadType == nil:
		return nil, malformed(-1, "envelope has no payloadType")
	case raw.Payload == nil:
		return nil, malformed(-1, "envelope has no payload")
	case raw.Signatures == nil || len(*raw.Signatures) == 0:
		return nil, fmt.Errorf("%w: envelope has no signatures", ErrNoSignatures)
	case len(*raw.Signatures) > MaxSignatures:
		return nil, malformed(-1, "envelope has %d signatures, over the limit of %d", len(*raw.Signatures), MaxSignatures)
	}
	payload, err := decodeBase64(*raw.Payload)
	if err != nil {
		return nil, malformed(-1, "envelope payload: %v", err)
	}
	env := &Envelope{PayloadType: *raw.PayloadType, Payload: payload}
	for i, s := range *raw.Signatures {
		if s.Sig == nil {
			return nil, malformed(-1, "signature %d has no sig", i)
		}
		sig, err := decodeBase64(*s.Sig)
		if err != nil {
			return nil, malformed(-1, "signature %d: %v", i, err)
		}
		if len(sig) == 0 {
			return nil, malformed(-1, "signature %d is empty", i)
		}
		es := EnvelopeSignature{Sig: sig}
		if s.KeyID != nil {
			es.KeyID = *s.KeyID
		}
		env.Signatures = append(env.Signatures, es)
	}
	return env, nil
}

// decodeBase64 accepts the standard and URL-safe alphabets, with or without
// padding, and nothing else (no whitespace).
func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not valid base64")
}
