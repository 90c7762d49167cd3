package verify

import (
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// TestCABNonzeroReserved1Opened: a cabinet whose reserved1 header field is
// not zero is still a cabinet to libmspack (cabextract) and gcab, which
// check the "MSCF" signature alone and extract its files; shipgate took it
// for no cabinet, so a tampered DLL inside passed with no finding at all.
// Shipped as a file and streamed out of a zip, it is opened.
func TestCABNonzeroReserved1Opened(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	c := cab.Build([]cab.BuildFile{{Name: "evil.dll", Data: f.peTampered}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	c[4] = 1 // reserved1
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drivers.cab": c,
		"rel.zip":     makeZip(t, []zipEntry{{name: "payload.cab", data: c}}),
	})
	mustFail(t, Options{}, "drivers.cab/evil.dll", authenticode.RuleDigestMismatch, filepath.Join(dir, "drivers.cab"))
	mustFail(t, Options{}, "payload.cab/evil.dll", authenticode.RuleDigestMismatch, filepath.Join(dir, "rel.zip"))
}
