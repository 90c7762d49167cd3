package provenance

import (
	"errors"
	"strings"
	"testing"
)

// TestV1SourceMustAgree: a v1 statement whose externalParameters name the
// expected repository or ref while the source it resolved is another is
// refused, whichever half the requirements would have read.
func TestV1SourceMustAgree(t *testing.T) {
	for name, tamper := range map[string][2]string{
		"repository": {"git+https://github.com/acme/app@refs/tags/v1.4.0", "git+https://github.com/evil/app@refs/tags/v1.4.0"},
		"ref":        {"git+https://github.com/acme/app@refs/tags/v1.4.0", "git+https://github.com/acme/app@refs/heads/evil"},
	} {
		st := strings.Replace(npmV1, tamper[0], tamper[1], 1)
		if _, err := Parse([]byte(st)); !errors.Is(err, ErrProvenance) {
			t.Errorf("%s: error %v", name, err)
		}
	}
	// The source named in one place only is read from there.
	st := strings.Replace(npmV1, `"repository": "https://github.com/acme/app", `, "", 1)
	p, err := Parse([]byte(st))
	if err != nil || p.SourceRepository != "https://github.com/acme/app" || p.SourceRef != "refs/tags/v1.4.0" {
		t.Errorf("%+v %v", p, err)
	}
}

// TestRepositorySpellingsThatAreOtherRepositories: look-alike
// repositories do not meet a sourceRepository requirement.
func TestRepositorySpellingsThatAreOtherRepositories(t *testing.T) {
	for _, repo := range []string{
		"https://github.com/acme/app-evil", "https://github.com/acme/app/evil", "https://github.com@evil.com/acme/app",
		"https://evil.com/github.com/acme/app", "ssh://git@github.com/acme/app",
	} {
		p := &Provenance{PredicateType: PredicateV1, BuilderID: "b", SourceRepository: normalizeRepo(repo), Subjects: []Subject{{Digest: map[string]string{"sha256": artifact}}}}
		if err := p.Check(Requirements{SourceRepository: "github.com/acme/app"}, artifact); !errors.Is(err, ErrProvenance) {
			t.Errorf("%s: accepted", repo)
		}
	}
}
