package verify

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// cfbNode returns the compound file b as a tree for cfb.Build.
func cfbNode(t *testing.T, b []byte) *cfb.Node {
	t.Helper()
	f, err := cfb.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var conv func(e *cfb.Entry) *cfb.Node
	conv = func(e *cfb.Entry) *cfb.Node {
		n := &cfb.Node{Name: e.Name, CLSID: e.CLSID}
		if e.Type == cfb.TypeStream {
			if n.Data, err = f.ReadAll(e, 1<<24); err != nil {
				t.Fatal(err)
			}
			return n
		}
		n.Storage = true
		for _, k := range f.Children(e) {
			n.Children = append(n.Children, conv(k))
		}
		return n
	}
	return conv(f.Root())
}

// signedNestedInstaller is a signed installer whose type 7 custom action
// installs the database inner, signed on its own before it was stored in
// the storage "nested"; change, when set, alters the stored database after
// it was signed.
func signedNestedInstaller(t *testing.T, outer, inner installer, change func(*cfb.Node)) []byte {
	in := cfbNode(t, signMSI(t, msi.BuildNode(inner.node())))
	if change != nil {
		change(in)
	}
	in.Name = "nested"
	tables, streams := outer.node()
	tables = append(tables, msi.BuildTable{Name: "CustomAction", Columns: []msi.Column{{Name: "Action", Type: colKey}, {Name: "Type", Type: 0x0502}, {Name: "Source", Type: colStr}, {Name: "Target", Type: colStr}}, Rows: [][]any{{"RunNested", 7, "nested", "ADDLOCAL=ALL"}}})
	root := msi.BuildNode(tables, streams)
	root.Children = append(root.Children, in)
	return signMSI(t, root)
}

// TestNestedMSISignatureReported: a nested database signed on its own is
// reported at setup.msi/nested as an MSI with its valid signature, beside
// its files, and the gate passes.
func TestNestedMSISignatureReported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	clean := installer{dll: f.peValid, customAction: f.peValid, method: cab.MethodMSZIP}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": signedNestedInstaller(t, clean, clean, nil)})
	r := run(t, Options{Policy: requireValid()}, dir)
	fi := fileByPath(r, "setup.msi/nested")
	if fi == nil {
		t.Fatal("setup.msi/nested not in the report")
	}
	if fi.Kind != KindMSI || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid || fi.Size == 0 {
		t.Errorf("setup.msi/nested: %+v", fi)
	}
	if fileByPath(r, nestedDLL) == nil {
		t.Error("the nested database's files were not checked")
	}
	if !r.Summary.Passed {
		for _, x := range r.Findings {
			t.Logf("%s %s %s: %s", x.Severity, x.Rule, x.Path, x.Message)
		}
		t.Error("the gate failed on a clean installer with a signed nested database")
	}
}

// TestAttackNestedMSIStaleInnerSignature: a vendor's signed database is
// changed (here a file of its cabinet that is no code, so every file in
// it still passes) and stored in an installer signed again: the outer
// signature is valid, the inner one no longer matches, and the gate fails
// at setup.msi/nested with msi/digest-mismatch.
func TestAttackNestedMSIStaleInnerSignature(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	clean := installer{dll: f.peValid, customAction: f.peValid}
	changed := cab.Build([]cab.BuildFile{{Name: "AppDll", Data: f.peValid}, {Name: "Readme", Data: []byte("READ ME\r\n")}}, cab.BuildOptions{})
	cabName := msi.EncodeName("app.cab", false)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": signedNestedInstaller(t, clean, clean, func(n *cfb.Node) {
		for _, k := range n.Children {
			if k.Name == cabName {
				k.Data = changed
				return
			}
		}
		t.Fatal("no app.cab stream")
	})})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.msi/nested", authenticode.RuleMSIDigestMismatch, dir)
	if fi := fileByPath(r, "setup.msi"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("outer MSI: %+v", fi)
	}
	if fi := fileByPath(r, "setup.msi/nested"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusInvalid {
		t.Errorf("nested database: %+v", fi)
	}
	for _, x := range r.Findings {
		if x.Severity == signing.SeverityError && x.Path != "setup.msi/nested" {
			t.Errorf("error elsewhere: %s %s: %s", x.Rule, x.Path, x.Message)
		}
	}
}
