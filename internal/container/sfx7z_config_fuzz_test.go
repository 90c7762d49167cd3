package container

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
)

// FuzzSFX7zConfig walks 7-Zip self-extractors whose configuration, between
// the module and the archive, is hostile: no panic; a sfx/command note
// for no more lines than the configuration holds with a command key, each
// at the self-extractor's path.
func FuzzSFX7zConfig(f *testing.F) {
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		f.Fatal(err)
	}
	arc := sevenz.Build([]sevenz.BuildFile{{Name: "setup.bat", Data: []byte("@echo off")}})
	f.Add([]byte(";!@Install@!UTF-8!\r\nTitle=\"Acme\"\r\nRunProgram=\"hidcon:cmd /c setup.bat\"\r\nAutoInstall1=\"msiexec /i app.msi /qn\"\r\nAutoInstallX=\"no\"\r\n;!@InstallEnd@!"))
	f.Add([]byte(";!@Install@!UTF-8!\nExecuteFile=a.exe\nExecuteParameters=/S\n;!@Install@!UTF-8!\nRunProgram=b.exe"))
	f.Add([]byte(";!@InstallEnd@!;!@Install@!UTF-8!\n AutoInstall9 = x \n;!@InstallEnd@!\nRunProgram=after"))
	f.Fuzz(func(t *testing.T, cfg []byte) {
		b := append(append(append([]byte(nil), img...), cfg...), arc...)
		lines := 0
		for _, l := range strings.Split(strings.ReplaceAll(string(cfg), sfx7zConfigStart, "\n"), "\n") {
			if k, _, ok := strings.Cut(strings.TrimSpace(l), "="); ok && sfx7zCommand(k) {
				lines++
			}
		}
		notes := 0
		Walk(context.Background(), Attached, bytes.NewReader(b), int64(len(b)), "setup.exe", nil, Visitor{
			Entry: func(e Entry) {
				if !strings.HasPrefix(e.Path, "setup.exe/") {
					t.Fatalf("entry %q", e.Path)
				}
			},
			Finding: func(fd signing.Finding) {
				if fd.Rule == RuleSFXCommand {
					notes++
					if fd.Path != "setup.exe" || fd.Severity != signing.SeverityNote {
						t.Fatalf("%s %s at %q", fd.Severity, fd.Rule, fd.Path)
					}
				}
			},
		})
		if notes > lines {
			t.Fatalf("%d sfx/command notes from %d command lines", notes, lines)
		}
	})
}
