package sbom

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// TestAttackSBOMTarXattrACL: sbom reports what verify does of a tarball
// whose entry carries a resource fork in an extended attribute
// (file/tar-hidden-data) and whose program's ACL lets everyone write it
// (file/world-writable); the same tarball without them has no finding.
func TestAttackSBOMTarXattrACL(t *testing.T) {
	t.Parallel()
	tarWith := func(name string, recs map[string]map[string]string) string {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, n := range []string{"bin/acl", "bin/rsrc", "bin/tool"} {
			if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Size: 3, Mode: 0o755, PAXRecords: recs[n], Format: tar.FormatPAX}); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte("#!\n"))
		}
		tw.Close()
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got := findingsOf(openInv(t, tarWith("plain.tar", nil))); got != "" {
		t.Errorf("plain: findings %q", got)
	}
	bad := tarWith("bad.tar", map[string]map[string]string{
		"bin/acl":  {"SCHILY.acl.access": "user::rwx,group::r-x,other::rwx"},
		"bin/rsrc": {"SCHILY.xattr.com.apple.ResourceFork": strings.Repeat("code", 100)},
	})
	got := findingsOf(openInv(t, bad))
	for _, w := range []string{string(release.RuleWorldWritable) + " bin/acl", string(release.RuleTarHiddenData) + " bin/rsrc"} {
		if !strings.Contains(","+got+",", ","+w+",") {
			t.Errorf("findings %q, want %q", got, w)
		}
	}
	if n := strings.Count(got, ",") + 1; n != 2 {
		t.Errorf("findings %q, want 2", got)
	}
}
