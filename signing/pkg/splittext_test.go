package pkg

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
)

// TestAttackTOCTextSplit: libxar keeps the last text node of an element
// (a comment splits the text in two) and skips CDATA sections; Go's XML
// decoder joins them all. "Stash<!---->Payload" is the component archive
// Payload to the installer and a plain file "StashPayload" to a reader
// that joins: the app it installs went unchecked. A table of contents
// whose element text is split is refused.
func TestAttackTOCTextSplit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, old, new string
	}{
		{"comment-in-name", "<name>Payload</name>", "<name>Stash<!-- -->Payload</name>"},
		{"cdata-in-name", "<name>Payload</name>", "<name>Payload<![CDATA[.bak]]></name>"},
		{"space-before-comment", "<name>Payload</name>", "<name> <!-- -->Payload</name>"},
		{"comment-in-type", "<type>file</type>", "<type>symlink<!-- -->file</type>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, ts := testPKI(t)
			s := signedSpec(t)
			s.Files = pkgfile.ExamplePackage(p.PKI, false)
			s.TweakTOC = func(x string) string {
				if !strings.Contains(x, c.old) {
					t.Fatalf("no %s", c.old)
				}
				return strings.Replace(x, c.old, c.new, 1)
			}
			b, _ := pkgfile.Build(s)
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: ts, Time: machofile.SignTime})
			if err == nil {
				fsys, _ := OpenFS(open(t, b), FSOptions{})
				_, serr := fs.Stat(fsys, "app.pkg/Payload/Applications/Example.app/Contents/MacOS/Example")
				t.Errorf("table of contents accepted: statuses %s, findings %s, payload opened: %v", statuses(res), rules(res), serr == nil)
			}
		})
	}
}
