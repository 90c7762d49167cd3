package verify

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// cabSet splits a cabinet of files into a set named names (1 KiB MSZIP
// blocks, a block split at the middle of the folder, and of each half for
// three), so that the files' data crosses the cabinets.
func cabSet(files []cab.BuildFile, names ...string) [][]byte {
	var n int
	for _, f := range files {
		n += len(f.Data)
	}
	blocks := (n + 1023) / 1024
	cuts := []int{blocks / 2}
	if len(names) == 3 {
		cuts = []int{blocks / 3, 2 * blocks / 3}
	}
	return cab.BuildSet(files, cab.BuildOptions{Method: cab.MethodMSZIP, BlockSize: 1024}, cab.BuildSetOptions{Names: names, SetID: 9, Cuts: cuts})
}

// driverSet is a set of drivers1.cab, drivers2.cab (and drivers3.cab) of
// ok.dll and evil.dll (the tampered DLL when tampered), written to a
// folder; it returns the folder.
func driverSet(t *testing.T, tampered bool, n int) (string, [][]byte) {
	f := getFixtures(t)
	evil := f.peValid
	if tampered {
		evil = f.peTampered
	}
	names := []string{"drivers1.cab", "drivers2.cab", "drivers3.cab"}[:n]
	cabs := cabSet([]cab.BuildFile{{Name: "ok.dll", Data: f.peValid}, {Name: "evil.dll", Data: evil}}, names...)
	dir := t.TempDir()
	tree := map[string][]byte{}
	for i, b := range cabs {
		tree[names[i]] = b
	}
	writeTree(t, dir, tree)
	return dir, cabs
}

// TestCABSetVerified: a cabinet set whose files continue across its
// cabinets, all beside each other, is joined: every file is checked under
// the first cabinet's path, none under the others', and nothing of the
// clean set is an error.
func TestCABSetVerified(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 3} {
		dir, _ := driverSet(t, false, n)
		r := run(t, Options{}, dir)
		for _, p := range []string{"drivers1.cab/ok.dll", "drivers1.cab/evil.dll"} {
			fi := fileByPath(r, p)
			if fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
				t.Errorf("%d cabinets: %s: %+v", n, p, fi)
			}
		}
		for _, x := range r.Findings {
			if x.Severity == signing.SeverityError {
				t.Errorf("%d cabinets: %s %s: %s", n, x.Rule, x.Path, x.Message)
			}
		}
		for _, fi := range r.Files {
			if filepath.Dir(fi.Path) == "drivers2.cab" || filepath.Dir(fi.Path) == "drivers3.cab" {
				t.Errorf("%d cabinets: a file reported under a later cabinet: %s", n, fi.Path)
			}
		}
	}
}

// TestAttackCABSetContinuedTampered: the tampered DLL continued across the
// set's cabinets was a cab/not-opened error, named but never checked; now
// it is read and fails for its own digest, under the first cabinet.
func TestAttackCABSetContinuedTampered(t *testing.T) {
	t.Parallel()
	dir, _ := driverSet(t, true, 2)
	mustFail(t, Options{Policy: requireValid()}, "drivers1.cab/evil.dll", authenticode.RuleDigestMismatch, dir)
}

// TestAttackCABSetIncomplete: a set with a member missing, or a member
// from another set (setID), is not read in part: the gate fails with a
// cab/not-opened error naming the set's problem at each cabinet left, and
// the continued files are not reported as checked.
func TestAttackCABSetIncomplete(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, at string
		edit     func(dir string, cabs [][]byte)
	}{
		{"missing", "drivers1.cab", func(dir string, cabs [][]byte) {
			if err := os.Remove(filepath.Join(dir, "drivers2.cab")); err != nil {
				t.Fatal(err)
			}
		}},
		{"first missing", "drivers2.cab", func(dir string, cabs [][]byte) {
			if err := os.Remove(filepath.Join(dir, "drivers1.cab")); err != nil {
				t.Fatal(err)
			}
		}},
		{"setID", "drivers1.cab", func(dir string, cabs [][]byte) {
			binary.LittleEndian.PutUint16(cabs[1][32:], 10)
			writeTree(t, dir, map[string][]byte{"drivers2.cab": cabs[1]})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, cabs := driverSet(t, false, 2)
			c.edit(dir, cabs)
			r := mustFail(t, Options{Policy: requireValid()}, c.at, RuleCABNotOpened, dir)
			if fi := fileByPath(r, "drivers1.cab/evil.dll"); fi != nil {
				t.Errorf("a continued file of a broken set is reported as checked: %+v", fi)
			}
		})
	}
}

// TestMSIExternalCabinetSet: an MSI whose external cabinet continues into
// a second one beside it has both read as one: the DLL continued across
// them is checked at its installed path, against the File table.
func TestMSIExternalCabinetSet(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, tampered := range []bool{false, true} {
		dll := f.peValid
		if tampered {
			dll = f.peTampered
		}
		s := msi.Installer{Folder: "Acme App", Cabinet: "data1.cab", External: true,
			Files:  map[string][]byte{"app.dll": f.peValid, "readme.txt": []byte("read me, v1")},
			Hashed: map[string][]byte{"readme.txt": []byte("read me, v1")}}
		setup := signMSI(t, msi.BuildInstaller(s))
		cabs := cabSet([]cab.BuildFile{{Name: "F1", Data: dll}, {Name: "F2", Data: []byte("read me, v1")}}, "data1.cab", "data2.cab")
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.msi": setup, "data1.cab": cabs[0], "data2.cab": cabs[1]})
		if tampered {
			mustFail(t, Options{}, extDLL, authenticode.RuleDigestMismatch, dir)
			continue
		}
		r := run(t, Options{}, dir)
		if fi := fileByPath(r, extDLL); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
			for _, x := range r.Findings {
				t.Logf("%s %s %s: %s", x.Severity, x.Rule, x.Path, x.Message)
			}
			t.Fatalf("%s: %+v", extDLL, fi)
		}
		for _, x := range r.Findings {
			if x.Severity == signing.SeverityError {
				t.Errorf("%s %s: %s", x.Rule, x.Path, x.Message)
			}
		}
	}
}
