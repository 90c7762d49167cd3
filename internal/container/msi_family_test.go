package container

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
)

// walkNamed walks data as an MSI-family file at report path at.
func walkNamed(data []byte, at string) storageWalk {
	w := storageWalk{files: map[string]string{}}
	Walk(context.Background(), MSI, bytes.NewReader(data), int64(len(data)), at, nil, Visitor{
		Entry: func(e Entry) {
			rc, err := e.Source.Open()
			if err != nil {
				w.files[e.Path] = "error: " + err.Error()
				return
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			w.files[e.Path] = string(b)
		},
		Finding: func(f signing.Finding) {
			w.finds = append(w.finds, fmt.Sprintf("%s %s %s", f.Severity, f.Rule, f.Path))
		},
	})
	slices.Sort(w.finds)
	return w
}

// TestWalkMergeModule: a merge module's files, in its
// MergeModule.CABinet stream, are checked under their installed paths and
// against its File table, with no finding (the stream is no unreferenced
// data).
func TestWalkMergeModule(t *testing.T) {
	mm := cfb.Build(msi.BuildInstaller(msi.Installer{Module: true, Folder: "Acme", Files: map[string][]byte{"bin/a.dll": []byte("MZ module a")}}))
	if k := Detect(bytes.NewReader(mm), ".msm", mm[:HeadLen], int64(len(mm))); k != MSI {
		t.Fatalf("Detect: %s, want msi", k)
	}
	w := walkNamed(mm, "acme.msm")
	if len(w.finds) != 0 || len(w.files) != 1 || w.files["acme.msm/MergeModule.CABinet/Acme/bin/a.dll"] != "MZ module a" {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestAttackMergeModuleFileTableMismatch: a merge module whose cabinet
// holds a file of another size than its File table gives fails as an
// MSI's does.
func TestAttackMergeModuleFileTableMismatch(t *testing.T) {
	mm := cfb.Build(msi.BuildInstaller(msi.Installer{Module: true, Folder: "Acme", Files: map[string][]byte{"a.dll": []byte("MZ module a")}, Sizes: map[string]int{"a.dll": 3}}))
	w := walkNamed(mm, "acme.msm")
	if !slices.Contains(w.finds, "error msi/file-table-mismatch acme.msm/MergeModule.CABinet/Acme/a.dll") {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestWalkPatch: a patch's cabinet streams are walked as cabinets (their
// files under their keys), its transforms' added streams as files.
func TestWalkPatch(t *testing.T) {
	c := cab.Build([]cab.BuildFile{{Name: "F1", Data: []byte("MZ patched a")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	p := cfb.Build(msi.BuildPatch(map[string][]byte{"PCW_CAB_Acme": c}, map[string]*cfb.Node{"RTM.1": msi.BuildTransform(nil)}))
	w := walkNamed(p, "acme.msp")
	if w.files["acme.msp/PCW_CAB_Acme/F1"] != "MZ patched a" || !slices.Equal(w.finds, []string{"note msi/embedded-transform acme.msp/RTM.1"}) {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
	// A stream of the patch that is no cabinet is still a file, and
	// unreferenced data.
	p = cfb.Build(msi.BuildPatch(map[string][]byte{"PCW_CAB_Acme": c, "stash": []byte("MZ stash")}, nil))
	w = walkNamed(p, "acme.msp")
	if w.files["acme.msp/_Streams/stash"] != "MZ stash" || !slices.Equal(w.finds, []string{"warning msi/unreferenced-data acme.msp/_Streams/stash"}) {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}

// TestWalkTransform: a transform's added streams (a custom action) are
// files, its tables are not, and a note says its table changes were not
// checked.
func TestWalkTransform(t *testing.T) {
	mst := cfb.Build(msi.BuildTransform(map[string][]byte{"Binary.Added": []byte("MZ added")}))
	w := walkNamed(mst, "fr.mst")
	if len(w.files) != 1 || w.files["fr.mst/Binary.Added"] != "MZ added" || !slices.Equal(w.finds, []string{"note file/unchecked-archive fr.mst"}) {
		t.Errorf("entries %q, findings %q", w.files, w.finds)
	}
}
