package authenticode

import (
	"bytes"
	"github.com/shipgate/shipgate/internal/wixlfix"
	"os"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestOsslsigncodeWixlMSI signs an MSI that msitools' wixl wrote (a
// database of a few hundred KB, with its FAT, mini FAT and directory laid
// out by libgsf rather than our fixture builder) with osslsigncode, with
// and without MsiDigitalSignatureEx: each is valid with no finding but the
// note, so the compound file checks (table slack, free sectors, empty
// streams and storages, streams the database does not refer to) take
// nothing these writers leave for data.
func TestOsslsigncodeWixlMSI(t *testing.T) {
	t.Parallel()
	msi := wixlfix.Build(t, wixlfix.Spec{Version: "1.0.0", Files: []wixlfix.File{
		{ID: "AppDll", Name: "app.dll", Data: []byte("MZ app")},
		{ID: "BigDll", Name: "big.dll", Data: bytes.Repeat([]byte("MZ big dll bytes that compress "), 10000)},
	}})
	e := newOsslEnv(t)
	b, err := os.ReadFile(msi)
	if err != nil {
		t.Fatal(err)
	}
	in := e.write("wixl.msi", b)
	for name, args := range map[string][]string{"plain": nil, "dse": {"-add-msi-dse"}} {
		signed, _ := e.sign(t, in, "wixl-"+name+".msi", args...)
		// The database opens, so its streams' references are checked.
		if f := openMSI(t, signed); name == "plain" {
			if _, ok := msiUnreferenced(f, f.Root()); !ok {
				t.Errorf("%s: the database does not open, so no stream's reference was checked", name)
			}
		}
		if res := verifyMSI(t, signed, e.trust); res.Status != signing.StatusValid || len(msiFindingsBeyondNote(res)) != 0 {
			t.Errorf("%s: status %s findings %+v, want valid", name, res.Status, res.Findings)
		}
	}
}
