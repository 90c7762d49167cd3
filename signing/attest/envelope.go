package attest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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
	// maxJSONDepth caps nesting in envelopes and statements.
	maxJSONDepth = 64
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
	if err := checkJSON(b); err != nil {
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

// checkJSON walks a JSON document once and rejects what encoding/json would
// silently accept but another parser might read differently: duplicate object
// keys (compared as encoding/json matches field names, ignoring case), trailing
// data after the top-level value, a top-level value that is not an object, and
// nesting deeper than maxJSONDepth.
func checkJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var stack []*jsonFrame
	first := true
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			if first {
				return malformed(0, "empty document")
			}
			return nil
		}
		if err != nil {
			return jsonError("document", err)
		}
		if first {
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return malformed(off, "document is not a JSON object")
			}
			first = false
		} else if len(stack) == 0 {
			return malformed(off, "trailing data after the JSON object")
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expect {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].afterValue()
				}
				continue
			}
			key, ok := tok.(string)
			if !ok {
				return malformed(off, "object key is not a string")
			}
			folded := foldKey(key)
			if _, dup := top.keys[folded]; dup {
				return malformed(off, "duplicate key %q", key)
			}
			top.keys[folded] = struct{}{}
			top.expect = false
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if len(stack) >= maxJSONDepth {
					return malformed(off, "nesting deeper than %d", maxJSONDepth)
				}
				f := &jsonFrame{object: d == '{', expect: d == '{'}
				if f.object {
					f.keys = map[string]struct{}{}
				}
				stack = append(stack, f)
			case '}', ']':
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].afterValue()
				}
			}
			continue
		}
		if top != nil {
			top.afterValue()
		}
	}
}

// jsonFrame is one open object or array in checkJSON.
type jsonFrame struct {
	object bool
	keys   map[string]struct{}
	expect bool // object: the next token is a key or '}'
}

// afterValue records that a member value ended: an object expects a key next.
func (f *jsonFrame) afterValue() {
	if f.object {
		f.expect = true
	}
}

// keyFolder maps the two non-ASCII letters encoding/json folds onto ASCII
// ones (U+017F long s, U+212A Kelvin sign).
var keyFolder = strings.NewReplacer("\u017f", "s", "\u212a", "k")

// foldKey returns the form under which encoding/json would match a key to a
// struct field.
func foldKey(k string) string {
	return strings.ToLower(keyFolder.Replace(k))
}

// CheckJSON rejects a JSON document that parsers could read differently:
// duplicate object keys (compared case-insensitively, as encoding/json
// matches fields), data after the top-level value, a top-level value that
// is not an object, and deep nesting. Errors wrap ErrMalformed.
func CheckJSON(b []byte) error { return checkJSON(b) }
