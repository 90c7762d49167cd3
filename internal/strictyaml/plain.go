package strictyaml

import (
	"bytes"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// source is the input being checked, split into lines, for the checks the
// node tree cannot answer: yaml.v3 drops the non-specific tag "!" (it
// leaves no TaggedStyle and resolves the value as if untagged, where YAML
// makes "! 1" the string "1") and every directive ("%YAML 1.1",
// "%TAG"), so both are found in the text.
type source [][]byte

func newSource(b []byte) source { return bytes.Split(b, []byte("\n")) }

// tagAt reports whether the node n starts with a tag: yaml.v3 places a
// node that has a tag or an anchor at the tag's first character, and no
// untagged node starts with "!" (a plain scalar cannot, a quoted one starts
// with its quote, a collection with its indicator or its first key).
func (s source) tagAt(n *yaml.Node) bool {
	if n.Line < 1 || n.Line > len(s) || n.Column < 1 {
		return false
	}
	line := s[n.Line-1]
	for col := 1; len(line) > 0; col++ { // Column counts characters
		r, size := utf8.DecodeRune(line)
		if col == n.Column {
			return r == '!'
		}
		line = line[size:]
	}
	return false
}

// directive returns the 1-based line of a directive ("%YAML", "%TAG", any
// line starting with "%" before the document's content), or 0. A document's
// content cannot start with "%", so the first line that is not blank, a
// comment or a marker decides.
func (s source) directive() int {
	for i, line := range s {
		t := bytes.TrimLeft(line, " \t\r\ufeff")
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		if t[0] == '%' {
			return i + 1
		}
		return 0
	}
	return 0
}
