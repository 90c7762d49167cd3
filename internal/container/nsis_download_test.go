package container

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
)

// TestWalkNSISDownloadPlugin: an installer whose script extracts a download
// plugin ($PLUGINSDIR\inetc.dll, as electron-builder's nsis-web does, in
// any case) is reported once per plugin (nsis/download) and its files are
// still handed over; one extracting only other plugins is not reported.
func TestWalkNSISDownloadPlugin(t *testing.T) {
	for name, tc := range map[string]struct {
		files []nsis.BuildFile
		want  []string
	}{
		"inetc": {[]nsis.BuildFile{{Name: `$PLUGINSDIR\INetC.dll`, Data: []byte("MZ i")}, {Name: `$TEMP\inetc.dll`, Data: []byte("MZ i2")}, {Name: `$PLUGINSDIR\nsis7z.dll`, Data: []byte("MZ 7")}},
			[]string{string(RuleNSISDownload) + " setup.exe"}},
		"nsisdl-and-nscurl": {[]nsis.BuildFile{{Name: `$PLUGINSDIR\NSISdl.dll`, Data: []byte("MZ d")}, {Name: `$TEMP\x\NScurl.dll`, Data: []byte("MZ c")}},
			[]string{string(RuleNSISDownload) + " setup.exe", string(RuleNSISDownload) + " setup.exe"}},
		"offline": {[]nsis.BuildFile{{Name: `$PLUGINSDIR\nsis7z.dll`, Data: []byte("MZ 7")}, {Name: `$PLUGINSDIR\app-64.7z`, Data: []byte("7z a")}, {Name: `$INSTDIR\inetc.txt`, Data: []byte("x")}},
			nil},
	} {
		t.Run(name, func(t *testing.T) {
			in := nsis.Stub(stubPE(t), nsis.Build(tc.files, nsis.BuildOptions{Deflate: true}))
			w := walkAll(t, NSIS, in, "setup.exe", nil, 0)
			if !slices.Equal(w.finds, tc.want) {
				t.Errorf("findings %q, want %q", w.finds, tc.want)
			}
			if len(w.paths) != len(tc.files) {
				t.Errorf("entries %q", w.paths)
			}
		})
	}
}
