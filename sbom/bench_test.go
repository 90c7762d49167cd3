package sbom

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// bigRelease writes a Windows-layout release whose app.asar holds 30,000
// files in 1,500 packages; changed alters one package's code.
func bigRelease(b *testing.B, dir string, changed bool) string {
	b.Helper()
	files := []electronfix.AsarFile{{Path: "package.json", Data: []byte(`{"name":"big","version":"1.0.0"}`)}}
	for p := range 1500 {
		dirp := fmt.Sprintf("node_modules/pkg%04d", p)
		files = append(files, electronfix.AsarFile{Path: dirp + "/package.json",
			Data: []byte(fmt.Sprintf(`{"name":"pkg%04d","version":"1.0.%d","dependencies":{"pkg%04d":"*"}}`, p, p%7, (p+1)%1500))})
		for f := range 19 {
			data := fmt.Sprintf("// pkg%04d file %d\nmodule.exports = %d\n", p, f, p*f)
			if changed && p == 700 && f == 3 {
				data += "evil()\n"
			}
			files = append(files, electronfix.AsarFile{Path: fmt.Sprintf("%s/lib/f%02d.js", dirp, f), Data: []byte(data)})
		}
	}
	arc, _ := electronfix.PackAsar(files)
	root := filepath.Join(dir, "rel")
	os.MkdirAll(filepath.Join(root, "resources"), 0o755)
	os.WriteFile(filepath.Join(root, "resources", "app.asar"), arc, 0o644)
	os.WriteFile(filepath.Join(root, "version"), []byte("30.1.2"), 0o644)
	return root
}

func benchInventories(b *testing.B) (*Inventory, *Inventory) {
	oldInv, err := Open(bigRelease(b, b.TempDir(), false), Options{})
	if err != nil {
		b.Fatal(err)
	}
	newInv, err := Open(bigRelease(b, b.TempDir(), true), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return oldInv, newInv
}

// BenchmarkDiff30k compares two inventories of 30,000 files.
func BenchmarkDiff30k(b *testing.B) {
	oldInv, newInv := benchInventories(b)
	b.ReportAllocs()
	for b.Loop() {
		d := Diff(oldInv, newInv)
		if len(d.ChangedSameVersion) != 1 {
			b.Fatalf("changed = %v", d.ChangedSameVersion)
		}
	}
}

// BenchmarkOpenAndDiff30k reads both releases (every file hashed) and
// compares them: the whole `shipgate diff` minus printing.
func BenchmarkOpenAndDiff30k(b *testing.B) {
	oldDir := bigRelease(b, b.TempDir(), false)
	newDir := bigRelease(b, b.TempDir(), true)
	b.ReportAllocs()
	for b.Loop() {
		o, err := Open(oldDir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n, err := Open(newDir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if d := Diff(o, n); len(d.ChangedSameVersion) != 1 {
			b.Fatalf("changed = %v", d.ChangedSameVersion)
		}
	}
}
