package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// scriptSHA256 returns the SHA-256 subject-interface-package digest of
// script b of the given kind, the digest a catalog can list it by.
func scriptSHA256(t *testing.T, b []byte, kind authenticode.ScriptKind) []byte {
	t.Helper()
	res, err := authenticode.VerifyScript(bytes.NewReader(b), int64(len(b)), kind, authenticode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := hex.DecodeString(res.Authentihash["sha256"])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAttackCatalogScriptInvalidUTF8: a PowerShell script read as UTF-8
// is hashed as U+FFFD for every byte that is not UTF-8, so a catalog
// listing an unsigned script by its Authenticode digest vouched for any
// script with other invalid bytes in their place: a payload of lone
// continuation bytes passed as catalog-signed. The digest no longer stands
// for such a script; its flat digest still does.
func TestAttackCatalogScriptInvalidUTF8(t *testing.T) {
	t.Parallel()
	good := []byte("Write-Host 'caf\x80 \x80\x80\x80\x80'\r\n")
	bad := []byte("Write-Host 'caf\x81 \xbf\x92\xa0\xb3'\r\n")
	if !bytes.Equal(scriptSHA256(t, good, authenticode.ScriptPowerShell), scriptSHA256(t, bad, authenticode.ScriptPowerShell)) {
		t.Fatal("the invalid bytes change the script's digest")
	}
	cat := signedCatalog(t, nil, pefile.CatalogMember{Flat: true, Digest: scriptSHA256(t, good, authenticode.ScriptPowerShell), Name: "install.ps1"})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"drv.cat": cat, "install.ps1": bad})
	r := run(t, Options{Policy: requireValid()}, dir)
	if r.Summary.Passed || catalogSigned(r, "install.ps1", "drv.cat") {
		t.Errorf("passed %v, install.ps1 %+v, findings %q", r.Summary.Passed, fileByPath(r, "install.ps1"), rulesFor(r, "install.ps1"))
	}
	if !has(rulesFor(r, "install.ps1"), "note "+string(authenticode.RuleScriptInvalidText)) {
		t.Errorf("findings %q, want a %s note", rulesFor(r, "install.ps1"), authenticode.RuleScriptInvalidText)
	}
	// The same script listed by its flat digest, and a UTF-8 one by its
	// Authenticode digest, are vouched for.
	utf8 := []byte("Write-Host 'caf\u00e9'\r\n")
	flat := sha256.Sum256(bad)
	cat = signedCatalog(t, nil,
		pefile.CatalogMember{Flat: true, Digest: flat[:], Name: "install.ps1"},
		pefile.CatalogMember{Flat: true, Digest: scriptSHA256(t, utf8, authenticode.ScriptPowerShell), Name: "utf8.ps1"})
	ok := t.TempDir()
	writeTree(t, ok, map[string][]byte{"drv.cat": cat, "install.ps1": bad, "utf8.ps1": utf8})
	r = run(t, Options{Policy: requireValid()}, ok)
	for _, p := range []string{"install.ps1", "utf8.ps1"} {
		if !catalogSigned(r, p, "drv.cat") {
			t.Errorf("%s: %+v, want signed by drv.cat", p, fileByPath(r, p))
		}
	}
	if !r.Summary.Passed {
		t.Errorf("flat member: findings %+v", r.Findings)
	}
}
