package blob

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// maxJSONDepth caps nesting in envelopes, statements and provenance.
const maxJSONDepth = 64

// CheckJSON rejects a JSON document that parsers could read differently:
// duplicate object keys (compared case-insensitively, as encoding/json
// matches fields), data after the top-level value, a top-level value that
// is not an object, and deep nesting. Errors wrap ErrMalformed.
func CheckJSON(b []byte) error { return checkJSON(b) }

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
			return JSONError("document", err)
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
