package git

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/strictyaml"
)

func TestParsePolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "policy.yaml")
	os.WriteFile(p, []byte(`protect:
  - path: third_party/**
    owners: ["*@example.com"]
    signers: [alice@example.com]
allowedSigners: keys/allowed_signers
keyrings: [keys/team.asc]
clockSkew: 90s
vendor:
  - path: third_party/zlib
    upstream: ../zlib
    commit: 0123456789abcdef0123456789abcdef01234567
`), 0o644)
	pol, err := LoadPolicy(p)
	if err != nil {
		t.Fatal(err)
	}
	if pol.AllowedSigners != filepath.Join(dir, "keys/allowed_signers") || pol.Vendor[0].Upstream != filepath.Join(dir, "../zlib") {
		t.Errorf("paths not resolved: %+v", pol)
	}
	if pol.clockSkew() != 90*time.Second || pol.Protect[0].Owners[0] != "*@example.com" {
		t.Errorf("%+v", pol)
	}
	for _, c := range []struct{ doc, want string }{
		{"protect:\n  - path: a\n    owner: [x]\n", `policy:3: unknown key "owner"`},
		{"protekt: []\n", `policy:1: unknown key "protekt"`},
		{"protect:\n  - path: '[a'\n", "syntax error in pattern"},
		{"clockSkew: soon\n", "bad duration"},
		{"vendor:\n  - path: ../x\n    upstream: u\n    commit: c\n", "clean relative path"},
	} {
		_, err := ParsePolicy([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.doc, err, c.want)
		}
	}
	if _, err := ParsePolicy(nil); err != nil {
		t.Errorf("empty policy: %v", err)
	}
}

// TestPolicyStrictYAML checks each rejection of the strict YAML reader
// through ParsePolicy (errors naming "policy" and the line) and LoadPolicy
// (naming the file).
func TestPolicyStrictYAML(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		name, doc string
		line      int
		kind      error
	}{
		{"unknown key", "protect:\n  - path: a\n    signer: [x]\n", 3, strictyaml.ErrUnknownKey},
		{"unknown vendor key", "vendor:\n  - path: v\n    upstream: u\n    commit: c\n    branch: main\n", 5, strictyaml.ErrUnknownKey},
		{"duplicate key", "allowedSigners: a\nallowedSigners: b\n", 2, strictyaml.ErrDuplicateKey},
		{"duplicate upstream", "upstreams:\n  https://x: a\n  https://x: b\n", 3, strictyaml.ErrDuplicateKey},
		{"second document", "binaryAllow: [a]\n---\nbinaryAllow: ['**']\n", 2, strictyaml.ErrMultipleDocuments},
		{"anchor and alias", "binaryAllow: &b ['**']\nartifactAllow: *b\n", 1, strictyaml.ErrAlias},
		{"merge key", "protect:\n  - <<: {path: a}\n", 2, strictyaml.ErrAlias},
		{"wrong type", "protect: yes\n", 1, strictyaml.ErrType},
		{"syntax", "protect: [\n", 1, strictyaml.ErrSyntax},
		{"too large", "protect: []\n" + strings.Repeat("#", maxPolicySize), 0, strictyaml.ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePolicy([]byte(c.doc))
			if !errors.Is(err, c.kind) {
				t.Fatalf("ParsePolicy: err = %v, want %v", err, c.kind)
			}
			if c.line > 0 && !strings.HasPrefix(err.Error(), fmt.Sprintf("policy:%d: ", c.line)) {
				t.Errorf("ParsePolicy: err %q does not name line %d", err, c.line)
			}
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
			if err := os.WriteFile(p, []byte(c.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = LoadPolicy(p)
			if !errors.Is(err, c.kind) {
				t.Fatalf("LoadPolicy: err = %v, want %v", err, c.kind)
			}
			want := p + ": "
			if c.line > 0 {
				want = fmt.Sprintf("%s:%d: ", p, c.line)
			}
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("LoadPolicy: err %q does not start with %q", err, want)
			}
		})
	}
}

func TestMatchGlob(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		g, p string
		want bool
	}{
		{"vendor/**", "vendor/a/b.go", true},
		{"vendor/**", "vendorx/a", false},
		{"vendor", "vendor/a/b.go", true},
		{"vendor/", "vendor/a", true},
		{"**/node_modules/**", "app/node_modules/x/index.js", true},
		{"**/node_modules/**", "node_modules/x", true},
		{"electron/*.dll", "electron/ffmpeg.dll", true},
		{"electron/*.dll", "electron/sub/ffmpeg.dll", false},
		{"third_party/*/src/**", "third_party/zlib/src/a.c", true},
		{"third_party/*/src/**", "third_party/zlib/doc/a", false},
	} {
		for _, fold := range []bool{false, true} {
			if got := matchGlob(c.g, c.p, fold); got != c.want {
				t.Errorf("matchGlob(%q, %q, %v) = %v", c.g, c.p, fold, got)
			}
		}
	}
	for _, c := range []struct{ g, p string }{
		{"vendor/**", "VENDOR/ffmpeg/x.c"},
		{"vendor/**", "Vendor/x.c"},
		{"third_party/*/src/**", "Third_Party/zlib/SRC/a.c"},
		{"electron/*.dll", "Electron/FFMPEG.DLL"},
	} {
		if !matchGlob(c.g, c.p, true) {
			t.Errorf("matchGlob(%q, %q) ignoring case = false", c.g, c.p)
		}
		if matchGlob(c.g, c.p, false) {
			t.Errorf("matchGlob(%q, %q) with case = true", c.g, c.p)
		}
	}
	if got := prefixes([]string{"vendor/**", "vendor/a/**", "third_party/*/src", "x/y"}); strings.Join(got, ",") != "third_party,vendor,x/y" {
		t.Errorf("prefixes: %v", got)
	}
	if got := prefixes([]string{"**/node_modules/**", "vendor"}); strings.Join(got, ",") != "" || len(got) != 1 {
		t.Errorf("prefixes with **: %q", got)
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte("protect:\n  - path: third_party/**\n    owners: [a@b]\n    signers: [a@b]\nclockSkew: 5m\n"))
	f.Add([]byte("vendor:\n  - path: v\n    upstream: ../u\n    commit: abc\nupstreams: {x: y}\n"))
	f.Add([]byte("binaryAllow: &b ['**']\nartifactAllow: *b\n"))
	f.Add([]byte("protect:\n  - <<: {path: a}\n---\n{}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePolicy(b)
		if err != nil {
			return
		}
		for _, r := range p.Protect {
			matchGlob(r.Path, "third_party/a/b", p.foldPaths())
			globPrefix(r.Path)
		}
	})
}
