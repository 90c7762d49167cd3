package git

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestAttackAttributesUnsetWithValueProtected: an unsigned commit adds
// "vendor/lib/check.c -text=1" to the root .gitattributes. git reads it as
// "-text" (attr.c's parse_attr ignores a value after "-" or "!"), which
// changes the bytes a checkout writes for the protected file; the audit
// read an attribute named "text=1", none of those that change a checkout,
// and reported nothing. It is git/protected-attributes-changed now, as a
// plain "-text" line is.
func TestAttackAttributesUnsetWithValueProtected(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	base := map[string]string{"vendor/lib/check.c": "int check(void) { return 1; }\r\n", "src/main.c": "m\n", ".gitattributes": "*.c text eol=crlf\n"}
	root := tr.commit(commitSpec{files: base})
	tr.tag("v1", root, nil)
	evil := tr.commit(commitSpec{files: with(base, ".gitattributes", "*.c text eol=crlf\nvendor/lib/check.c -text=1 !eol=x\n"), parents: []plumbing.Hash{root}})
	tr.head(evil)
	rtAudit(t, tr.dir, Options{Since: "v1", Policy: vendorOnly}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleProtectedAttributes, evil)
	})
}
