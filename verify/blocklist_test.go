package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

func TestBlocklists(t *testing.T) {
	f := getFixtures(t)
	dir := t.TempDir()
	rel := filepath.Join(dir, "release")
	writeTree(t, rel, map[string][]byte{
		"app.exe":   f.peValid,
		"lib.dylib": f.machoValid,
		"notes.txt": []byte("a known-bad text file\n"),
		"clean.txt": []byte("fine\n"),
		"other.exe": f.peUntrusted,
	})
	bad := sha256.Sum256([]byte("a known-bad text file\n"))
	lists := filepath.Join(dir, "lists")
	writeTree(t, lists, map[string][]byte{
		"signer.pem": f.winLeaf.PEM(),
		"hashes.txt": []byte(hex.EncodeToString(bad[:]) + "\n"),
	})
	pol := &Policy{Blocklists: Blocklists{Files: []string{filepath.Join(lists, "signer.pem"), filepath.Join(lists, "hashes.txt")}}}
	r := run(t, Options{Policy: pol}, rel)

	if got := rulesFor(r, "app.exe"); !has(got, "error signer/blocklisted") {
		t.Errorf("app.exe signed by a blocklisted certificate: findings %q", got)
	}
	if s := fileByPath(r, "app.exe").Signatures[0].Status; s != signing.StatusRevoked {
		t.Errorf("app.exe: status %s, want revoked", s)
	}
	if got := rulesFor(r, "notes.txt"); !has(got, "error file/known-bad") {
		t.Errorf("notes.txt: findings %q, want file/known-bad", got)
	}
	for _, p := range []string{"clean.txt", "lib.dylib"} {
		if got := rulesFor(r, p); len(got) != 0 {
			t.Errorf("%s: findings %q, want none", p, got)
		}
	}
	if got := rulesFor(r, "other.exe"); strings.Contains(strings.Join(got, ","), "blocklisted") {
		t.Errorf("other.exe is signed by another certificate: %q", got)
	}

	// The built-in list is on by default and can be turned off; a missing
	// list file fails the run.
	off := false
	if _, err := Release(t.Context(), Options{Trust: f.trust, Policy: &Policy{Blocklists: Blocklists{Builtin: &off, Files: []string{filepath.Join(lists, "missing.csv")}}}}, rel); err == nil {
		t.Errorf("missing blocklist file: no error")
	}
	if _, err := os.Stat(filepath.Join(lists, "signer.pem")); err != nil {
		t.Fatal(err)
	}
}
