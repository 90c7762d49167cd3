package verify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// goBuiltStub returns a Go program built for windows/amd64 that extracts
// the zip appended to it (fixtures.GoSelfExtractorStub): a real PE made by
// a real linker.
func goBuiltStub(t *testing.T) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	b, err := pefixtures.GoSelfExtractorStub(t.TempDir())
	if errors.Is(err, pefixtures.ErrNoGoTool) {
		t.Skip("go tool not found; the Go-built stub was not made")
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// iexpressSetup returns a signed IExpress self-extractor: the Go-built
// stub with the resources iexpress.exe writes (RT_RCDATA "CABINET"
// holding a cabinet of files, RUNPROGRAM, POSTRUNPROGRAM, TITLE).
func iexpressSetup(t *testing.T, stub []byte, files []cab.BuildFile) []byte {
	t.Helper()
	img, err := pefixtures.AddResources(stub, pefixtures.IExpressResources(cab.Build(files, cab.BuildOptions{Method: cab.MethodMSZIP}), "rundll32 app.dll,Install"))
	if err != nil {
		t.Fatal(err)
	}
	return signInstaller(t, img)
}

// TestIExpressTamperedDLL: a DLL whose signature no longer matches,
// inside the cabinet of a signed IExpress stub, fails the gate at
// setup.exe/app.dll while the stub itself stays valid; the same stub
// carrying the intact DLL passes, and its RUNPROGRAM is a note.
func TestIExpressTamperedDLL(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	stub := goBuiltStub(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": iexpressSetup(t, stub, []cab.BuildFile{{Name: "app.dll", Data: f.peTampered}, {Name: "readme.txt", Data: []byte("hi")}})})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.exe/app.dll", authenticode.RuleDigestMismatch, dir)
	if fi := fileByPath(r, "setup.exe"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("setup.exe: %+v", fi)
	}

	clean := t.TempDir()
	writeTree(t, clean, map[string][]byte{"setup.exe": iexpressSetup(t, stub, []cab.BuildFile{{Name: "app.dll", Data: f.peValid}, {Name: "readme.txt", Data: []byte("hi")}})})
	r = run(t, Options{Policy: requireValid()}, clean)
	if !r.Summary.Passed {
		t.Errorf("the clean stub failed: %+v", r.Findings)
	}
	if fi := fileByPath(r, "setup.exe/app.dll"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("setup.exe/app.dll was not checked: %+v", fi)
	}
	notes := 0
	for _, x := range r.Findings {
		if x.Rule == RuleIExpressCommand && x.Path == "setup.exe" && x.Severity == signing.SeverityNote {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("want one %s note; findings %+v", RuleIExpressCommand, r.Findings)
	}
}

// TestIExpressGcabCabinet is TestIExpressTamperedDLL with a cabinet gcab
// writes (MSZIP), skipped when gcab is not installed: the tampered DLL
// inside fails the gate at setup.exe/app.dll.
func TestIExpressGcabCabinet(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("gcab")
	if err != nil {
		t.Skip("gcab is not installed (apt-get install gcab); the gcab-written IExpress cabinet was not checked")
	}
	f := getFixtures(t)
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"app.dll": f.peTampered, "setup.bat": []byte("rundll32 app.dll,Install")})
	cmd := exec.Command(tool, "-c", "-z", "-n", "payload.cab", "app.dll", "setup.bat")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcab: %v\n%s", err, out)
	}
	cabinet, err := os.ReadFile(filepath.Join(src, "payload.cab"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := pefixtures.AddResources(goBuiltStub(t), pefixtures.IExpressResources(cabinet, "setup.bat"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, img)})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.exe/app.dll", authenticode.RuleDigestMismatch, dir)
	if fi := fileByPath(r, "setup.exe/setup.bat"); fi == nil {
		t.Error("setup.exe/setup.bat was not checked")
	}
}

// TestIExpressCabinetOutsideFile: a signed IExpress stub whose CABINET
// resource's data range lies past the file's end fails the gate with a
// file/malformed error at the stub's path, naming the data entry's
// offset, rather than passing with its files unchecked.
func TestIExpressCabinetOutsideFile(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	img, err := pefixtures.IExpressSetup(cab.Build([]cab.BuildFile{{Name: "app.dll", Data: f.peValid}}, cab.BuildOptions{Method: cab.MethodMSZIP}), "app.dll")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := squirrel.Resources(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	entry := -1
	for _, r := range rs {
		if r.Name == "CABINET" {
			var size [4]byte
			binary.LittleEndian.PutUint32(size[:], uint32(r.Size))
			entry = bytes.Index(img[:r.Offset], size[:]) - 4
		}
	}
	if entry < 0 {
		t.Fatal("no CABINET data entry")
	}
	binary.LittleEndian.PutUint32(img[entry+4:], 0x7ffffff0)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, img)})
	r := mustFail(t, Options{}, "setup.exe", ruleMalformed, dir)
	for _, x := range r.Findings {
		if x.Rule == ruleMalformed && x.Path == "setup.exe" && (x.Offset == nil || *x.Offset != int64(entry)) {
			t.Errorf("offset %v, want 0x%x: %s", x.Offset, entry, x.Message)
		}
	}
}
