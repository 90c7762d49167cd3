package sbom

import "testing"

// TestPackageDir checks the npm package folder of release paths: plain and
// scoped packages, nested node_modules, a file directly in node_modules,
// a scope without a name, empty names, and paths outside any package.
func TestPackageDir(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]string{
		"node_modules/a/index.js":                             "node_modules/a",
		"node_modules/a/lib/x.js":                             "node_modules/a",
		"node_modules/@s/a/index.js":                          "node_modules/@s/a",
		"node_modules/@s/a":                                   "",
		"node_modules/@s/":                                    "",
		"node_modules/a":                                      "",
		"node_modules/index.js":                               "",
		"resources/app/node_modules/a/node_modules/b/c.js":    "resources/app/node_modules/a/node_modules/b",
		"resources/app/node_modules/@s/b/node_modules/@t/c/d": "resources/app/node_modules/@s/b/node_modules/@t/c",
		"node_modules//x.js":                                  "node_modules/",
		"node_modules/@s//x.js":                               "node_modules/@s/",
		"src/index.js":                                        "",
		"xnode_modules/a/b.js":                                "",
	} {
		if got := packageDir(p); got != want {
			t.Errorf("packageDir(%q) = %q, want %q", p, got, want)
		}
	}
}
