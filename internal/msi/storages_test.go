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

// TestAttackPackedStorageName gives a type 7 custom action's Source to
// two storages: one stored under that name, which Windows Installer opens,
// and one whose stored name is that name packed as stream names are,
// which decodes to it. Storages were looked up by decoded name and sorted
// by it alone, so the action was credited to either, the packed one
// included (which Windows Installer never opens: alone, it leaves the
// installation failing, not installing it). The storage stored under the
// name is the one installed; the order of the two is fixed.
func TestAttackPackedStorageName(t *testing.T) {
	inner := func(name string) *cfb.Node {
		return BuildInstaller(Installer{Files: map[string][]byte{name: []byte("MZ " + name)}})
	}
	packed := EncodeName("nested", false)
	for _, order := range [][2]string{{"nested", packed}, {packed, "nested"}} {
		root := BuildInstaller(Installer{Files: map[string][]byte{"a.dll": []byte("MZ a")},
			Storages:       map[string]*cfb.Node{order[0]: inner(order[0] + ".dll"), order[1]: inner(order[1] + ".dll")},
			NestedInstalls: map[string]string{"A": "nested"}})
		d := open(t, cfb.Build(root))
		ns := d.NestedInstalls()
		if len(ns) != 1 || ns[0].Storage == nil || ns[0].Storage.Entry.Name != "nested" {
			t.Fatalf("nested installs %+v, want the storage stored as %q", ns, "nested")
		}
		if len(d.Storages) != 2 || d.Storages[0].Entry.Name != "nested" {
			t.Errorf("storages not in stored-name order: %q, %q", d.Storages[0].Entry.Name, d.Storages[1].Entry.Name)
		}
	}
	// The packed one alone is no storage of that name.
	root := BuildInstaller(Installer{Files: map[string][]byte{"a.dll": []byte("MZ a")},
		Storages:       map[string]*cfb.Node{packed: inner("p.dll")},
		NestedInstalls: map[string]string{"A": "nested"}})
	if ns := open(t, cfb.Build(root)).NestedInstalls(); len(ns) != 1 || ns[0].Storage != nil {
		t.Errorf("nested installs %+v, want the storage missing", ns)
	}
}
