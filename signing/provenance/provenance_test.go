package provenance

import (
	"errors"
	"strings"
	"testing"
)

const artifact = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// npmV1 is modeled on the provenance npm publishes for a package built by
// GitHub Actions (SLSA v1, GitHub workflow build type).
const npmV1 = `{
  "_type": "https://in-toto.io/Statement/v1",
  "subject": [{"name": "pkg:npm/%40acme/app@1.4.0", "digest": {"sha512": "abc", "sha256": "` + artifact + `"}}],
  "predicateType": "https://slsa.dev/provenance/v1",
  "predicate": {
    "buildDefinition": {
      "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
      "externalParameters": {"workflow": {"ref": "refs/tags/v1.4.0", "repository": "https://github.com/acme/app", "path": ".github/workflows/release.yml"}},
      "internalParameters": {"github": {"event_name": "push"}},
      "resolvedDependencies": [{"uri": "git+https://github.com/acme/app@refs/tags/v1.4.0", "digest": {"gitCommit": "1234567890abcdef1234567890abcdef12345678"}}]
    },
    "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}, "metadata": {"invocationId": "https://github.com/acme/app/actions/runs/1/attempts/1"}}
  }
}`

// generatorV02 is modeled on slsa-github-generator's SLSA v0.2 provenance.
const generatorV02 = `{
  "_type": "https://in-toto.io/Statement/v0.1",
  "predicateType": "https://slsa.dev/provenance/v0.2",
  "subject": [{"name": "app-linux-amd64", "digest": {"sha256": "` + artifact + `"}}],
  "predicate": {
    "builder": {"id": "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0"},
    "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
    "invocation": {"configSource": {"uri": "git+https://github.com/acme/app@refs/tags/v1.4.0", "digest": {"sha1": "1234567890abcdef1234567890abcdef12345678"}, "entryPoint": ".github/workflows/release.yml"}},
    "materials": [{"uri": "git+https://github.com/acme/app@refs/tags/v1.4.0", "digest": {"sha1": "1234567890abcdef1234567890abcdef12345678"}}]
  }
}`

func TestParseNpmV1(t *testing.T) {
	p, err := Parse([]byte(npmV1))
	if err != nil {
		t.Fatal(err)
	}
	if p.BuilderID != "https://github.com/actions/runner/github-hosted" || p.SourceRepository != "https://github.com/acme/app" || p.SourceRef != "refs/tags/v1.4.0" || p.SourceDigest != "gitCommit:1234567890abcdef1234567890abcdef12345678" {
		t.Errorf("%+v", p)
	}
	req := Requirements{SourceRepository: "github.com/ACME/app", SourceRefRegexp: `refs/tags/v.*`, BuildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"}
	if err := p.Check(req, artifact); err != nil {
		t.Error(err)
	}
}

func TestParseGeneratorV02(t *testing.T) {
	p, err := Parse([]byte(generatorV02))
	if err != nil {
		t.Fatal(err)
	}
	if p.SourceRepository != "https://github.com/acme/app" || p.SourceRef != "refs/tags/v1.4.0" || p.SourceDigest != "sha1:1234567890abcdef1234567890abcdef12345678" {
		t.Errorf("%+v", p)
	}
	req := Requirements{BuilderIDRegexp: `https://github\.com/slsa-framework/slsa-github-generator/\.github/workflows/generator_generic_slsa3\.yml@refs/tags/v.*`, SourceRef: "refs/tags/v1.4.0"}
	if err := p.Check(req, artifact); err != nil {
		t.Error(err)
	}
	if err := p.Check(Requirements{PredicateTypes: []string{PredicateV1}}, artifact); !errors.Is(err, ErrProvenance) {
		t.Errorf("v0.2 accepted where only v1 is: %v", err)
	}
}

// TestOtherPredicateTypeIsNotProvenance: an attestation of another type
// signed by the same workflow (a VSA, an SBOM) never counts as provenance.
func TestOtherPredicateTypeIsNotProvenance(t *testing.T) {
	for _, pt := range []string{"https://slsa.dev/verification_summary/v1", "https://spdx.dev/Document", "https://slsa.dev/provenance/v1 ", "https://slsa.dev/provenance/v2"} {
		st := strings.Replace(npmV1, `"predicateType": "https://slsa.dev/provenance/v1"`, `"predicateType": "`+pt+`"`, 1)
		if _, err := Parse([]byte(st)); !errors.Is(err, ErrProvenance) {
			t.Errorf("predicate type %q: %v", pt, err)
		}
	}
}

// TestRepositoryPrefixDoesNotMatch: github.com/acme/app-evil is not
// github.com/acme/app, and a fork is not the repository.
func TestRepositoryPrefixDoesNotMatch(t *testing.T) {
	for _, repo := range []string{"https://github.com/acme/app-evil", "https://github.com/evil/app", "https://github.com/acme/app/../evil", "https://github.com.evil.com/acme/app"} {
		st := strings.ReplaceAll(npmV1, "https://github.com/acme/app", repo)
		p, err := Parse([]byte(st))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(Requirements{SourceRepository: "github.com/acme/app"}, ""); !errors.Is(err, ErrProvenance) {
			t.Errorf("repository %s accepted as github.com/acme/app", repo)
		}
	}
}

// TestRegexpsMatchWholeValue: the ref and builder patterns are anchored.
func TestRegexpsMatchWholeValue(t *testing.T) {
	st := strings.ReplaceAll(npmV1, "refs/tags/v1.4.0", "refs/heads/evil-refs/tags/v1.4.0")
	p, err := Parse([]byte(st))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(Requirements{SourceRefRegexp: `refs/tags/v.*`}, ""); !errors.Is(err, ErrProvenance) {
		t.Error("unanchored ref pattern")
	}
	if err := p.Check(Requirements{BuilderIDRegexp: `https://github.com/actions/runner`}, ""); !errors.Is(err, ErrProvenance) {
		t.Error("unanchored builder pattern")
	}
}

func TestArtifactMustBeSubject(t *testing.T) {
	p, err := Parse([]byte(npmV1))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(Requirements{}, strings.Repeat("0", 64)); !errors.Is(err, ErrProvenance) || !strings.Contains(err.Error(), "not a subject") {
		t.Errorf("error %v", err)
	}
}

func TestParseRefusesMalformed(t *testing.T) {
	for name, st := range map[string]string{
		"not json":               `{`,
		"no subject":             strings.Replace(npmV1, `"subject": [{"name": "pkg:npm/%40acme/app@1.4.0", "digest": {"sha512": "abc", "sha256": "`+artifact+`"}}],`, "", 1),
		"no builder":             strings.Replace(npmV1, `"id": "https://github.com/actions/runner/github-hosted"`, `"id": ""`, 1),
		"other type":             strings.Replace(npmV1, "https://in-toto.io/Statement/v1", "https://example.com/Statement", 1),
		"trailing data":          npmV1 + "{}",
		"duplicate keys":         strings.Replace(npmV1, `"_type"`, `"_type": "x", "_type"`, 1),
		"keys differing in case": strings.Replace(npmV1, `"predicateType"`, `"PredicateType": "https://slsa.dev/provenance/v1", "predicateType"`, 1),
	} {
		if _, err := Parse([]byte(st)); !errors.Is(err, ErrProvenance) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRequirementsValidate(t *testing.T) {
	for _, r := range []Requirements{
		{BuilderIDRegexp: "("},
		{PredicateTypes: []string{"https://slsa.dev/verification_summary/v1"}},
		{BuilderID: "a", BuilderIDRegexp: "a"},
		{SourceRef: "a", SourceRefRegexp: "a"},
	} {
		if err := r.Validate(); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
}

func TestSplitGitURI(t *testing.T) {
	for u, want := range map[string][2]string{
		"git+https://github.com/acme/app@refs/tags/v1":     {"https://github.com/acme/app", "refs/tags/v1"},
		"git+https://github.com/acme/app.git@refs/heads/x": {"https://github.com/acme/app", "refs/heads/x"},
		"git+https://github.com/acme/app":                  {"https://github.com/acme/app", ""},
		"git+ssh://git@github.com/acme/app@refs/tags/v1":   {"ssh://git@github.com/acme/app", "refs/tags/v1"},
	} {
		if r, ref := splitGitURI(u); r != want[0] || ref != want[1] {
			t.Errorf("%s: %q %q, want %q", u, r, ref, want)
		}
	}
}
