package sbom

import (
	"strings"
	"testing"
)

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

// TestLastNodeModules checks that lastNodeModules, packageDir's search, finds
// what strings.LastIndex finds: on paths with node_modules at either end,
// twice in a row (overlapping at a slash), as part of a longer name, and
// on every path made of a few such pieces.
func TestLastNodeModules(t *testing.T) {
	t.Parallel()
	pieces := []string{"node_modules", "/", "a", "xnode_modules", "node_modules/", "/node_modules/", "@s", ""}
	paths := []string{"", "/", "/node_modules/", "node_modules/node_modules/", "/node_modules/node_modules/a",
		"a/node_modules//node_modules/b", "resources/app.asar/node_modules/pkg0001/lib/f01.js"}
	for _, x := range pieces {
		for _, y := range pieces {
			for _, z := range pieces {
				paths = append(paths, x+y+z, x+"/"+y+"/"+z)
			}
		}
	}
	for _, p := range paths {
		if got, want := lastNodeModules(p), strings.LastIndex(p, "/node_modules/"); got != want {
			t.Errorf("lastNodeModules(%q) = %d, want %d", p, got, want)
		}
	}
}
