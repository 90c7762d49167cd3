package container

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// innerInstaller is the database a nested installation installs: b.dll
// in its cabinet, a custom action in its Binary table.
func innerInstaller() *cfb.Node {
	return msi.BuildInstaller(msi.Installer{Folder: "Inner", Files: map[string][]byte{"b.dll": []byte("MZ inner b")}, Binary: map[string][]byte{"NCA": []byte("MZ inner ca")}})
}

// outerInstaller installs a.dll and holds the storages given, type 7
// custom actions installing those acts name.
func outerInstaller(storages map[string]*cfb.Node, acts map[string]string) []byte {
	return cfb.Build(msi.BuildInstaller(msi.Installer{Folder: "Acme", Files: map[string][]byte{"a.dll": []byte("MZ outer a")}, Storages: storages, NestedInstalls: acts}))
}

type storageWalk struct {
	files  map[string]string
	nested map[string]int
	finds  []string // "severity rule path"
}

func walkDepth(data []byte, depth int, x *release.Expansion) storageWalk {
	w := storageWalk{files: map[string]string{}, nested: map[string]int{}}
	Walk(context.Background(), MSI, bytes.NewReader(data), int64(len(data)), "setup.msi", x, Visitor{
		Entry: func(e Entry) {
			rc, err := e.Source.Open()
			if err != nil {
				w.files[e.Path] = "error: " + err.Error()
				return
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			w.files[e.Path] = string(b)
			w.nested[e.Path] = e.Nested
		},
		Finding: func(f signing.Finding) {
			w.finds = append(w.finds, fmt.Sprintf("%s %s %s", f.Severity, f.Rule, f.Path))
		},
		Depth: depth,
	})
	slices.Sort(w.finds)
	return w
}

// TestWalkNestedMSI opens the database a type 7 custom action installs:
// its cabinet's files and custom actions are entries under
// setup.msi/<storage>/, one level deeper, and nothing is reported.
func TestWalkNestedMSI(t *testing.T) {
	w := walkDepth(outerInstaller(map[string]*cfb.Node{"nested": innerInstaller()}, map[string]string{"RunNested": "nested"}), 0, nil)
	want := map[string]string{
		"setup.msi/app.cab/Acme/a.dll":         "MZ outer a",
		"setup.msi/nested/app.cab/Inner/b.dll": "MZ inner b",
		"setup.msi/nested/Binary/NCA":          "MZ inner ca",
	}
	if len(w.files) != len(want) || len(w.finds) != 0 {
		t.Fatalf("entries %q, findings %q", w.files, w.finds)
	}
	for p, b := range want {
		if w.files[p] != b {
			t.Errorf("%s: %q, want %q", p, w.files[p], b)
		}
	}
	if w.nested["setup.msi/nested/app.cab/Inner/b.dll"] != 1 || w.nested["setup.msi/app.cab/Acme/a.dll"] != 0 {
		t.Errorf("nesting %v", w.nested)
	}
}

// TestWalkNestedMSIMissingStorage: a type 7 custom action naming a
// storage the MSI lacks is msi/missing-stream.
func TestWalkNestedMSIMissingStorage(t *testing.T) {
	w := walkDepth(outerInstaller(nil, map[string]string{"RunNested": "gone"}), 0, nil)
	if !slices.Equal(w.finds, []string{"error msi/missing-stream setup.msi/gone"}) || len(w.files) != 1 {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestWalkNestedMSIUnreferenced: a database in a storage that no custom
// action installs is opened all the same, and msi/unreferenced-data.
func TestWalkNestedMSIUnreferenced(t *testing.T) {
	w := walkDepth(outerInstaller(map[string]*cfb.Node{"spare": innerInstaller()}, nil), 0, nil)
	if !slices.Equal(w.finds, []string{"warning msi/unreferenced-data setup.msi/spare"}) || w.files["setup.msi/spare/app.cab/Inner/b.dll"] != "MZ inner b" {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// transformNode is an embedded transform: table streams, a string pool,
// summary information, and a Binary stream it adds.
func transformNode() *cfb.Node {
	return &cfb.Node{CLSID: msi.TransformCLSID, Children: []*cfb.Node{
		{Name: msi.EncodeName("_StringPool", true), Data: []byte{0xe9, 0xfd, 0, 0}},
		{Name: msi.EncodeName("_StringData", true), Data: []byte{}},
		{Name: msi.EncodeName("Binary", true), Data: []byte{1, 0, 2, 0}},
		{Name: "\x05SummaryInformation", Data: []byte("summary")},
		{Name: msi.EncodeName("Binary.Added", false), Data: []byte("MZ added by the transform")},
	}}
}

// TestWalkEmbeddedTransform lists a transform (a note) and checks the
// streams it adds, not its tables.
func TestWalkEmbeddedTransform(t *testing.T) {
	w := walkDepth(outerInstaller(map[string]*cfb.Node{"1031.mst": transformNode()}, nil), 0, nil)
	if !slices.Equal(w.finds, []string{"note msi/embedded-transform setup.msi/1031.mst"}) || len(w.files) != 2 || w.files["setup.msi/1031.mst/Binary.Added"] != "MZ added by the transform" {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestAttackPayloadInUnknownStorage hides a PE in a storage of no
// installer class, in a storage within it: msi/unknown-storage, and every
// stream is checked as a file.
func TestAttackPayloadInUnknownStorage(t *testing.T) {
	st := &cfb.Node{Children: []*cfb.Node{{Name: "x", Data: []byte("MZ hidden")}, {Name: "deeper", Storage: true, Children: []*cfb.Node{{Name: "y", Data: []byte("MZ deeper")}}}}}
	w := walkDepth(outerInstaller(map[string]*cfb.Node{"stash": st}, nil), 0, nil)
	if !slices.Equal(w.finds, []string{"warning msi/unknown-storage setup.msi/stash"}) || w.files["setup.msi/stash/x"] != "MZ hidden" || w.files["setup.msi/stash/deeper/y"] != "MZ deeper" {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestAttackType7StorageNotADatabase: a type 7 custom action names a
// storage that is no database: malformed, and its streams are checked as
// files.
func TestAttackType7StorageNotADatabase(t *testing.T) {
	st := &cfb.Node{Children: []*cfb.Node{{Name: "payload", Data: []byte("MZ payload")}}}
	w := walkDepth(outerInstaller(map[string]*cfb.Node{"nested": st}, map[string]string{"Run": "nested"}), 0, nil)
	if !slices.Equal(w.finds, []string{"error file/malformed setup.msi/nested"}) || w.files["setup.msi/nested/payload"] != "MZ payload" {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestAttackType7WithTransformClass: a type 7 custom action naming a
// database stored with a transform's class still has it opened as a
// database: the class does not decide what Windows Installer runs.
func TestAttackType7WithTransformClass(t *testing.T) {
	in := innerInstaller()
	in.CLSID = msi.TransformCLSID
	w := walkDepth(outerInstaller(map[string]*cfb.Node{"nested": in}, map[string]string{"Run": "nested"}), 0, nil)
	if len(w.finds) != 0 || w.files["setup.msi/nested/app.cab/Inner/b.dll"] != "MZ inner b" {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestAttackStorageShadowsBinaryTable names a storage "Binary", whose
// stream "CA" would be reported where the Binary table's CA is: a
// duplicate, reported under _Storages/ instead.
func TestAttackStorageShadowsBinaryTable(t *testing.T) {
	root := msi.BuildInstaller(msi.Installer{Folder: "Acme", Files: map[string][]byte{"a.dll": []byte("MZ a")}, Binary: map[string][]byte{"CA": []byte("MZ real ca")},
		Storages: map[string]*cfb.Node{"Binary": {Children: []*cfb.Node{{Name: "CA", Data: []byte("MZ shadow")}}}}})
	w := walkDepth(cfb.Build(root), 0, nil)
	if w.files["setup.msi/Binary/CA"] != "MZ real ca" || w.files["setup.msi/_Storages/Binary/CA"] != "MZ shadow" ||
		!slices.Equal(w.finds, []string{"error file/duplicate-entry setup.msi/Binary", "warning msi/unknown-storage setup.msi/_Storages/Binary"}) {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestAttackNestedMSIDepth nests databases in databases: each is opened
// one level deeper, and the one at release.MaxDepth is reported, not
// opened; from a container already nested, sooner.
func TestAttackNestedMSIDepth(t *testing.T) {
	n := innerInstaller()
	for range 6 {
		n = msi.BuildInstaller(msi.Installer{Files: map[string][]byte{"x": []byte("x")}, Storages: map[string]*cfb.Node{"n": n}, NestedInstalls: map[string]string{"Run": "n"}})
	}
	b := cfb.Build(n)
	for depth, want := range map[int]string{0: "setup.msi/n/n/n/n", 2: "setup.msi/n/n"} {
		w := walkDepth(b, depth, nil)
		if !slices.Equal(w.finds, []string{"error file/unreadable " + want}) {
			t.Errorf("depth %d: findings %q", depth, w.finds)
		}
		for p, k := range w.nested {
			if strings.Count(p, "/n")-k != 0 || depth+1+k > release.MaxDepth {
				t.Errorf("depth %d: %s nested %d", depth, p, k)
			}
		}
	}
}

// TestWalkNestedBudget charges the nested database's cabinet to the
// budget of the outermost one: a budget the outer cabinet fits and the
// inner one does not leaves the inner files unread.
func TestWalkNestedBudget(t *testing.T) {
	b := outerInstaller(map[string]*cfb.Node{"nested": innerInstaller()}, map[string]string{"Run": "nested"})
	x := release.NewExpansion(0)
	x.Take(release.MinExpansion - int64(len("MZ outer a")) - 1)
	w := walkDepth(b, 0, x)
	if _, ok := w.files["setup.msi/nested/app.cab/Inner/b.dll"]; ok || w.files["setup.msi/app.cab/Acme/a.dll"] == "" ||
		!slices.Equal(w.finds, []string{"error file/unreadable setup.msi/nested/app.cab"}) {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// signedNode adds a DigitalSignature stream to the database n.
func signedNode(n *cfb.Node) *cfb.Node {
	n.Children = append(n.Children, &cfb.Node{Name: "\x05DigitalSignature", Data: []byte("signature")})
	return n
}

// TestWalkSignedNestedMSI hands each nested database that carries a
// signature of its own to Visitor.SignedDatabase, with its report path and
// its storage's path in the compound file, two levels down as well; an
// unsigned nested database is not handed over, and the signed ones' files
// are walked as before.
func TestWalkSignedNestedMSI(t *testing.T) {
	deep := signedNode(innerInstaller())
	mid := signedNode(msi.BuildInstaller(msi.Installer{Folder: "Mid", Files: map[string][]byte{"m.dll": []byte("MZ mid")}, Storages: map[string]*cfb.Node{"deep": deep}, NestedInstalls: map[string]string{"RunDeep": "deep"}}))
	data := outerInstaller(map[string]*cfb.Node{"nested": mid, "plain": innerInstaller()}, map[string]string{"RunNested": "nested", "RunPlain": "plain"})
	var got []string
	files := map[string]bool{}
	Walk(context.Background(), MSI, bytes.NewReader(data), int64(len(data)), "setup.msi", nil, Visitor{
		SignedDatabase: func(s SignedDatabase) {
			got = append(got, fmt.Sprintf("%s %s %d", s.Path, strings.Join(s.Storage, "/"), s.Nested))
		},
		Entry: func(e Entry) { files[e.Path] = true },
	})
	want := []string{"setup.msi/nested nested 0", "setup.msi/nested/deep nested/deep 1"}
	if !slices.Equal(got, want) {
		t.Errorf("signed databases %q, want %q", got, want)
	}
	for _, p := range []string{"setup.msi/nested/app.cab/Mid/m.dll", "setup.msi/nested/deep/app.cab/Inner/b.dll", "setup.msi/plain/app.cab/Inner/b.dll"} {
		if !files[p] {
			t.Errorf("%s not walked: %v", p, files)
		}
	}
}
