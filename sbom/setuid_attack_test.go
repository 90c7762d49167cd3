package sbom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackSBOMPrivilegedEntries: a tarball's bin/helper with the
// set-user-ID bit, and bin/cap with a security.capability pax record, run
// with root's powers once extracted as root; a zip's set-user-ID entry
// too. verify reports them (file/setuid); sbom inventoried them without a
// word. It now reports the same findings, and the same files with plain
// modes have none.
func TestAttackSBOMPrivilegedEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exe := peImage(t, "helper")
	tarball := func(name string, privileged bool) string {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, h := range []*tar.Header{
			{Name: "bin/helper", Mode: 0o755, Size: int64(len(exe)), Typeflag: tar.TypeReg, Format: tar.FormatPAX},
			{Name: "bin/cap", Mode: 0o755, Size: int64(len(exe)), Typeflag: tar.TypeReg, Format: tar.FormatPAX},
			{Name: "README", Mode: 0o644, Size: int64(len(exe)), Typeflag: tar.TypeReg, Format: tar.FormatPAX},
		} {
			if privileged && h.Name == "bin/helper" {
				h.Mode |= 0o4000
			}
			if privileged && h.Name == "bin/cap" {
				h.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": "\x01\x00\x00\x02"}
			}
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			tw.Write(exe)
		}
		tw.Close()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	setuid := string(release.RuleSetuid)
	if got := findingsOf(openInv(t, tarball("plain.tar", false))); got != "" {
		t.Errorf("plain tarball: findings %q, want none", got)
	}
	if got, want := findingsOf(openInv(t, tarball("setuid.tar", true))), setuid+" bin/cap,"+setuid+" bin/helper"; got != want {
		t.Errorf("tarball: findings %q, want %q", got, want)
	}

	zipOf := func(name string, mode fs.FileMode) string {
		return headerZip(t, dir, name, func(i int, h *zip.FileHeader) { h.SetMode(mode) }, zipEntry{"bin/helper", exe, nil})
	}
	if got := findingsOf(openInv(t, zipOf("plain.zip", 0o755))); got != "" {
		t.Errorf("plain zip: findings %q, want none", got)
	}
	if got, want := findingsOf(openInv(t, zipOf("setuid.zip", 0o755|fs.ModeSetuid))), setuid+" bin/helper"; got != want {
		t.Errorf("zip: findings %q, want %q", got, want)
	}
}

// TestAttackSBOMPkgPayloadModes: an installer package whose payload
// installs a set-user-ID, a set-group-ID and a world-writable program had
// them inventoried without a finding, where verify reports each; sbom now
// reads the payload's modes (container.Entry.Mode) and reports them as
// verify does.
func TestAttackSBOMPkgPayloadModes(t *testing.T) {
	p := filepath.Join(t.TempDir(), walktest.ModePkgName)
	if err := os.WriteFile(p, walktest.ModePkg(t, "odc"), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := append(ruleFindings(inv.Findings, release.RuleSetuid, ""), ruleFindings(inv.Findings, release.RuleWorldWritable, "")...)
	want := walktest.ModePkgFindings()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
