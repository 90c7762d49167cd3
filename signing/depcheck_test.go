package signing_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection keeps dependencies pointing down: nothing under signing/
// may import verify, sbom, git or cmd (DESIGN.md, "Module and layout").
func TestImportDirection(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH; cannot list imports")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", "github.com/shipgate/shipgate/signing/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/shipgate/shipgate/"
	for _, p := range strings.Fields(string(out)) {
		for _, banned := range []string{"verify", "sbom", "git", "cmd", "examples"} {
			if p == mod+banned || strings.HasPrefix(p, mod+banned+"/") {
				t.Errorf("a package under signing/ depends on %s", p)
			}
		}
	}
}
