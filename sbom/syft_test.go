package sbom

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TestSyftCrossCheck shows that every npm package syft finds in a release
// tree (it cannot look inside app.asar, so it sees only app.asar.unpacked),
// shipgate finds too, plus those inside the asar.
func TestSyftCrossCheck(t *testing.T) {
	t.Parallel()
	syft, err := exec.LookPath("syft")
	if err != nil {
		t.Skip("syft not on PATH: skipping the cross-check")
	}
	rel := writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Trojanized())
	out, err := exec.Command(syft, "scan", "dir:"+rel, "-o", "syft-json", "-q").Output()
	if err != nil {
		t.Fatalf("syft: %v", err)
	}
	var doc struct {
		Artifacts []struct {
			Name, Version, Type string
			Locations           []struct{ Path string }
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	inv := openRelease(t, rel)
	ours := map[string]bool{}
	for _, p := range inv.Packages {
		ours[p.Name+"@"+p.Version] = true
	}
	theirs := 0
	for _, a := range doc.Artifacts {
		if a.Type != "npm" {
			continue
		}
		theirs++
		if !ours[a.Name+"@"+a.Version] {
			t.Errorf("syft finds %s@%s (%v), shipgate does not", a.Name, a.Version, a.Locations)
		}
	}
	if len(inv.Packages) <= theirs {
		t.Errorf("shipgate finds %d packages, syft %d: the asar's packages are missing", len(inv.Packages), theirs)
	}
	t.Logf("syft: %d npm packages; shipgate: %d (inside %s)", theirs, len(inv.Packages), filepath.Join(rel, "resources", "app.asar"))
}
