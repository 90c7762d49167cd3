package container

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackSevenZipSFXConfigVariants: the module reads its
// configuration as 7-Zip's GetTextConfig does, from the first start
// marker in the file's first MiB, wherever the archive lies; sfx/command
// looked only at the 16 KiB before the archive, a line at a time, for a
// key written right before its "=". A command written "RunProgram =
// …", one sharing a line with another pair, a configuration padded
// 32 KiB away from the archive, one before a decoy configuration right
// before the archive, and 7zSfxMod's ExecuteOnLoad ran unnoted. Each is
// a sfx/command note naming the command now.
func TestAttackSevenZipSFXConfigVariants(t *testing.T) {
	t.Parallel()
	arc := sevenz.Build([]sevenz.BuildFile{{Name: "setup.bat", Data: []byte("@echo off")}})
	const start, end = ";!@Install@!UTF-8!\r\n", "\r\n;!@InstallEnd@!"
	pad := strings.Repeat("\x00", 32<<10)
	for name, c := range map[string]struct{ cfg, want string }{
		"spaced":    {start + "Title=\"Acme\"\r\nRunProgram = \"cmd /c evil.bat\"" + end, "cmd /c evil.bat"},
		"one line":  {start + "Title=\"Acme\" RunProgram=\"cmd /c evil.bat\"" + end, "cmd /c evil.bat"},
		"multiline": {start + "RunProgram\n=\n\"cmd /c evil.bat\"" + end, "cmd /c evil.bat"},
		"padded":    {start + "RunProgram=\"cmd /c evil.bat\"" + end + pad, "cmd /c evil.bat"},
		"decoy":     {start + "RunProgram=\"cmd /c evil.bat\"" + end + pad + start + "RunProgram=\"setup.bat\"" + end, "cmd /c evil.bat"},
		"onload":    {start + "ExecuteOnLoad=\"hidcon:cmd /c evil.bat\"" + end, "hidcon:cmd /c evil.bat"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			img := append(append(append([]byte(nil), stubPE(t)...), c.cfg...), arc...)
			// Without the hashing pass's scanner (the overlay is read)
			// and with it.
			var s SFX7zScanner
			s.Write(img)
			for _, sc := range []*SFX7zScanner{nil, &s} {
				var msgs []string
				Walk(context.Background(), Attached, bytes.NewReader(img), int64(len(img)), "setup.exe", nil, Visitor{
					Entry:   func(Entry) {},
					Finding: func(f signing.Finding) { msgs = append(msgs, string(f.Rule)+" "+f.Message) },
					SFX7z:   sc,
				})
				if !slices.ContainsFunc(msgs, func(m string) bool {
					return strings.HasPrefix(m, string(RuleSFXCommand)+" ") && strings.Contains(m, "="+c.want)
				}) {
					t.Errorf("scanner %v: findings %q, want %s naming %q", sc != nil, msgs, RuleSFXCommand, c.want)
				}
			}
		})
	}
}

// TestSFX7zConfigPairs: pairs are read as GetTextConfig reads them,
// up to text that breaks the form.
func TestSFX7zConfigPairs(t *testing.T) {
	t.Parallel()
	got := sfx7zConfigPairs("; comment\r\nTitle=\"A \\\"b\\\"\\n\" ;c\n Run = \"x\" Bad \"y\"")
	if len(got) != 2 || got[0] != [2]string{"Title", "A \"b\"\n"} || got[1] != [2]string{"Run", "x"} {
		t.Errorf("pairs %q", got)
	}
}
