package container

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

// TestAttackMSICabinetTrailingData: bytes appended to an MSI's embedded
// cabinet stream, past cbCabinet, are signed with the database and
// extracted by nothing; shipgate read the cabinet's files and skipped
// them. They are an msi/cabinet-trailing-data warning at their offset in
// the stream and are checked as setup/app.cab/$CAB/trailing-data. A
// standalone cabinet's are checked too (its signature check reports
// them), and a cabinet without such bytes hands over none.
func TestAttackMSICabinetTrailingData(t *testing.T) {
	payload := "MZ hidden payload"
	c := fixtureMSICab()
	got, finds := walkEntries(context.Background(), MSI, fixtureMSIWith(append(append([]byte(nil), c...), payload...)), nil)
	if got["setup/app.cab/"+CABTrailing] != payload || got["setup/app.cab/Acme/a.dll"] != "MZ a" {
		t.Errorf("entries %q", got)
	}
	if len(finds) != 1 || finds[0].Rule != RuleMSICabinetTrailing || finds[0].Path != "setup/app.cab" || finds[0].Offset == nil || *finds[0].Offset != int64(len(c)) {
		t.Errorf("findings %+v", finds)
	}

	got, finds = walkEntries(context.Background(), CAB, append(append([]byte(nil), c...), payload...), nil)
	if got["setup/"+CABTrailing] != payload || len(finds) != 0 {
		t.Errorf("standalone cabinet: entries %q, findings %+v", got, finds)
	}
	got, _ = walkEntries(context.Background(), CAB, c, nil)
	if len(got) != 1 {
		t.Errorf("plain cabinet: entries %q", got)
	}
}

// TestCABTrailingSignedByOsslsigncode: a cabinet osslsigncode signed
// carries its signature past cbCabinet; that is not trailing data, and
// bytes appended after the signature are handed over as
// $CAB/data-after-signature. Skipped without osslsigncode.
func TestCABTrailingSignedByOsslsigncode(t *testing.T) {
	tool, err := exec.LookPath("osslsigncode")
	if err != nil {
		t.Skip("osslsigncode not installed: cross-check skipped")
	}
	dir := t.TempDir()
	root := testpki.NewRoot(testpki.Spec{CommonName: "CAB Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "CAB Signer", KeyN: 1})
	for name, b := range map[string][]byte{"in.cab": fixtureMSICab(), "cert.pem": leaf.PEM(), "key.pem": leaf.KeyPEM()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out.cab")
	if b, err := exec.Command(tool, "sign", "-certs", filepath.Join(dir, "cert.pem"), "-key", filepath.Join(dir, "key.pem"), "-in", filepath.Join(dir, "in.cab"), "-out", out).CombinedOutput(); err != nil {
		t.Fatalf("osslsigncode: %v\n%s", err, b)
	}
	signed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := walkEntries(context.Background(), CAB, signed, nil)
	if len(got) != 1 {
		t.Errorf("signed cabinet: entries %q, want its one file", got)
	}
	got, _ = walkEntries(context.Background(), CAB, append(signed, "MZ after"...), nil)
	if len(got) != 2 || got["setup/"+CABAfterSignature] != "MZ after" {
		t.Errorf("signed cabinet with data after its signature: entries %q", got)
	}
}
