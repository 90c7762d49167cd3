package verify

import (
	"crypto"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
)

// TestForbidKindsCatalogAndScripts: forbidKinds names catalog, jscript and
// vbscript as it names the other Windows kinds (issue #14: policy works on
// the new kinds; these three had no test). Each forbidden kind is
// policy/forbidden-kind on its files and on no other.
func TestForbidKindsCatalogAndScripts(t *testing.T) {
	f := getFixtures(t)
	d, err := pefile.ImageDigest(f.peUnsigned, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat":    signedCatalog(t, nil, pefile.CatalogMember{Digest: d, Name: "app.exe"}),
		"helper.vbs": []byte("WScript.Echo \"hi\"\r\n"),
		"run.js":     []byte("WScript.Echo(1);\r\n// SIG // Begin signature block\r\n// SIG // MIIB\r\n// SIG // End signature block\r\n"),
		"web.js":     []byte("console.log(1);\n"),
	})
	want := map[string]Kind{"drv.cat": KindCatalog, "helper.vbs": KindVBScript, "run.js": KindJScript, "web.js": KindOther}
	for _, k := range []Kind{KindCatalog, KindJScript, KindVBScript} {
		pol := &Policy{Rules: []Rule{{Match: []string{"**"}, ForbidKinds: []Kind{k}}}}
		if err := pol.Validate(); err != nil {
			t.Fatalf("forbidKinds [%s]: %v", k, err)
		}
		r := run(t, Options{Policy: pol}, dir)
		for p, pk := range want {
			if fb := fileByPath(r, p); fb == nil || fb.Kind != pk {
				t.Errorf("%s: %+v, want kind %s", p, fb, pk)
			}
			if got := rulesFor(r, p); has(got, "error "+string(RuleForbiddenKind)) != (pk == k) {
				t.Errorf("forbidKinds [%s]: %s: findings %q", k, p, got)
			}
		}
	}
}
