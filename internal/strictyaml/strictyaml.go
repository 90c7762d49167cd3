// Package strictyaml reads the YAML files shipgate accepts from users (the
// verify policy, the git-audit policy, native blocklists, LOLDrivers
// records) with one set of rules, so that no loader is laxer than another:
//
//   - the input is at most a size limit, checked before it is parsed (and,
//     for files, before they are read);
//   - it holds exactly one document: a second one ("---") is an error, not
//     silently ignored;
//   - anchors, aliases and merge keys ("<<") are refused, so that neither a
//     billion-laughs expansion nor a merged-in key reaches the decoder;
//   - tags are refused, explicit ("!!binary", "!!str", "!custom") and
//     non-specific ("! value"): the decoder turns `!!binary KiovKi5kbGw=`
//     into "**/*.dll", a value that whoever reviews the file does not see,
//     and reads "! 1" as a number where YAML makes it a string;
//   - directives ("%YAML 1.1", "%TAG") are refused: yaml.v3 ignores them,
//     so a file declaring YAML 1.1 would not mean what it says;
//   - every mapping key is a scalar and appears once;
//   - decoded into a Go value, every mapping key must name a field of the
//     value's type (by its yaml tag), or a map entry;
//   - decoded into a bool, a value must be true or false (YAML 1.2):
//     yaml.v3 also takes YAML 1.1's yes, no, on, off, y and n, so that
//     `requireNotarized: no` would silently mean false.
//
// Errors are *Error values naming the input and the line. The parser is
// gopkg.in/yaml.v3, the module's YAML library; this package only adds the
// checks above.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultMaxSize is the size limit when Options.MaxSize is zero: 4 MiB, far
// above any policy yet small enough that parsing stays cheap.
const DefaultMaxSize = 4 << 20

// The kinds of problem an *Error reports; errors.Is matches them.
var (
	// ErrTooLarge results when the input exceeds the size limit.
	ErrTooLarge = errors.New("too large")
	// ErrSyntax results when the input is not YAML.
	ErrSyntax = errors.New("syntax error")
	// ErrMultipleDocuments results when the input holds more than one
	// document.
	ErrMultipleDocuments = errors.New("more than one document")
	// ErrAlias results from an anchor (&a), an alias (*a) or a merge key
	// (<<).
	ErrAlias = errors.New("anchors, aliases and merge keys are not allowed")
	// ErrTag results from an explicit tag (!!binary, !!str, !custom).
	ErrTag = errors.New("explicit tags are not allowed")
	// ErrBool results from a plain value spelled as a YAML 1.1 boolean
	// (yes, no, on, off, y, n).
	ErrBool = errors.New("YAML 1.1 boolean spelling")
	// ErrKey results when a mapping key is not a scalar.
	ErrKey = errors.New("mapping key is not a scalar")
	// ErrDuplicateKey results when a mapping holds the same key twice.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrUnknownKey results when a mapping key names no field of the type it
	// is decoded into.
	ErrUnknownKey = errors.New("unknown key")
	// ErrType results when a value does not decode into its field's type.
	ErrType = errors.New("wrong type")
)

// Error is a problem with a YAML input.
type Error struct {
	// Name names the input (a file name); empty when the caller gave none.
	Name string
	// Line is the 1-based line of the problem; 0 when unknown.
	Line int
	// Reason says what is wrong, without the name and line.
	Reason string
	// Err is the kind of problem, one of the ErrXxx values.
	Err error
}

// Error returns "name:line: reason", leaving out what is unknown.
func (e *Error) Error() string {
	name := e.Name
	if name == "" {
		name = "yaml"
	}
	if e.Line > 0 {
		return name + ":" + strconv.Itoa(e.Line) + ": " + e.Reason
	}
	return name + ": " + e.Reason
}

// Unwrap returns the kind of problem.
func (e *Error) Unwrap() error { return e.Err }

// Options configures reading. The zero value reads up to DefaultMaxSize bytes
// of an unnamed input.
type Options struct {
	// Name names the input in errors.
	Name string
	// MaxSize is the largest input accepted, in bytes; zero means
	// DefaultMaxSize.
	MaxSize int64
}

func (o Options) max() int64 {
	if o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

func (o Options) fail(line int, kind error, format string, args ...any) *Error {
	return &Error{Name: o.Name, Line: line, Reason: fmt.Sprintf(format, args...), Err: kind}
}

// ReadFile reads the file name, refusing one larger than max bytes (zero
// means DefaultMaxSize) before reading it. Its errors from the file system
// are returned as they are; a file too large is an *Error naming name.
func ReadFile(name string, max int64) ([]byte, error) {
	o := Options{Name: name, MaxSize: max}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Mode().IsRegular() && st.Size() > o.max() {
		return nil, o.fail(0, ErrTooLarge, "%d bytes, larger than the limit of %d", st.Size(), o.max())
	}
	// A file that grows, or is not a regular file, is still read only to
	// the limit.
	b, err := io.ReadAll(io.LimitReader(f, o.max()+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > o.max() {
		return nil, o.fail(0, ErrTooLarge, "larger than the limit of %d bytes", o.max())
	}
	return b, nil
}

// Parse checks b and returns its document's root node: a mapping, sequence
// or scalar. It returns nil and no error when b holds no document, or a
// document that is only null (an empty or comment-only file). Aliases never
// appear in the tree, so a caller may walk it without bounds on sharing.
func Parse(b []byte, o Options) (root *yaml.Node, err error) {
	if int64(len(b)) > o.max() {
		return nil, o.fail(0, ErrTooLarge, "%d bytes, larger than the limit of %d", len(b), o.max())
	}
	defer func() {
		// yaml.v3 is not known to panic on its input since v3.0.1; a parser
		// facing hostile files returns an error rather than trusting that.
		if r := recover(); r != nil {
			root, err = nil, o.fail(0, ErrSyntax, "the YAML parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, o.syntaxError(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, o.fail(next.Line, ErrMultipleDocuments, "a second YAML document starts here; a file holds exactly one")
	case !errors.Is(err, io.EOF):
		return nil, o.syntaxError(err)
	}
	src := newSource(b)
	if line := src.directive(); line > 0 {
		return nil, o.fail(line, ErrTag, "a directive (%%YAML, %%TAG) is not allowed; the file is read as YAML 1.2 without it")
	}
	if err := o.check(&doc, src); err != nil {
		return nil, err
	}
	root = &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) != 1 {
			return nil, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	return root, nil
}

// check refuses anchors, aliases, merge keys, tags, keys that are not
// scalars and duplicate keys anywhere under n, parsed from src.
func (o Options) check(n *yaml.Node, src source) error {
	if n.Kind == yaml.AliasNode {
		return o.fail(n.Line, ErrAlias, "alias *%s: anchors and aliases are not allowed", n.Value)
	}
	if n.Anchor != "" {
		return o.fail(n.Line, ErrAlias, "anchor &%s: anchors and aliases are not allowed", n.Anchor)
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return o.fail(n.Line, ErrTag, "tag %s: explicit tags are not allowed; write the value itself", n.Tag)
	}
	if n.Kind != yaml.DocumentNode && src.tagAt(n) {
		return o.fail(n.Line, ErrTag, "tag !: tags, even the non-specific one, are not allowed; write the value itself")
	}
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				if k.Kind == yaml.AliasNode || k.Anchor != "" {
					return o.check(k, src)
				}
				return o.fail(k.Line, ErrKey, "a mapping key must be a plain value, not a %s", kindName(k.Kind))
			}
			if k.Tag == "!!merge" {
				return o.fail(k.Line, ErrAlias, "merge key %q is not allowed", k.Value)
			}
			if k.Anchor != "" {
				return o.check(k, src)
			}
			if first, dup := seen[k.Value]; dup {
				return o.fail(k.Line, ErrDuplicateKey, "duplicate key %q (first at line %d)", k.Value, first)
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := o.check(c, src); err != nil {
			return err
		}
	}
	return nil
}

// yaml11Bool reports whether s is one of YAML 1.1's boolean spellings
// other than true and false, quoted or not (yaml.v3 decodes both into a
// bool).
func yaml11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off":
		return true
	}
	return false
}

// yaml11True reports whether the YAML 1.1 boolean s means true.
func yaml11True(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "on":
		return true
	}
	return false
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	}
	return "scalar"
}

// Unmarshal parses b as Parse does and decodes its document into v (a
// pointer), refusing mapping keys that v's type does not know. It returns the
// root node, for callers that locate later problems by line, or nil (leaving
// v unchanged) when b holds no document.
func Unmarshal(b []byte, v any, o Options) (*yaml.Node, error) {
	root, err := Parse(b, o)
	if err != nil || root == nil {
		return nil, err
	}
	if err := Decode(root, v, o); err != nil {
		return nil, err
	}
	return root, nil
}

// Decode decodes the node n of a tree returned by Parse into v (a pointer),
// refusing mapping keys that v's type does not know: a key must name a field
// by its yaml tag (or, untagged, its lowercased name), or be an entry of a
// map. Types that decode themselves (yaml.Unmarshaler) are not looked into.
func Decode(n *yaml.Node, v any, o Options) (err error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("strictyaml: Decode needs a non-nil pointer, not %T", v)
	}
	if err := o.checkKeys(n, rv.Type().Elem()); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = o.fail(n.Line, ErrType, "the YAML decoder failed: %v", r)
		}
	}()
	if err := n.Decode(v); err != nil {
		return o.typeError(err)
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkKeys refuses mapping keys under n that t does not know.
func (o Options) checkKeys(n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if t.Kind() == reflect.Bool && yaml11Bool(n.Value) {
			return o.fail(n.Line, ErrBool, "%q is a boolean only in YAML 1.1 (yaml.v3 would read it as %t); write true or false", n.Value, yaml11True(n.Value))
		}
	case yaml.MappingNode:
		switch t.Kind() {
		case reflect.Struct:
			fields, open := yamlFields(t)
			if open {
				return nil
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, val := n.Content[i], n.Content[i+1]
				ft, ok := fields[k.Value]
				if !ok {
					return o.fail(k.Line, ErrUnknownKey, "unknown key %q (known: %s)", k.Value, knownKeys(fields))
				}
				if err := o.checkKeys(val, ft); err != nil {
					return err
				}
			}
		case reflect.Map:
			for i := 1; i < len(n.Content); i += 2 {
				if err := o.checkKeys(n.Content[i], t.Elem()); err != nil {
					return err
				}
			}
		}
	case yaml.SequenceNode:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for _, c := range n.Content {
				if err := o.checkKeys(c, t.Elem()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// yamlFields returns the keys a struct type decodes, as yaml.v3 names them,
// and whether it takes any key (an inline map).
func yamlFields(t reflect.Type) (map[string]reflect.Type, bool) {
	fields := map[string]reflect.Type{}
	open := false
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			tag := f.Tag.Get("yaml")
			if tag == "-" {
				continue
			}
			name, flags, _ := strings.Cut(tag, ",")
			if strings.Contains(","+flags+",", ",inline,") {
				ft := f.Type
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				switch ft.Kind() {
				case reflect.Struct:
					walk(ft)
				case reflect.Map:
					open = true
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fields[name] = f.Type
		}
	}
	walk(t)
	return fields, open
}

func knownKeys(fields map[string]reflect.Type) string {
	ks := make([]string, 0, len(fields))
	for k := range fields {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// syntaxError turns a yaml.v3 parse error ("yaml: line 3: …") into an
// *Error at its line.
func (o Options) syntaxError(err error) error {
	line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
	return o.fail(line, ErrSyntax, "%s", msg)
}

// typeError turns a decoding error into an *Error at the line of its first
// problem.
func (o Options) typeError(err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line, msg := splitLine(strings.TrimPrefix(msg, "yaml: "))
	return o.fail(line, ErrType, "%s", msg)
}

// splitLine splits "line N: rest" into N and rest; 0 and msg otherwise.
func splitLine(msg string) (int, string) {
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return 0, msg
	}
	num, after, ok := strings.Cut(rest, ": ")
	if !ok {
		return 0, msg
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return 0, msg
	}
	return n, after
}
