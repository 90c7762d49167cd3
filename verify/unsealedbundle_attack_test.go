package verify

import (
	"strings"
	"testing"
)

// TestAttackUnsealedBundleUnlistedExtension: a signed plugin bundle whose
// extension shipgate did not list (an AudioUnit's .component, a
// scripting addition's .osax), with its _CodeSignature deleted and its
// Info.plist changed, was walked as loose files: its main executable,
// valid on its own, passed `require: valid`, while the Info.plist and
// CodeResources its signature binds were changed and gone. A folder with
// Contents/Info.plist beside Contents/MacOS is verified as a bundle now,
// whatever its extension.
func TestAttackUnsealedBundleUnlistedExtension(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Example.component", "Example.osax", "Example"} {
		tree := map[string][]byte{}
		for n, f := range exampleBundle(t) {
			if strings.Contains(n, "_CodeSignature") || strings.Contains(n, "addon.node") || f.Link != "" {
				continue
			}
			n = strings.Replace(n, "Example.app", name, 1)
			if n == name+"/Contents/Info.plist" {
				f.Data = []byte(strings.Replace(string(f.Data), "</dict>", "<key>LSEnvironment</key><dict><key>DYLD_INSERT_LIBRARIES</key><string>/tmp/x.dylib</string></dict></dict>", 1))
			}
			tree[n] = f.Data
		}
		dir := t.TempDir()
		writeTree(t, dir, tree)
		r := run(t, Options{Policy: requireValid()}, dir)
		if r.Summary.Passed {
			t.Errorf("%s: require: valid passed", name)
		}
		if got := rulesFor(r, name+"/Contents/_CodeSignature/CodeResources"); !has(got, "error codesign/resource-modified") {
			t.Errorf("%s: findings on the seal %q, errors %v", name, got, errorRules(r))
		}
	}
}
