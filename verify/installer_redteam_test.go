package verify

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
)

// sharedInstaller returns an installer whose one block (data) is extracted
// to first and to second: makensis stores identical files once.
func sharedInstaller(t *testing.T, first, second string, data []byte, o nsis.BuildOptions) []byte {
	t.Helper()
	b := nsis.Build([]nsis.BuildFile{{Name: first, Data: data}, {Name: second, Data: []byte("x")}}, o)
	// Point the second instruction at the first block.
	i := bytes.Index(b, []byte{20, 0, 0, 0})
	j := bytes.Index(b[i+28:], []byte{20, 0, 0, 0}) + i + 28
	copy(b[j+12:j+16], b[i+12:i+16])
	return nsis.Stub(getFixtures(t).peUnsigned, b)
}

// TestNSISSharedDataPolicyPerPath: the policy applies at every path an
// NSIS block is extracted to, not only at the first: a signed DLL kept
// once and extracted to a folder where the policy forbids PE files fails
// the gate.
func TestNSISSharedDataPolicyPerPath(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	p := requireValid()
	p.Rules = append(p.Rules, Rule{Match: []string{"**/plugins/**"}, ForbidKinds: []Kind{KindPE}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": signInstaller(t, sharedInstaller(t, `$INSTDIR\ok.dll`, `$INSTDIR\plugins\evil.dll`, f.peValid, nsis.BuildOptions{}))})
	mustFail(t, Options{Policy: p}, "setup.exe/$INSTDIR/plugins/evil.dll", RuleForbiddenKind, dir)
}

// TestNSISSharedDataEachPath: the DLL at a further path a block is
// extracted to is in the report, checked there.
func TestNSISSharedDataEachPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": sharedInstaller(t, `$INSTDIR\a.dll`, `$INSTDIR\b.dll`, getFixtures(t).peValid, nsis.BuildOptions{})})
	r := run(t, Options{}, dir)
	if fileByPath(r, "setup.exe/$INSTDIR/b.dll") == nil {
		t.Error("b.dll was not checked")
	}
}
