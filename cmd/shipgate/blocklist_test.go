package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBlocklistUpdateFeedsVerify fetches a vendor IoC hash list with
// blocklist update and checks that verify --blocklist DIR fails a release
// holding a listed file, offline.
func TestBlocklistUpdateFeedsVerify(t *testing.T) {
	t.Parallel()
	rel := t.TempDir()
	bad := []byte("a trojanized library, by hash\n")
	os.WriteFile(filepath.Join(rel, "libffmpeg.so"), bad, 0o644)
	sum := sha256.Sum256(bad)
	list := hex.EncodeToString(sum[:]) + "\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(list)) }))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "lists")

	code, _, errOut := runCLI(t, "blocklist", "update", "--out", dir, "--no-defaults", "--source", "vendor="+srv.URL+"/iocs.txt")
	if code != exitError || !strings.Contains(errOut, "plain http") {
		t.Errorf("plain http without --allow-http: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "blocklist", "update", "--out", dir, "--no-defaults", "--allow-http", "--source", "vendor="+srv.URL+"/iocs.txt")
	if code != exitPass || !strings.Contains(out, "vendor") || !strings.Contains(out, "updated") {
		t.Fatalf("update: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "verify", "--no-system-roots", "--blocklist", dir, rel)
	if code != exitFail || !strings.Contains(out, "libffmpeg.so") {
		t.Errorf("verify --blocklist DIR: exit %d\n%s", code, out)
	}
	// A second update refetches the locked source without --source.
	code, out, errOut = runCLI(t, "blocklist", "update", "--out", dir, "--no-defaults", "--allow-http")
	if code != exitPass || !strings.Contains(out, "unchanged") {
		t.Errorf("refetch: exit %d\n%s%s", code, out, errOut)
	}
	// Editing the stored list makes the directory unusable, not weaker.
	os.WriteFile(filepath.Join(dir, "vendor.txt"), []byte("\n"), 0o644)
	code, _, errOut = runCLI(t, "verify", "--no-system-roots", "--blocklist", dir, rel)
	if code != exitError || !strings.Contains(errOut, "does not match") {
		t.Errorf("verify with an edited list: exit %d: %s", code, errOut)
	}
}

func TestBlocklistNeedsSubcommandAndOut(t *testing.T) {
	t.Parallel()
	if code, _, errOut := runCLI(t, "blocklist", "--out", t.TempDir()); code != exitError || !strings.Contains(errOut, "subcommand update") {
		t.Errorf("no subcommand: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "blocklist", "update"); code != exitError || !strings.Contains(errOut, "--out") {
		t.Errorf("no --out: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "blocklist", "update", "--out", t.TempDir(), "--source", "nourl"); code != exitError || !strings.Contains(errOut, "NAME=URL") {
		t.Errorf("bad --source: exit %d: %s", code, errOut)
	}
}
