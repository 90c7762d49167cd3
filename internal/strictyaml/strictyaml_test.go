package strictyaml

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

type inner struct {
	Name  string   `yaml:"name"`
	Tags  []string `yaml:"tags"`
	Count int      `yaml:"count"`
}

type doc struct {
	Title  string            `yaml:"title"`
	Items  []inner           `yaml:"items"`
	One    *inner            `yaml:"one"`
	Labels map[string]string `yaml:"labels"`
	ByName map[string]inner  `yaml:"byName"`
	Skew   duration          `yaml:"skew"`
	Any    any               `yaml:"any"`
	Hidden string            `yaml:"-"`
	Base   `yaml:",inline"`
}

// Base is inlined into doc: its keys are doc's.
type Base struct {
	Version int `yaml:"version"`
}

// duration decodes itself; its node is not looked into.
type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	*d = duration(v)
	return err
}

const good = `# a comment
title: t
version: 2
items:
  - name: a
    tags: [x, y]
  - {name: b, count: 3}
one: {name: c}
labels: {k: v, "k2": v}
byName:
  n: {name: n}
skew: 5m
any: {whatever: [1, 2]}
`

func TestUnmarshalAccepts(t *testing.T) {
	var d doc
	root, err := Unmarshal([]byte(good), &d, Options{Name: "good.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if root == nil || root.Kind != yaml.MappingNode {
		t.Fatalf("root %+v", root)
	}
	if d.Title != "t" || d.Version != 2 || len(d.Items) != 2 || d.Items[1].Count != 3 || d.One.Name != "c" ||
		d.Labels["k2"] != "v" || d.ByName["n"].Name != "n" || time.Duration(d.Skew) != 5*time.Minute {
		t.Errorf("decoded %+v", d)
	}
}

func TestEmptyInputs(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n", "null\n", "~\n"} {
		d := doc{Title: "unchanged"}
		root, err := Unmarshal([]byte(src), &d, Options{})
		if err != nil || root != nil || d.Title != "unchanged" {
			t.Errorf("%q: root %v, err %v, title %q", src, root, err, d.Title)
		}
	}
}

// TestRejections has one case per rule of the package; each names the line.
func TestRejections(t *testing.T) {
	for _, c := range []struct {
		name, src string
		kind      error
		line      int
		want      string
	}{
		{"unknown top-level key", "title: t\ntitel: u\n", ErrUnknownKey, 2, `unknown key "titel"`},
		{"unknown nested key", "items:\n  - name: a\n    nmae: b\n", ErrUnknownKey, 3, `unknown key "nmae"`},
		{"unknown key in map value", "byName:\n  n: {name: a, extra: 1}\n", ErrUnknownKey, 2, `unknown key "extra"`},
		{"unknown key names the known ones", "x: 1\n", ErrUnknownKey, 1, "known: any, byName, items, labels, one, skew, title, version"},
		{"hidden field", "Hidden: x\n", ErrUnknownKey, 1, `"Hidden"`},
		{"duplicate key", "title: a\nversion: 1\ntitle: b\n", ErrDuplicateKey, 3, `duplicate key "title" (first at line 1)`},
		{"duplicate nested key", "one:\n  name: a\n  name: b\n", ErrDuplicateKey, 3, "duplicate"},
		{"duplicate map key", "labels: {a: 1, a: 2}\n", ErrDuplicateKey, 1, `"a"`},
		{"duplicate quoted key", "labels:\n  a: 1\n  \"a\": 2\n", ErrDuplicateKey, 3, `"a"`},
		{"duplicate key under any", "any: {a: 1, a: 2}\n", ErrDuplicateKey, 1, "duplicate"},
		{"second document", "title: a\n---\ntitle: b\n", ErrMultipleDocuments, 2, "second YAML document"},
		{"empty second document", "title: a\n---\n", ErrMultipleDocuments, 0, "second YAML document"},
		{"anchor", "one: &x {name: a}\n", ErrAlias, 1, "anchor &x"},
		{"alias", "one: &x {name: a}\nbyName: {n: *x}\n", ErrAlias, 1, "anchor"},
		{"alias without anchor", "title: *x\n", ErrSyntax, 0, "unknown anchor"},
		{"merge key", "one:\n  <<: {name: a}\n", ErrAlias, 2, "merge key"},
		{"anchored key", "labels: {&k a: 1}\n", ErrAlias, 1, "anchor &k"},
		{"binary tag", "title: !!binary dA==\n", ErrTag, 1, "tag !!binary"},
		{"str tag", "labels: {a: !!str 1}\n", ErrTag, 1, "tag !!str"},
		{"custom tag", "items:\n  - !custom {name: a}\n", ErrTag, 2, "tag !custom"},
		{"tagged key", "labels: {!!str a: 1}\n", ErrTag, 1, "explicit tags"},
		{"non-specific tag", "title: ! t\n", ErrTag, 1, "tag !:"},
		{"non-specific tag on a number", "labels:\n  a: ! 1\n", ErrTag, 2, "non-specific"},
		{"non-specific tag alone", "title: !\n", ErrTag, 1, "non-specific"},
		{"non-specific tag on a mapping", "one: !\n  name: a\n", ErrTag, 1, "non-specific"},
		{"non-specific tag on a sequence", "items: ! [{name: a}]\n", ErrTag, 1, "non-specific"},
		{"non-specific tag in a sequence", "items:\n  - ! {name: a}\n", ErrTag, 2, "non-specific"},
		{"non-specific tag on a key", "labels: {! a: 1}\n", ErrTag, 1, "non-specific"},
		{"non-specific tag on the root", "! \ntitle: t\n", ErrTag, 1, "non-specific"},
		{"non-specific tag after wide characters", "labels: {\"é€\": ! 1}\n", ErrTag, 1, "non-specific"},
		{"verbatim tag", "title: !<tag:yaml.org,2002:str> t\n", ErrTag, 1, "explicit tags"},
		{"YAML directive", "# c\n%YAML 1.1\n---\ntitle: t\n", ErrTag, 2, "directive"},
		{"TAG directive", "%TAG !e! tag:e.com,2000:\n---\ntitle: t\n", ErrTag, 1, "directive"},
		{"document after an end marker", "title: a\n...\n---\ntitle: b\n", ErrMultipleDocuments, 3, "second YAML document"},
		{"empty first document", "---\n...\n---\ntitle: b\n", ErrMultipleDocuments, 3, "second YAML document"},
		{"merge key in flow", "one: {<<: {name: a}}\n", ErrAlias, 1, "merge key"},
		{"mapping as key", "labels: {? {a: 1} : 2}\n", ErrKey, 1, "not a mapping"},
		{"sequence as key", "labels: {? [a] : 2}\n", ErrKey, 1, "not a sequence"},
		{"syntax", "title: [\n", ErrSyntax, 0, ""},
		{"bad indentation", "title: a\n  version: 1\n", ErrSyntax, 2, "mapping values"},
		{"wrong type", "version: [1]\n", ErrType, 1, "cannot unmarshal"},
		{"not a mapping", "- a\n", ErrType, 1, "cannot unmarshal"},
		{"self-decoding type's error", "skew: soon\n", ErrType, 0, "invalid duration"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var d doc
			_, err := Unmarshal([]byte(c.src), &d, Options{Name: "f.yaml"})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if !errors.Is(err, c.kind) {
				t.Errorf("err %q is not %v", err, c.kind)
			}
			if e.Name != "f.yaml" || (c.line > 0 && e.Line != c.line) {
				t.Errorf("err %q at %s:%d, want f.yaml:%d", err, e.Name, e.Line, c.line)
			}
			if c.line > 0 && !strings.HasPrefix(err.Error(), "f.yaml:"+strconv.Itoa(c.line)+": ") {
				t.Errorf("err %q does not start with the name and line", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %q does not mention %q", err, c.want)
			}
		})
	}
}

// TestBillionLaughs: the classic expansion is refused at its first anchor,
// before anything is expanded.
func TestBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(n + ": &" + n + " [")
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = n
	}
	var err error
	allocs := testing.AllocsPerRun(1, func() { _, err = Parse([]byte(b.String()), Options{}) })
	if !errors.Is(err, ErrAlias) {
		t.Fatalf("err = %v, want ErrAlias", err)
	}
	// Refused at the first anchor, the 1 KB document costs a few thousand
	// allocations; expanding it would cost hundreds of millions.
	if allocs > 20_000 {
		t.Errorf("parsing allocated %v times", allocs)
	}
}

// BenchmarkBillionLaughs measures refusing the classic expansion.
func BenchmarkBillionLaughs(b *testing.B) {
	src := []byte("a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n")
	for b.Loop() {
		if _, err := Parse(src, Options{}); !errors.Is(err, ErrAlias) {
			b.Fatal(err)
		}
	}
}

func TestSizeLimit(t *testing.T) {
	src := []byte("title: " + strings.Repeat("x", 100) + "\n")
	if _, err := Parse(src, Options{MaxSize: int64(len(src))}); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	_, err := Parse(src, Options{Name: "big.yaml", MaxSize: int64(len(src) - 1)})
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "big.yaml: ") {
		t.Errorf("over the limit: %v", err)
	}
	// The default limit.
	if _, err := Parse(make([]byte, DefaultMaxSize+1), Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the default limit: %v", err)
	}
}

// TestReadFileSizeBeforeRead: a file over the limit is refused from its
// size, and a file under it is read.
func TestReadFileSizeBeforeRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(p, []byte("title: t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p, 9); err != nil || string(b) != "title: t\n" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	_, err := ReadFile(p, 8)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTooLarge) || e.Name != p {
		t.Errorf("over the limit: %v", err)
	}
	// A sparse file of 1 GiB is refused without reading it.
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Skip("no sparse files:", err)
	}
	f.Close()
	// Refused by its size (the error gives it), not after reading to the
	// limit.
	if _, err := ReadFile(big, 0); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1073741824 bytes") {
		t.Errorf("1 GiB file: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.yaml"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestDecodeNeedsPointer(t *testing.T) {
	root, err := Parse([]byte("title: t\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Decode(root, doc{}, Options{}); err == nil {
		t.Error("Decode into a non-pointer: no error")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{good, "title: a\n---\ntitle: b\n", "one: &x {name: a}\nbyName: {n: *x}\n",
		"one:\n  <<: {name: a}\n", "labels: {a: 1, a: 2}\n", "labels: {? [a] : 2}\n", "- a\n", "title: [\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		root, err := Parse(b, Options{Name: "fuzz.yaml"})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Name != "fuzz.yaml" || e.Line < 0 {
				t.Fatalf("error %v is not an *Error naming the input", err)
			}
			return
		}
		if root != nil {
			noAliases(t, root)
		}
		var d doc
		if _, err := Unmarshal(b, &d, Options{Name: "fuzz.yaml"}); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
		}
	})
}

// noAliases fails when a node under n is an alias, is anchored, or is a
// mapping with a repeated key.
func noAliases(t *testing.T, n *yaml.Node) {
	t.Helper()
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		t.Fatalf("alias or anchor at line %d passed", n.Line)
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if seen[n.Content[i].Value] {
				t.Fatalf("duplicate key %q at line %d passed", n.Content[i].Value, n.Content[i].Line)
			}
			seen[n.Content[i].Value] = true
		}
	}
	for _, c := range n.Content {
		noAliases(t, c)
	}
}

// TestBangAndPercentInValues: "!" and "%" inside values, quoted or in block
// scalars, are not tags or directives.
func TestBangAndPercentInValues(t *testing.T) {
	for src, want := range map[string]string{
		"title: \"! t\"\n":         "! t",
		"title: '!t'\n":            "!t",
		"title: a!b\n":             "a!b",
		"title: |\n  !x\n  %y\n":   "!x\n%y\n",
		"title: >-\n  ! x\n":       "! x",
		"---\ntitle: \"%YAML\"\n":  "%YAML",
		"# %YAML 1.1\ntitle: t!\n": "t!",
	} {
		var d doc
		if _, err := Unmarshal([]byte(src), &d, Options{}); err != nil || d.Title != want {
			t.Errorf("%q: title %q, err %v; want %q", src, d.Title, err, want)
		}
	}
}

// TestAttackYAML11BoolSpelling: yaml.v3 decodes YAML 1.1's yes, no, on,
// off, y and n into a bool field, so `requireNotarized: no` silently meant
// false in a policy documented as YAML 1.2. Only true and false are taken;
// the error names the line.
func TestAttackYAML11BoolSpelling(t *testing.T) {
	type pol struct {
		Require bool              `yaml:"requireNotarized"`
		Flags   []bool            `yaml:"flags"`
		ByName  map[string]bool   `yaml:"byName"`
		Note    string            `yaml:"note"`
		Any     any               `yaml:"any"`
		Labels  map[string]string `yaml:"labels"`
	}
	for _, src := range []string{
		"note: x\nrequireNotarized: no\n",
		"note: x\nrequireNotarized: On\n",
		"note: x\nrequireNotarized: \"yes\"\n",
		"note: x\nflags: [true, n]\n",
		"note: x\nbyName: {a: off}\n",
	} {
		var p pol
		_, err := Unmarshal([]byte(src), &p, Options{Name: "p.yaml"})
		if !errors.Is(err, ErrBool) || !strings.HasPrefix(err.Error(), "p.yaml:2: ") {
			t.Errorf("%q: err %v, want ErrBool at line 2", src, err)
		}
	}
}

// TestStrictBoolAcceptsTrueFalse: true and false decode into bool fields,
// and YAML 1.1 spellings stay strings where a string is wanted.
func TestStrictBoolAcceptsTrueFalse(t *testing.T) {
	var p struct {
		Require bool              `yaml:"requireNotarized"`
		Off     bool              `yaml:"off"`
		Note    string            `yaml:"note"`
		Labels  map[string]string `yaml:"labels"`
	}
	src := "requireNotarized: true\noff: false\nnote: no\nlabels: {country: NO, ok: yes}\n"
	if _, err := Unmarshal([]byte(src), &p, Options{}); err != nil {
		t.Fatal(err)
	}
	if !p.Require || p.Off || p.Note != "no" || p.Labels["country"] != "NO" || p.Labels["ok"] != "yes" {
		t.Errorf("%+v", p)
	}
}
