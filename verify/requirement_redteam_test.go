package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// Red team, held: a package one of whose signatures satisfies the
// policy's requirement and the other does not (its CMS signature by
// another team) fails the gate with the requirement's own error finding,
// whatever else is reported: the satisfied signature does not carry the
// package. Two intact signatures cannot split on certificate terms, since
// a second signer makes its signature invalid (pkg's signer mismatch),
// and a signature that is not intact or is undecided never satisfies.
func TestAttackPkgOneSignatureSatisfies(t *testing.T) {
	t.Parallel()
	s, p := pkgSpec(t)
	s.CMSSigner = p.OtherTeam
	b, _ := pkgfile.Build(s)
	pol, err := ParsePolicy([]byte("rules:\n  - match: [\"Example.pkg\"]\n    require: none\n    requirement: 'certificate leaf[subject.OU] = TEAM123456'\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Example.pkg": b})
	mustFail(t, Options{Policy: pol}, "Example.pkg", RuleRequirementNotSatisfied, dir)
}
