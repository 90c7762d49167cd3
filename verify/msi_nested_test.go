package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// nestedInstaller is a signed installer (outer) whose type 7 custom action
// RunNested installs the database inner, stored as the storage "nested";
// storages adds further storages by name.
func nestedInstaller(t *testing.T, outer, inner installer, acts map[string]string, storages map[string]*cfb.Node) []byte {
	tables, streams := outer.node()
	var rows [][]any
	for a, src := range acts {
		rows = append(rows, []any{a, 7, src, "ADDLOCAL=ALL"})
	}
	tables = append(tables, msi.BuildTable{Name: "CustomAction", Columns: []msi.Column{{Name: "Action", Type: colKey}, {Name: "Type", Type: 0x0502}, {Name: "Source", Type: colStr}, {Name: "Target", Type: colStr}}, Rows: rows})
	root := msi.BuildNode(tables, streams)
	in := msi.BuildNode(inner.node())
	in.Name = "nested"
	root.Children = append(root.Children, in)
	for n, st := range storages {
		st.Name, st.Storage = n, true
		root.Children = append(root.Children, st)
	}
	return signMSI(t, root)
}

const (
	nestedDLL = "setup.msi/nested/app.cab/Acme App/app.dll"
	nestedCA  = "setup.msi/nested/Binary/CustomDll"
)

// TestMSINestedOpened: the database a type 7 custom action installs is
// opened; its cabinet's DLL and its custom action are verified under
// setup.msi/nested/…, and the gate passes on a clean installer.
func TestMSINestedOpened(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	clean := installer{dll: f.peValid, customAction: f.peValid, method: cab.MethodMSZIP}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": nestedInstaller(t, clean, clean, map[string]string{"RunNested": "nested"}, nil)})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"setup.msi", innerDLL, nestedDLL, nestedCA} {
		fi := fileByPath(r, p)
		if fi == nil {
			t.Fatalf("%s not in the report", p)
		}
		if len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: signatures %+v", p, fi.Signatures)
		}
	}
	if !r.Summary.Passed {
		for _, x := range r.Findings {
			t.Logf("%s %s %s: %s", x.Severity, x.Rule, x.Path, x.Message)
		}
		t.Error("the gate failed on a clean nested installer")
	}
}

// TestAttackNestedMSITrojanizedDLL is 3CX's case one level down: the
// outer installer and its own files are clean and signed, the DLL in the
// nested database's cabinet (or its custom action) is tampered or
// unsigned; the gate fails at its path as it does for the outer MSI's.
func TestAttackNestedMSITrojanizedDLL(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	clean := installer{dll: f.peValid, customAction: f.peValid, method: cab.MethodMSZIP}
	for _, tc := range []struct {
		name  string
		inner installer
		at    string
		rule  signing.Rule
	}{
		{"tampered MSZIP", installer{dll: f.peTampered, customAction: f.peValid, method: cab.MethodMSZIP}, nestedDLL, authenticode.RuleDigestMismatch},
		{"unsigned stored", installer{dll: f.peUnsigned, customAction: f.peValid}, nestedDLL, ruleUnsigned},
		{"unsigned custom action", installer{dll: f.peValid, customAction: f.peUnsigned, method: cab.MethodMSZIP}, nestedCA, ruleUnsigned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"setup.msi": nestedInstaller(t, clean, tc.inner, map[string]string{"RunNested": "nested"}, nil)})
			mustFail(t, Options{Policy: requireValid()}, tc.at, tc.rule, dir)
		})
	}
}

// TestAttackNestedMSIStorages: a type 7 custom action naming a storage
// the MSI lacks is an error; an unsigned PE in a storage of no installer
// class is msi/unknown-storage and fails require: valid where it lies.
func TestAttackNestedMSIStorages(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	clean := installer{dll: f.peValid, customAction: f.peValid, method: cab.MethodMSZIP}
	stash := &cfb.Node{Children: []*cfb.Node{{Name: "payload.dll", Data: f.peUnsigned}}}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": nestedInstaller(t, clean, clean, map[string]string{"RunNested": "nested", "RunGone": "gone"}, map[string]*cfb.Node{"stash": stash})})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.msi/gone", RuleMSIMissingStream, dir)
	for p, want := range map[string]string{
		"setup.msi/stash":             "warning " + string(RuleMSIUnknownStorage),
		"setup.msi/stash/payload.dll": "error " + string(ruleUnsigned),
	} {
		if got := rulesFor(r, p); !has(got, want) {
			t.Errorf("%s: findings %q, want %s", p, got, want)
		}
	}
	if fileByPath(r, nestedDLL) == nil {
		t.Error("the nested database was not opened")
	}
}
