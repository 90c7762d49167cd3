package verify

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestAttackPaddedOverlayArchiveUnreported: a stub that carries an MSI
// (an OLE compound file) or an xz stream after its sections is reported
// when the archive starts where the sections end, and a cabinet there is
// opened; a few KiB of padding,
// or another file, before it made the same signed self-extractor pass
// without a word, though its stub reads the payload from wherever it put
// it. An NSIS installer that stores an MSI raw in its data is walked, the
// MSI checked as the file it installs, and is not reported.
func TestAttackPaddedOverlayArchiveUnreported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pad := make([]byte, 5000)
	testpki.NewRand(12).Read(pad)
	db := cfb.Build(msi.BuildInstaller(msi.Installer{Files: map[string][]byte{"app.exe": f.peUnsigned}}))
	cabinet := cab.Build([]cab.BuildFile{{Name: "app.exe", Data: f.peUnsigned}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	sign := func(img []byte) []byte {
		b, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	stub := func(payload ...[]byte) []byte {
		return sign(bytes.Join(append([][]byte{f.peUnsigned}, payload...), nil))
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"msi-padded.exe":   stub(pad, db),
		"xz-after.exe":     stub([]byte("config=1\r\n"), []byte("\xfd7zXZ\x00\x00\x04payload")),
		"msi-at-end.exe":   stub(db),
		"cab-padded.exe":   stub(pad, cabinet),
		"cab-attached.exe": stub(cabinet),
		"nsis-stored.exe":  sign(nsis.Stub(f.peUnsigned, nsis.Build([]nsis.BuildFile{{Name: `$PLUGINSDIR\app.msi`, Data: db}}, nsis.BuildOptions{}))),
		"plain.exe":        f.peValid,
	})
	r := run(t, Options{}, dir)
	for _, p := range []string{"msi-padded.exe", "xz-after.exe", "msi-at-end.exe", "cab-padded.exe"} {
		if got := rulesFor(r, p); !has(got, "warning "+string(RuleUncheckedArchive)) {
			t.Errorf("%s: %q, want warning %s", p, got, RuleUncheckedArchive)
		}
	}
	for _, p := range []string{"nsis-stored.exe", "plain.exe", "cab-attached.exe"} {
		if got := rulesFor(r, p); has(got, "warning "+string(RuleUncheckedArchive)) {
			t.Errorf("%s: %q", p, got)
		}
	}
	if fileByPath(r, "nsis-stored.exe/$PLUGINSDIR/app.msi/app.cab/app.exe") == nil {
		t.Errorf("the NSIS installer's MSI was not opened: %v", r.Files)
	}
}
