package verify

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/shipgate/shipgate/internal/strictyaml"
)

const goodPolicy = `# release gate
failOn: warning
trust:
  roots: [certs/root.pem]
  system: false
  embedded: [apple]
  revocationPolicy: windows
blocklists:
  files: [lists/iocs.csv]
  builtin: true
severity:
  codesign/*: error
  policy/untrusted: note
  file/symlink-escape: off
rules:
  - match: ["**/*.dll", "**/*.exe"]
    require: valid
    signers:
      - subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd"
        issuer: "CN=Shipgate Test Root"
      - thumbprint: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD"
  - match: ["Contents/Frameworks/**"]
    require: signed
    allowAdhoc: true
    signers:
      - teamID: TEAM123456
  - match: ["resources/app.asar/**"]
    allowUnsigned: true
    forbidKinds: [pe]
`

func TestParsePolicy(t *testing.T) {
	t.Parallel()
	p, err := ParsePolicy([]byte(goodPolicy))
	if err != nil {
		t.Fatal(err)
	}
	if p.FailOn != FailOnWarning || p.Trust.RevocationPolicy != "windows" || len(p.Rules) != 3 || p.Rules[1].line != 22 {
		t.Errorf("parsed %+v (rule 1 at line %d)", p, p.Rules[1].line)
	}
	if s := p.settingsFor("Contents/Frameworks/X.framework/X"); s.require != RequireSigned || !s.allowAdhoc || len(s.signers) != 1 {
		t.Errorf("settings %+v", s)
	}
	if s := p.settingsFor("resources/app.asar/x.dll"); s.require != RequireValid || !s.allowUnsigned || len(s.forbid) != 1 {
		t.Errorf("last matching rule setting each field: %+v", s)
	}
	if sev, on := p.severityFor("codesign/page-hash-mismatch", 0); !on || sev.String() != "error" {
		t.Errorf("family override: %v %v", sev, on)
	}
	if _, on := p.severityFor("file/symlink-escape", 2); on {
		t.Errorf("off did not turn the rule off")
	}
	for _, empty := range []string{"", "# nothing\n", "---\n"} {
		if p, err := ParsePolicy([]byte(empty)); err != nil || len(p.Rules) != 0 {
			t.Errorf("empty policy %q: %v", empty, err)
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, src string
		line      int
		want      string
	}{
		{"unknown top-level key", "failOn: error\nrulez: []\n", 2, `unknown key "rulez"`},
		{"unknown nested key", "trust:\n  system: true\n  rootz: [a]\n", 3, `unknown key "rootz"`},
		{"unknown rule key", "rules:\n  - match: [a]\n    requires: valid\n", 3, `unknown key "requires"`},
		{"unknown signer key", "rules:\n  - match: [a]\n    signers:\n      - subjct: x\n", 4, `unknown key "subjct"`},
		{"duplicate key", "failOn: error\nfailOn: never\n", 2, "duplicate"},
		{"bad failOn", "failOn: sometimes\n", 1, "failOn"},
		{"bad require", "rules:\n  - match: [a]\n    require: maybe\n", 3, "require"},
		{"rule without match", "rules:\n  - require: valid\n", 2, "match"},
		{"bad glob", "rules:\n  - match: ['a/[b']\n", 2, "syntax"},
		{"partial doublestar", "rules:\n  - match: ['a/**b']\n", 2, "whole path element"},
		{"absolute glob", "rules:\n  - match: ['/a']\n", 2, "relative"},
		{"signer without criteria", "rules:\n  - match: [a]\n    signers:\n      - {}\n", 4, "criteria"},
		{"subject without issuer", "rules:\n  - match: [a]\n    signers:\n      - subject: CN=x\n", 4, "issuer"},
		{"bad thumbprint", "rules:\n  - match: [a]\n    signers:\n      - thumbprint: abc\n", 4, "thumbprint"},
		{"bad kind", "rules:\n  - match: [a]\n    forbidKinds: [exe]\n", 3, "forbidKinds"},
		{"bad severity", "severity:\n  file/malformed: fatal\n", 2, "severity"},
		{"bad rule id", "severity:\n  Malformed: error\n", 2, "rule ID"},
		{"bad revocation policy", "trust:\n  revocationPolicy: lenient\n", 2, "revocationPolicy"},
		{"bad embedded root set", "trust:\n  embedded: [google]\n", 2, "embedded"},
		{"wrong type", "trust:\n  system: [yes]\n", 2, "cannot unmarshal"},
		{"not a mapping", "- a\n- b\n", 1, "cannot unmarshal"},
		{"alias", "trust: &x {system: true}\nblocklists: *x\n", 1, "aliases"},
		{"alias of a scalar", "failOn: &f error\nseverity: {file/malformed: *f}\n", 1, "aliases"},
		{"merge key", "trust:\n  <<: {system: false}\n", 2, "merge key"},
		{"second document", "failOn: error\n---\nfailOn: never\n", 2, "second YAML document"},
		{"duplicate nested key", "trust:\n  system: true\n  system: false\n", 3, `duplicate key "system"`},
		{"duplicate severity key", "severity:\n  file/malformed: off\n  file/malformed: error\n", 3, `duplicate key "file/malformed"`},
		{"too large", "failOn: error\n" + strings.Repeat("#", maxPolicySize), 0, "larger than the limit"},
		{"syntax", "rules: [\n", 0, ""},
		{"unknown sigstore key", "rules:\n  - match: [a]\n    sigstore:\n      trustedRoot: r.json\n      certificateIdentity: a\n      certificateOidcIssuer: b\n      identity: c\n", 7, `unknown key "identity"`},
		{"sigstore without trusted root", "rules:\n  - match: [a]\n    sigstore:\n      certificateIdentity: a\n      certificateOidcIssuer: b\n", 4, "trustedRoot"},
		{"sigstore without identity", "rules:\n  - match: [a]\n    sigstore:\n      trustedRoot: r.json\n      certificateOidcIssuer: b\n", 4, "certificateIdentity"},
		{"sigstore with two identities", "rules:\n  - match: [a]\n    sigstore:\n      trustedRoot: r.json\n      certificateIdentity: a\n      certificateIdentityRegexp: a.*\n      certificateOidcIssuer: b\n", 5, "exactly one"},
		{"sigstore without issuer", "rules:\n  - match: [a]\n    sigstore:\n      trustedRoot: r.json\n      certificateIdentity: a\n", 4, "certificateOidcIssuer"},
		{"sigstore key and identity", "rules:\n  - match: [a]\n    sigstore:\n      trustedRoot: r.json\n      key: k.pem\n      certificateIdentity: a\n", 5, "exclude"},
		{"sigstore bad regexp", "rules:\n  - match: [a]\n    sigstore:\n      trustedRoot: r.json\n      certificateIdentityRegexp: '(a'\n      certificateOidcIssuer: b\n", 5, "certificateIdentityRegexp"},
		{"sigstore negative timestamps", "rules:\n  - match: [a]\n    sigstore:\n      trustedRoot: r.json\n      key: k.pem\n      signedTimestamps: -1\n", 6, "signedTimestamps"},
		{"sigstore wrong type", "rules:\n  - match: [a]\n    sigstore:\n      trustedRoot: r.json\n      key: k.pem\n      insecureIgnoreTlog: maybe\n", 6, "cannot unmarshal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parsePolicy([]byte(c.src), "p.yaml")
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PolicyError", err)
			}
			if c.line > 0 && !strings.Contains(err.Error(), "p.yaml:"+itoa(c.line)+":") {
				t.Errorf("err %q does not name line %d", err, c.line)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %q does not mention %q", err, c.want)
			}
		})
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestLoadPolicyStrict reads each kind of strictness failure from a file:
// the error is a *PolicyError naming the file and the line, and a file over
// the size limit is refused before it is read.
func TestLoadPolicyStrict(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		name, src string
		line      int
		kind      error
	}{
		{"unknown key", "failOn: error\nrulez: []\n", 2, strictyaml.ErrUnknownKey},
		{"duplicate key", "failOn: error\nfailOn: never\n", 2, strictyaml.ErrDuplicateKey},
		{"second document", "failOn: error\n---\n{}\n", 2, strictyaml.ErrMultipleDocuments},
		{"anchor and alias", "trust: &x {system: true}\nblocklists: *x\n", 1, strictyaml.ErrAlias},
		{"syntax", "rules: [\n  - a: b\n  -\n", 0, strictyaml.ErrSyntax},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
			if err := os.WriteFile(p, []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadPolicy(p)
			var pe *PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, c.kind) {
				t.Fatalf("err = %v, want a *PolicyError for %v", err, c.kind)
			}
			if pe.File != p || (c.line > 0 && !strings.HasPrefix(err.Error(), p+":"+itoa(c.line)+": ")) {
				t.Errorf("err %q does not name %s:%d", err, p, c.line)
			}
		})
	}
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(1 << 30); err != nil {
		t.Skip("no sparse files:", err)
	}
	_, err = LoadPolicy(big)
	var pe *PolicyError
	if !errors.As(err, &pe) || !errors.Is(err, strictyaml.ErrTooLarge) || pe.File != big {
		t.Errorf("1 GiB policy: %v", err)
	}
}

func TestLoadPolicyRelativePaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "conf", "policy.yaml")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("trust:\n  roots: [root.pem, /abs/root.pem]\nblocklists:\n  files: [../lists/x.csv]\n"), 0o644)
	pol, err := LoadPolicy(p)
	if err != nil {
		t.Fatal(err)
	}
	if pol.Trust.Roots[0] != filepath.Join(dir, "conf", "root.pem") || pol.Trust.Roots[1] != "/abs/root.pem" {
		t.Errorf("roots %q", pol.Trust.Roots)
	}
	if pol.Blocklists.Files[0] != filepath.Join(dir, "lists", "x.csv") {
		t.Errorf("blocklists %q", pol.Blocklists.Files)
	}
	os.WriteFile(p, []byte("rules:\n  - match: [a]\n    sigstore: {trustedRoot: sigstore/trusted_root.json, key: /abs/k.pem}\n"), 0o644)
	if pol, err = LoadPolicy(p); err != nil {
		t.Fatal(err)
	}
	if s := pol.Rules[0].Sigstore; s.TrustedRoot != filepath.Join(dir, "conf", "sigstore", "trusted_root.json") || s.Key != "/abs/k.pem" {
		t.Errorf("sigstore paths %q %q", s.TrustedRoot, s.Key)
	}
	if _, err := LoadPolicy(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Errorf("missing policy: no error")
	}
}

// TestPolicySchema checks the JSON Schema of docs/policy.md against the
// parser: policies the parser accepts validate, policies with unknown keys
// or bad values do not.
func TestPolicySchema(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	var doc any
	if err := json.Unmarshal(PolicySchema, &doc); err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("policy.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("policy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	validate := func(src string) error {
		var v any
		if err := yaml.Unmarshal([]byte(src), &v); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
		return sch.Validate(inst)
	}
	sigstoreRule := "rules:\n  - match: ['**/*.tar.gz']\n    sigstore:\n      trustedRoot: trusted_root.json\n"
	for _, src := range []string{goodPolicy, "failOn: never\n", "{}\n", "rules: []\n", sigstoreKeylessPolicy,
		sigstoreRule + "      certificateIdentityRegexp: 'https://github\\.com/acme/.*'\n      certificateOidcIssuer: https://token.actions.githubusercontent.com\n      signedTimestamps: 1\n      insecureIgnoreSCT: true\n",
		sigstoreRule + "      key: cosign.pub\n      insecureIgnoreTlog: true\n",
	} {
		if _, err := ParsePolicy([]byte(src)); err != nil {
			t.Fatalf("parser rejects %q: %v", src, err)
		}
		if err := validate(src); err != nil {
			t.Errorf("schema rejects a policy the parser accepts:\n%s\n%v", src, err)
		}
	}
	for _, src := range []string{
		"rulez: []\n",
		"failOn: sometimes\n",
		"rules:\n  - require: valid\n",
		"rules:\n  - match: [a]\n    require: maybe\n",
		"rules:\n  - match: [a]\n    signers:\n      - {}\n",
		"rules:\n  - match: [a]\n    forbidKinds: [exe]\n",
		"severity:\n  file/malformed: fatal\n",
		"trust:\n  revocationPolicy: lenient\n",
		"trust:\n  embedded: [google]\n",
		sigstoreRule + "      certificateIdentity: a\n",
		sigstoreRule + "      key: k.pem\n      certificateIdentity: a\n      certificateOidcIssuer: b\n",
		sigstoreRule + "      certificateIdentity: a\n      certificateIdentityRegexp: a\n      certificateOidcIssuer: b\n",
		sigstoreRule + "      key: k.pem\n      tlog: false\n",
		sigstoreRule + "      key: k.pem\n      signedTimestamps: -1\n",
		"rules:\n  - match: [a]\n    sigstore:\n      key: k.pem\n",
	} {
		if _, err := ParsePolicy([]byte(src)); err == nil {
			t.Fatalf("parser accepts %q", src)
		}
		if err := validate(src); err == nil {
			t.Errorf("schema accepts a policy the parser rejects:\n%s", src)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(goodPolicy))
	f.Add([]byte("rules:\n  - match: ['**']\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	f.Add([]byte(sigstoreKeylessPolicy))
	f.Add([]byte("rules:\n  - match: [a]\n    sigstore: {trustedRoot: r.json, key: k.pem, signedTimestamps: 1, insecureIgnoreTlog: true}\n"))
	for _, s := range []string{"failOn: error\n---\n{}\n", "trust:\n  <<: {system: false}\n", "failOn: error\nfailOn: never\n",
		"severity: {file/malformed: off, policy/*: note}\n", "rules:\n  - match: [a]\n    requires: valid\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePolicy(b)
		var pe *PolicyError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("error %v is not a *PolicyError", err)
		}
		if err == nil {
			if err := p.Validate(); err != nil {
				t.Errorf("parsed policy does not validate: %v", err)
			}
			for i := range p.Rules {
				p.settingsFor("a/b/c.dll")
				_ = i
			}
			for _, r := range p.Rules {
				if r.Sigstore != nil {
					r.Sigstore.identity()
					r.Sigstore.expected()
				}
			}
		}
	})
}
