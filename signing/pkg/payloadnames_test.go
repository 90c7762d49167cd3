package pkg

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/ulikunitz/xz"
)

func cpioEntry(name string, mode uint32, data string) pkgfile.CPIOFile {
	return pkgfile.CPIOFile{Name: name, Mode: mode, Data: []byte(data)}
}

// TestAttackPayloadFileOnImpliedFolder: a file (or symlink) whose path,
// in another case or normalization, is a folder another entry's path
// implies passed: the walk saw two trees, the installer writes one name
// on a case-insensitive volume (the folder's files land elsewhere, or
// the file fails). Reported, in either order, with both names.
func TestAttackPayloadFileOnImpliedFolder(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		files []pkgfile.CPIOFile
		want  []string
	}{
		"file after folder": {[]pkgfile.CPIOFile{cpioEntry("./App.app/Contents/MacOS/App", 0o100755, "code"), cpioEntry("./app.app/contents", 0o100644, "x")},
			[]string{`entry "./app.app/contents" was not checked`, `the file "app.app/contents" and the folder "App.app/Contents" (of "App.app/Contents/MacOS/App")`, "APFS and HFS+"}},
		"file before folder": {[]pkgfile.CPIOFile{cpioEntry("./app.app/contents", 0o100644, "x"), cpioEntry("./App.app/Contents/MacOS/App", 0o100755, "code")},
			[]string{`entry "./App.app/Contents/MacOS/App" was not checked`, `the folder "App.app/Contents" and the file "app.app/contents"`}},
		"symlink on folder": {[]pkgfile.CPIOFile{cpioEntry("./Library/LaunchDaemons/x.plist", 0o100644, "<plist/>"), cpioEntry("./library/launchdaemons", 0o120755, "/tmp/evil")},
			[]string{`the file "library/launchdaemons" and the folder "Library/LaunchDaemons"`}},
		"nfd folder": {[]pkgfile.CPIOFile{cpioEntry("./caf\u00e9/x", 0o100644, "1"), cpioEntry("./cafe\u0301", 0o100644, "2")},
			[]string{"the file \"cafe\u0301\" and the folder \"caf\u00e9\""}},
		"folder entry": {[]pkgfile.CPIOFile{cpioEntry("./Docs", 0o040755, ""), cpioEntry("./docs", 0o100644, "2")},
			// foldedSibling's report, and the folder's.
			[]string{`differs from "Docs" only in case`, `the file "docs" and the folder "Docs"`}},
	} {
		t.Run(name, func(t *testing.T) {
			_, got := cpioPackage(t, pkgfile.Gzip(pkgfile.CPIO(tc.files)))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("findings:\n%s\nwant %q", got, w)
				}
			}
			if !strings.Contains(got, "pkg/payload-malformed") {
				t.Errorf("findings:\n%s", got)
			}
		})
	}
	// One spelling of every folder, or folders differing in case (which
	// the installer merges): no finding.
	_, got := cpioPackage(t, pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
		cpioEntry("./App.app", 0o040755, ""), cpioEntry("./App.app/Contents/Info.plist", 0o100644, "<plist/>"),
		cpioEntry("./App.app/Contents/MacOS/App", 0o100755, "code"), cpioEntry("./app.app/contents/Resources/a", 0o100644, "a"),
	})))
	if got != "" {
		t.Errorf("clean payload: %s", got)
	}
}

// TestAttackPayloadFolderSpellings: entries spelled "a//b", "a/./b" or
// "a/b/" are another spelling of a path the installer writes to; over an
// entry of that path (or of its case-folded spelling), the report names
// it, and the entry is left out, never walked.
func TestAttackPayloadFolderSpellings(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		files     []pkgfile.CPIOFile
		want, not string
	}{
		"double slash":   {[]pkgfile.CPIOFile{cpioEntry("./a/b", 0o100644, "good"), cpioEntry("./a//b", 0o100644, "evil")}, `another spelling (doubled or trailing slashes, "." elements) of "a/b", which the installer writes there, over the entry "a/b"`, ""},
		"dot element":    {[]pkgfile.CPIOFile{cpioEntry("./a/b", 0o100644, "good"), cpioEntry("./a/./b", 0o100644, "evil")}, `of "a/b", which the installer writes there, over the entry "a/b"`, ""},
		"trailing slash": {[]pkgfile.CPIOFile{cpioEntry("./a/b", 0o100644, "good"), cpioEntry("./a/b/", 0o040755, "")}, `over the entry "a/b"`, ""},
		"folded":         {[]pkgfile.CPIOFile{cpioEntry("./a/b", 0o100644, "good"), cpioEntry("./A//B", 0o100644, "evil")}, `over the entry "a/b" (one name on a case-insensitive volume)`, ""},
		"alone":          {[]pkgfile.CPIOFile{cpioEntry("./a//b", 0o100644, "evil")}, `another spelling (doubled or trailing slashes, "." elements) of "a/b", which the installer writes there`, "over the entry"},
		"escape":         {[]pkgfile.CPIOFile{cpioEntry("./a/../../b", 0o100644, "evil")}, `not a relative path inside the archive`, "another spelling"},
	} {
		t.Run(name, func(t *testing.T) {
			fsys, got := cpioPackage(t, pkgfile.Gzip(pkgfile.CPIO(tc.files)))
			if !strings.Contains(got, "pkg/payload-malformed") || !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
				t.Errorf("findings:\n%s\nwant %q", got, tc.want)
			}
			if b, err := fs.ReadFile(fsys, "app.pkg/Payload/a/b"); err == nil && string(b) != "good" {
				t.Errorf("a/b reads %q", b)
			}
		})
	}
}

// TestAttackCPIOSignedOctal: an odc header field written with a sign
// ("+0000000116" for a file size) was read by strconv as 78, while
// libarchive's reader stops at the sign and reads 0: the bytes shipgate
// took for one file's data are, to such an extractor, the next entry (a
// replaced App here), never checked. A field that is not all octal
// digits is now malformed; the archive is not opened.
func TestAttackCPIOSignedOctal(t *testing.T) {
	t.Parallel()
	hidden := pkgfile.CPIO([]pkgfile.CPIOFile{cpioEntry("./App.app/Contents/MacOS/App", 0o100755, "evil")})
	hidden = hidden[:len(hidden)-odcHeaderLen-len("TRAILER!!!")-1] // the entry, not its trailer
	archive := pkgfile.CPIO([]pkgfile.CPIOFile{
		cpioEntry("./App.app/Contents/MacOS/App", 0o100755, "good"),
		cpioEntry("./App.app/Contents/Resources/notes", 0o100644, string(hidden)),
	})
	// The second header's file size field, at bytes 65-76 of its header.
	at := odcHeaderLen + len("./App.app/Contents/MacOS/App") + 1 + len("good") + 65
	if got := string(archive[at : at+11]); got != fmt.Sprintf("%011o", len(hidden)) {
		t.Fatalf("file size field %q", got)
	}
	copy(archive[at:], fmt.Sprintf("+%010o", len(hidden)))
	fsys, got := cpioPackage(t, pkgfile.Gzip(archive))
	if !strings.Contains(got, "pkg/payload-malformed") || !strings.Contains(got, "is not octal") {
		t.Errorf("findings:\n%s", got)
	}
	if _, err := fs.Stat(fsys, "app.pkg/Payload/App.app"); err == nil {
		t.Error("the payload was opened")
	}
}

// TestAttackPBZXStoredChunkDecoded: a pbzx chunk whose length is a whole
// chunk's (the stream header's chunk size, or 16 MiB) is a stored chunk
// to readers that tell stored chunks by length, as the published pbzx
// readers do; starting with xz's magic, it was decoded here instead, and
// the files checked were not the bytes such a reader installs. Refused as
// ambiguous; the same xz chunk of another length still decodes.
func TestAttackPBZXStoredChunkDecoded(t *testing.T) {
	t.Parallel()
	archive := pkgfile.CPIO([]pkgfile.CPIOFile{cpioEntry("./App.app/Contents/MacOS/App", 0o100755, "checked")})
	var x bytes.Buffer
	w, _ := xz.NewWriter(&x)
	w.Write(archive)
	w.Close()
	stream := func(chunk int) []byte {
		var b bytes.Buffer
		b.WriteString("pbzx")
		binary.Write(&b, binary.BigEndian, uint64(chunk))
		binary.Write(&b, binary.BigEndian, uint64(0)) // the last chunk
		binary.Write(&b, binary.BigEndian, uint64(x.Len()))
		b.Write(x.Bytes())
		return b.Bytes()
	}
	_, got := cpioPackage(t, stream(x.Len()))
	if !strings.Contains(got, "pkg/payload-malformed") || !strings.Contains(got, "the two readings differ") {
		t.Errorf("findings:\n%s", got)
	}
	fsys, got := cpioPackage(t, stream(1<<24))
	if b, err := fs.ReadFile(fsys, "app.pkg/Payload/App.app/Contents/MacOS/App"); got != "" || string(b) != "checked" {
		t.Errorf("findings %s, App %q, %v", got, b, err)
	}
}
