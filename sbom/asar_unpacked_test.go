package sbom

import (
	"bytes"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/sbom/asar"
)

// TestAttackAsarUnpackedIntegritySBOM: sbom lists the files of
// app.asar.unpacked at their paths on disk and compares them with the
// archive's header, so one whose bytes differ from its header's integrity
// is asar/integrity-mismatch and one that is missing is file/unreadable,
// at their paths in the unpacked folder, as verify reports them; matching
// files, one larger than an integrity block, have neither.
func TestAttackAsarUnpackedIntegritySBOM(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("big native data "), (electronfix.AsarBlockSize+300<<10)/16)
	arc, files := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"app","version":"1.0.0"}`)},
		{Path: "native/x.node", Data: []byte("native module bytes"), Unpacked: true},
		{Path: "native/big.node", Data: big, Unpacked: true},
	})
	for _, tc := range []struct {
		name   string
		change func(f map[string][]byte)
		want   []string
	}{
		{"legitimate", func(map[string][]byte) {}, nil},
		{"tampered", func(f map[string][]byte) {
			b := bytes.Clone(f["native/big.node"])
			b[electronfix.AsarBlockSize+100] ^= 1
			f["native/big.node"] = b
		}, []string{string(asar.RuleIntegrityMismatch) + " resources/app.asar.unpacked/native/big.node"}},
		{"missing", func(f map[string][]byte) { delete(f, "native/x.node") }, []string{string(RuleUnreadable) + " resources/app.asar.unpacked/native/x.node"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree := map[string][]byte{"resources/app.asar": arc}
			fs := map[string][]byte{}
			for p, b := range files {
				fs[p] = b
			}
			tc.change(fs)
			for p, b := range fs {
				tree["resources/app.asar.unpacked/"+p] = b
			}
			inv, err := Open(writeFolder(t, tree), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := append(ruleFindings(inv.Findings, asar.RuleIntegrityMismatch, ""), ruleFindings(inv.Findings, RuleUnreadable, "")...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}
