package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

func TestBlocklists(t *testing.T) {
	t.Parallel()
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

// TestBlocklistWarningsReported: what loading a blocklist warned about
// reaches the report, not only a log. A blocklist directory fetched long
// before the verification time, and a file in it that its lock does not
// name, are warnings (the list matched is not whole and current); a
// domain indicator in an IoC list, which names no file, is a note.
func TestBlocklistWarningsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rel := filepath.Join(dir, "release")
	writeTree(t, rel, map[string][]byte{"clean.txt": []byte("fine\n")})
	list := []byte(strings.Repeat("a", 64) + "\n")
	sum := sha256.Sum256(list)
	lists := filepath.Join(dir, "lists")
	lock := &blocklist.Lock{Sources: []blocklist.LockedSource{{Name: "iocs", File: "iocs.txt", URL: "https://example.com/iocs.txt",
		Format: blocklist.FormatHashes, Fetched: checkTime.AddDate(0, -3, 0), SHA256: hex.EncodeToString(sum[:]), Size: int64(len(list)), Entries: 1}}}
	lb, err := lock.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, lists, map[string][]byte{"iocs.txt": list, blocklist.LockName: lb, "dropped-in.csv": []byte(strings.Repeat("b", 64) + "\n")})
	csv := filepath.Join(dir, "sophos.csv")
	writeTree(t, dir, map[string][]byte{"sophos.csv": []byte("Indicator_type,Data,Note\nsha256," + strings.Repeat("c", 64) + ",bad\ndomain,evil.example,c2\n")})

	r := run(t, Options{Policy: &Policy{Blocklists: Blocklists{Files: []string{lists, csv}}}}, rel)
	var warnings, notes []string
	for _, x := range r.Findings {
		if x.Rule != RuleBlocklistWarning {
			continue
		}
		if x.Path != "" {
			t.Errorf("blocklist warning with a path: %+v", x)
		}
		switch x.Severity {
		case signing.SeverityWarning:
			warnings = append(warnings, x.Message)
		case signing.SeverityNote:
			notes = append(notes, x.Message)
		}
	}
	all := strings.Join(warnings, "\n")
	if len(warnings) != 2 || !strings.Contains(all, "days ago") || !strings.Contains(all, "dropped-in.csv") {
		t.Errorf("warnings %q, want the stale list and the unloaded file", warnings)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "domain") {
		t.Errorf("notes %q, want the ignored domain indicator", notes)
	}
	if r.Summary.Warnings < 2 {
		t.Errorf("summary %+v counts no warnings", r.Summary)
	}
}
