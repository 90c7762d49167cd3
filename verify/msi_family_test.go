package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// msiFamilyTrees are a merge module installing dll, a patch whose cabinet
// holds dll and a transform adding a custom action, each with a marker
// stored as it is for a tampering test.
func msiFamilyTrees(dll []byte) map[string]*cfb.Node {
	c := cab.Build([]cab.BuildFile{{Name: "F1", Data: dll}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	return map[string]*cfb.Node{
		"acme.msm": msi.BuildInstaller(msi.Installer{Module: true, Folder: "Acme", Files: map[string][]byte{"app.dll": dll},
			Binary: map[string][]byte{"CA": []byte("MZ marker module")}}),
		"acme-1.0.1.msp": msi.BuildPatch(map[string][]byte{"PCW_CAB_Acme": c}, map[string]*cfb.Node{"RTM.1": msi.BuildTransform(map[string][]byte{"Binary.X": []byte("MZ marker patch")})}),
		"fr-FR.mst":      msi.BuildTransform(map[string][]byte{"Binary.Added": []byte("MZ marker transform")}),
	}
}

// TestMSIFamilyInRelease: merge modules, patches and transforms are MSI
// files to the gate: signed ones are valid (the DLL in a module's or
// patch's cabinet checked under its path), a byte changed in a stream
// fails with the MSI digest mismatch, unsigned ones fail `require: valid`,
// and a tampered DLL in a signed module's cabinet fails.
func TestMSIFamilyInRelease(t *testing.T) {
	f := getFixtures(t)
	files := map[string][]byte{}
	for name, tree := range msiFamilyTrees(f.peValid) {
		signed := signMSI(t, tree)
		files[name] = signed
		bad := bytes.Clone(signed)
		bad[bytes.Index(bad, []byte("marker"))] = 'M'
		files["tampered-"+name] = bad
		files["unsigned-"+name] = cfb.Build(tree)
	}
	files["evil.msm"] = signMSI(t, msiFamilyTrees(f.peTampered)["acme.msm"])
	dir := t.TempDir()
	writeTree(t, dir, files)
	r := run(t, Options{Policy: requireValid()}, dir)
	for name := range msiFamilyTrees(nil) {
		for _, p := range []string{name, "tampered-" + name, "unsigned-" + name} {
			if fb := fileByPath(r, p); fb == nil || fb.Kind != KindMSI {
				t.Errorf("%s: %+v, want kind msi", p, fb)
			}
		}
		if fb := fileByPath(r, name); len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: signatures %+v, want one valid", name, fb.Signatures)
		}
		for _, g := range rulesFor(r, name) {
			if strings.HasPrefix(g, "error ") || strings.HasPrefix(g, "warning ") {
				t.Errorf("%s: finding %q", name, g)
			}
		}
		if got := rulesFor(r, "tampered-"+name); !has(got, "error "+string(authenticode.RuleMSIDigestMismatch)) {
			t.Errorf("tampered-%s: findings %q, want %s", name, got, authenticode.RuleMSIDigestMismatch)
		}
		if got := rulesFor(r, "unsigned-"+name); !has(got, "error "+string(ruleUnsigned)) {
			t.Errorf("unsigned-%s: findings %q, want %s", name, got, ruleUnsigned)
		}
	}
	for _, p := range []string{"acme.msm/MergeModule.CABinet/Acme/app.dll", "acme-1.0.1.msp/PCW_CAB_Acme/F1"} {
		if fb := fileByPath(r, p); fb == nil || len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: %+v, want a valid PE", p, fb)
		}
	}
	if got := rulesFor(r, "evil.msm/MergeModule.CABinet/Acme/app.dll"); !has(got, "error "+string(authenticode.RuleDigestMismatch)) {
		t.Errorf("evil.msm's DLL: findings %q, want %s", got, authenticode.RuleDigestMismatch)
	}
	if r.Summary.Passed {
		t.Error("the gate passed")
	}
}
