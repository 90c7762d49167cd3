package container

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/cab"
)

// TestAttackBurnManifestEncoding: the Burn engine loads its manifest
// with MSXML, which reads a UTF-16 manifest and one whose declaration
// names any encoding, where Go's XML reader stopped at the first token:
// such a web bundle's downloads were not reported. So were those of a
// manifest padded past the 4 MiB read whole. Each is burn/download now.
func TestAttackBurnManifestEncoding(t *testing.T) {
	t.Parallel()
	body := `<BurnManifest xmlns="http://wixtoolset.org/schemas/v4/2008/Burn">
  <Payload Id="app.msi" FilePath="app.msi" FileSize="1000" Packaging="download" DownloadUrl="https://example.com/app.msi" />
</BurnManifest>`
	var le []byte
	for _, u := range utf16.Encode([]rune(`<?xml version="1.0" encoding="utf-16"?>` + "\n" + body)) {
		le = append(le, byte(u), byte(u>>8))
	}
	cases := map[string][]byte{
		"utf-16":       append([]byte{0xff, 0xfe}, le...),
		"windows-1252": []byte(`<?xml version="1.0" encoding="windows-1252"?>` + "\n" + body),
		"padded":       []byte(`<?xml version="1.0" encoding="utf-8"?>` + "\n<!--" + strings.Repeat(" ", 5<<20) + "-->\n" + body),
	}
	attached := cab.Build([]cab.BuildFile{{Name: "a0", Data: []byte("local msi")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	for name, manifest := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ux := cab.Build([]cab.BuildFile{{Name: "0", Data: manifest}, {Name: "u0", Data: []byte("MZ ba")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
			img := burnBundle(t, ux, attached)
			if k := Detect(bytes.NewReader(img), ".exe", img[:HeadLen], int64(len(img))); k != Attached {
				t.Fatalf("kind %v", k)
			}
			w := walkAll(t, Attached, img, "bundle.exe", nil, 0)
			want := fmt.Sprintf("%s bundle.exe/$ATTACHED/%d/0", RuleBurnDownload, len(img)-len(ux)-len(attached))
			if len(w.finds) != 1 || w.finds[0] != want {
				t.Errorf("findings %q, want %q", w.finds, want)
			}
		})
	}
}
