package verify

import (
	"archive/tar"
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackTarXattrACL: a tar entry's extended attribute holding a
// resource fork, and an ACL granting everyone write to a program, passed
// unseen (every SCHILY. record was taken as applied). The attribute is
// file/tar-hidden-data, the ACL a file/world-writable warning, and the
// same files without them have no finding.
func TestAttackTarXattrACL(t *testing.T) {
	t.Parallel()
	tarWith := func(recs map[string]map[string]string) string {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, name := range []string{"bin/acl", "bin/rsrc", "bin/tool"} {
			if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: 3, Mode: 0o755, PAXRecords: recs[name], Format: tar.FormatPAX}); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte("#!\n"))
		}
		tw.Close()
		return writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), b.Bytes())
	}
	got := func(r *Report) []string {
		var out []string
		for _, f := range r.Findings {
			out = append(out, string(f.Rule)+" "+f.Path+" "+f.Severity.String())
		}
		slices.Sort(out)
		return out
	}
	if g := got(run(t, Options{}, tarWith(nil))); len(g) != 0 {
		t.Errorf("plain: findings %q", g)
	}
	bad := tarWith(map[string]map[string]string{
		"bin/acl":  {"SCHILY.acl.access": "user::rwx,group::r-x,other::rwx"},
		"bin/rsrc": {"SCHILY.xattr.com.apple.ResourceFork": strings.Repeat("code", 100)},
	})
	want := []string{
		string(ruleTarHiddenData) + " bin/rsrc " + signing.SeverityError.String(),
		string(RuleWorldWritable) + " bin/acl " + signing.SeverityWarning.String(),
	}
	slices.Sort(want)
	if g := got(run(t, Options{}, bad)); !slices.Equal(g, want) {
		t.Errorf("findings %q, want %q", g, want)
	}
}
