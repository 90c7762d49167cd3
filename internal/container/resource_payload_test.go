package container

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
)

// TestAttackResourceInstallerPayload: an MSI wrapper (a PE that keeps
// the MSI it writes out and hands to msiexec as a resource), or a stub
// that keeps a cabinet under another name than IExpress's CABINET, held
// its payload where shipgate never looked: the PE was no container, so
// the signed stub passed and the files its MSI installs were never
// checked. 7-Zip opens the resource as an MSI and extracts the file it
// installs. (A 7-Zip archive in a resource is a self-extractor's: see
// TestAttackSevenZipSFXArchiveInsideSections.)
func TestAttackResourceInstallerPayload(t *testing.T) {
	t.Parallel()
	app := msi.BuildInstaller(msi.Installer{Files: map[string][]byte{"app.exe": []byte("MZ evil")}})
	db := bytes.NewBuffer(cfb.Build(app))
	cabinet := cab.Build([]cab.BuildFile{{Name: "tool.exe", Data: []byte("MZ tool")}}, cab.BuildOptions{})
	setup, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{
		{TypeID: squirrel.RTRCData, ID: 1, Data: db.Bytes()},
		{Type: "FILES", Name: "TOOLS", Data: cabinet},
		{TypeID: squirrel.RTRCData, ID: 3, Data: []byte("just data, not an archive")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if tool, err := exec.LookPath("7z"); err == nil {
		dir := t.TempDir()
		p := filepath.Join(dir, "wrapper.exe")
		if err := os.WriteFile(p, setup, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tool, "x", "-o"+dir+"/x", p).CombinedOutput()
		if err != nil {
			t.Fatalf("7z x: %v\n%s", err, out)
		}
		// 7-Zip opens the resource as the MSI it is, and its cabinet,
		// down to the file the MSI installs.
		found := false
		filepath.WalkDir(filepath.Join(dir, "x"), func(p string, d os.DirEntry, err error) error {
			if b, _ := os.ReadFile(p); err == nil && !d.IsDir() && string(b) == "MZ evil" {
				found = true
			}
			return nil
		})
		if !found || !strings.Contains(string(out), "Path = .rsrc/RCDATA/1\n") {
			t.Fatalf("7z does not extract the MSI resource's file:\n%s", out)
		}
	} else {
		t.Log("7-Zip is not installed; the cross-check was skipped")
	}
	if k := Detect(bytes.NewReader(setup), ".exe", setup[:HeadLen], int64(len(setup))); k != Squirrel {
		t.Fatalf("kind %v, want %v", k, Squirrel)
	}
	w := walkAll(t, Squirrel, setup, "wrapper.exe", nil, 0)
	want := []string{"wrapper.exe/$RSRC/10/1/1033", "wrapper.exe/$RSRC/FILES/TOOLS/1033"}
	got := slices.Sorted(slices.Values(w.paths))
	if !slices.Equal(got, want) {
		t.Fatalf("entries %q, want %q", got, want)
	}
	if !bytes.Equal(w.entries[want[0]], db.Bytes()) || !bytes.Equal(w.entries[want[1]], cabinet) {
		t.Error("an entry is not its resource's bytes")
	}
	if len(w.finds) != 0 {
		t.Errorf("findings %q", w.finds)
	}
	plain, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: squirrel.RTRCData, ID: 3, Data: []byte(strings.Repeat("data", 200))}})
	if err != nil {
		t.Fatal(err)
	}
	if k := Detect(bytes.NewReader(plain), ".exe", plain[:HeadLen], int64(len(plain))); k != None {
		t.Errorf("a PE with a data resource: kind %v", k)
	}
}

// TestAttackResourceZipOfAnyType: a stub that extracts a zip it keeps
// as a resource of its own type ("PAYLOAD"), not Squirrel's "DATA" or
// RT_RCDATA, held files shipgate never opened: the PE was no container.
// A zip resource of any type whose data starts with a local header is
// handed to the caller's zip reader under $RSRC/<type>/<name>/<language>.
func TestAttackResourceZipOfAnyType(t *testing.T) {
	t.Parallel()
	z := zipOf(t, map[string][]byte{"app.exe": []byte("MZ evil")})
	setup, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{Type: "PAYLOAD", ID: 7, Data: z}, {TypeID: 3, ID: 1, Data: []byte("PK icon? no")}})
	if err != nil {
		t.Fatal(err)
	}
	if k := Detect(bytes.NewReader(setup), ".exe", setup[:HeadLen], int64(len(setup))); k != Squirrel {
		t.Fatalf("kind %v, want %v", k, Squirrel)
	}
	w := walkAll(t, Squirrel, setup, "setup.exe", nil, 0)
	if len(w.zips) != 1 || w.zips[0].Path != "setup.exe/$RSRC/PAYLOAD/7/1033" || !bytes.Equal(setup[w.zips[0].Offset:w.zips[0].Offset+w.zips[0].Size], z) {
		t.Errorf("zips %+v", w.zips)
	}
}
