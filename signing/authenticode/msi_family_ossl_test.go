package authenticode

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
)

// msiFamily are a merge module, a patch and a transform, each with a
// marker string stored as it is (not compressed), for a tampering test to
// find.
func msiFamily() map[string]struct {
	data   []byte
	marker string
} {
	c := msi.Installer{Files: map[string][]byte{"a.dll": []byte("MZ a")}}.CAB()
	return map[string]struct {
		data   []byte
		marker string
	}{
		"module.msm": {cfb.Build(msi.BuildInstaller(msi.Installer{Module: true, Folder: "Acme", Files: map[string][]byte{"a.dll": []byte("MZ a")},
			Binary: map[string][]byte{"CA": []byte("MZ module custom action")}})), "module custom action"},
		"update.msp":   {cfb.Build(msi.BuildPatch(map[string][]byte{"PCW_CAB_Acme": c}, map[string]*cfb.Node{"RTM.1": msi.BuildTransform(map[string][]byte{"Binary.X": []byte("MZ patch transform")})})), "patch transform"},
		"language.mst": {cfb.Build(msi.BuildTransform(map[string][]byte{"Binary.Added": []byte("MZ transform adds")})), "transform adds"},
	}
}

// TestOsslsigncodeMSIFamily: osslsigncode signs merge modules, patches and
// transforms as it signs an MSI (a compound file, whatever its name), with
// and without MsiDigitalSignatureEx. VerifyMSI finds each valid, as
// osslsigncode verify does, and a byte changed in a stream fails both
// with the MSI digest mismatch.
func TestOsslsigncodeMSIFamily(t *testing.T) {
	e := newOsslEnv(t)
	for name, f := range msiFamily() {
		in := e.write(name, f.data)
		for variant, args := range map[string][]string{"plain": nil, "dse": {"-add-msi-dse"}} {
			signed, out := e.sign(t, in, variant+"-"+name, args...)
			if res := verifyMSI(t, signed, e.trust); res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
				t.Errorf("%s %s: status %s findings %+v, want valid", name, variant, res.Status, res.Findings)
			}
			if msg, err := e.verify(out); err != nil {
				t.Errorf("%s %s: osslsigncode verify: %v\n%s", name, variant, err, msg)
			}
			i := bytes.Index(signed, []byte(f.marker))
			if i < 0 {
				t.Fatalf("%s: marker not found", name)
			}
			bad := bytes.Clone(signed)
			bad[i] ^= 0x20
			res := verifyMSI(t, bad, e.trust)
			if res.Status == signing.StatusValid || !hasRule(res, RuleMSIDigestMismatch) {
				t.Errorf("%s %s tampered: status %s findings %+v, want %s", name, variant, res.Status, res.Findings, RuleMSIDigestMismatch)
			}
			if msg, err := e.verify(e.write("bad-"+variant+"-"+name, bad)); err == nil {
				t.Errorf("%s %s tampered: osslsigncode verify passed:\n%s", name, variant, msg)
			}
		}
	}
}
