package verify

import "strings"

// jsCoerce is v's string form as JavaScript gives it where a string is
// expected of any value (new URL(v), a template literal): jsString's for
// a scalar, the elements' joined by commas for an array (String([x]) is
// String(x), and null elements are empty), "[object Object]" for a
// mapping, and "" for nil. electron-updater builds its URLs so: a url
// written as a YAML list of one string is that string.
func jsCoerce(v any) string { return jsCoerceDepth(v, 0) }

// jsCoerceDepth is jsCoerce of v nested depth arrays deep; deeper than
// 64 (which YAML's own nesting limit keeps out) reads as "".
func jsCoerceDepth(v any, depth int) string {
	switch v := v.(type) {
	case []any:
		if depth > 64 {
			return ""
		}
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = jsCoerceDepth(x, depth+1)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return jsString(v)
}
