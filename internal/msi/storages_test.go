package msi

import (
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
)

// TestStoragesAndNestedInstalls reads the root storages with their
// classes and the type 7 custom actions, with the storage each names (by
// name, else differing only in case, as compound files compare names),
// and a nested database through OpenStorage.
func TestStoragesAndNestedInstalls(t *testing.T) {
	inner := BuildInstaller(Installer{Files: map[string][]byte{"b.dll": []byte("MZ b")}})
	root := BuildInstaller(Installer{Files: map[string][]byte{"a.dll": []byte("MZ a")},
		Storages: map[string]*cfb.Node{
			"Nested": inner,
			"t.mst":  {CLSID: TransformCLSID, Storage: true},
			"p":      {CLSID: PatchCLSID, Storage: true},
			"other":  {Storage: true},
		},
		NestedInstalls: map[string]string{"A": "Nested", "B": "nested", "C": "gone"}})
	d := open(t, cfb.Build(root))
	var got []string
	for _, s := range d.Storages {
		got = append(got, s.Name+":"+s.Class().String())
	}
	if want := "Nested:database other:other p:patch t.mst:transform"; joined(got) != want {
		t.Errorf("storages %q, want %q", joined(got), want)
	}
	ns := d.NestedInstalls()
	if len(ns) != 3 || ns[0].Storage == nil || ns[1].Storage != ns[0].Storage || ns[2].Storage != nil || ns[0].Target != "ADDLOCAL=ALL" {
		t.Fatalf("nested installs %+v", ns)
	}
	sub, err := OpenStorage(d.cf, ns[0].Storage.Entry)
	if err != nil {
		t.Fatal(err)
	}
	if cabs := sub.Cabinets(); len(cabs) != 1 || cabs[0].Stream == nil || cabs[0].Stream.Entry.Size == 0 {
		t.Errorf("nested database's cabinets %+v", cabs)
	}
}

func joined(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
