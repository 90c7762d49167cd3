package pkg

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
)

func TestOpenFSExamplePackage(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	for _, pbzx := range []bool{false, true} {
		b, _ := pkgfile.Build(pkgfile.Spec{Files: pkgfile.ExamplePackage(p.PKI, pbzx)})
		x := open(t, b)
		fsys, finds := OpenFS(x, FSOptions{})
		if len(finds) != 1 || finds[0].Rule != RuleInstallScript || finds[0].Path != "app.pkg/Scripts/postinstall" {
			t.Fatalf("pbzx %t: findings %+v", pbzx, finds)
		}
		exe, err := fs.ReadFile(fsys, "app.pkg/Payload/Applications/Example.app/Contents/MacOS/Example")
		want := machofile.ExampleBundle(p.PKI)["Example.app/Contents/MacOS/Example"].Data
		if err != nil || !bytes.Equal(exe, want) {
			t.Fatalf("pbzx %t: main executable: %v", pbzx, err)
		}
		link, err := fs.ReadLink(fsys, "app.pkg/Payload/Applications/Example.app/Contents/Frameworks/Example Framework.framework/Versions/Current")
		if err != nil || link != "A" {
			t.Errorf("link %q, %v", link, err)
		}
		if err := fstest.TestFS(fsys, "Distribution", "app.pkg/PackageInfo", "app.pkg/Scripts/postinstall",
			"app.pkg/Payload/Applications/Example.app/Contents/Info.plist"); err != nil {
			t.Error(err)
		}
	}
}

func cpioPackage(t *testing.T, payload []byte) (fs.FS, string) {
	b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: "app.pkg/Payload", Data: payload}}})
	fsys, finds := OpenFS(open(t, b), FSOptions{MaxPayload: 1 << 20})
	var out []string
	for _, f := range finds {
		out = append(out, string(f.Rule)+": "+f.Message)
	}
	return fsys, strings.Join(out, "\n")
}

// TestOpenFSHostilePayloads: entries that escape the archive, repeat a
// name or are devices are reported and left out; archives that cannot be
// read or are too large are reported and left as plain files.
func TestOpenFSHostilePayloads(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		payload []byte
		want    string
	}{
		"dot-dot escape":  {pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./../../etc/evil", Mode: 0o100644, Data: []byte("x")}})), `entry "./../../etc/evil" was not checked: not a relative path`},
		"absolute":        {pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "/etc/evil", Mode: 0o100644}})), `entry "/etc/evil" was not checked`},
		"case duplicate":  {pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./App", Mode: 0o100644, Data: []byte("1")}, {Name: "./app", Mode: 0o100644, Data: []byte("2")}})), `differs from "App" only in case`},
		"nfc nfd":         {pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./caf\u00e9", Mode: 0o100644, Data: []byte("1")}, {Name: "./cafe\u0301", Mode: 0o100644, Data: []byte("2")}})), "differs from \"caf\u00e9\" only in case or Unicode normalization"},
		"nfd case":        {pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./\u00c9t\u00e9", Mode: 0o100644, Data: []byte("1")}, {Name: "./e\u0301te\u0301", Mode: 0o100644, Data: []byte("2")}})), "differs from \"\u00c9t\u00e9\" only in case or Unicode normalization"},
		"duplicate":       {pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./a", Mode: 0o100644, Data: []byte("1")}, {Name: "./a", Mode: 0o100644, Data: []byte("2")}})), `a second entry of that name`},
		"unknown type":    {pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./dev", Mode: 0o160644}})), `neither file, directory, symlink nor special file`},
		"no trailer":      {pkgfile.Gzip(pkgfile.CPIO(nil)[:10]), `cut short`},
		"after trailer":   {pkgfile.Gzip(append(pkgfile.CPIO(nil), "hidden"...)), `not zero padding`},
		"not compressed":  {[]byte("hello, world"), `neither gzip, pbzx`},
		"too large":       {pkgfile.Gzip(make([]byte, 2<<20)), `pkg/payload-too-large`},
		"too large pbzx":  {pkgfile.PBZX(make([]byte, 2<<20), 1<<20), `pkg/payload-too-large`},
		"after gzip":      {append(pkgfile.Gzip(pkgfile.CPIO(nil)), 1, 2, 3), `follow the gzip stream`},
		"newc":            {pkgfile.Gzip([]byte(strings.Repeat("070701", 30))), `runs past the archive`},
		"odc then newc":   {pkgfile.Gzip(append(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./a", Mode: 0o100644}})[:83], pkgfile.CPIONewc([]pkgfile.CPIOFile{{Name: "./b", Mode: 0o100644}}, false)...)), `not 070707 as the archive's first`},
		"file under file": {pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./a", Mode: 0o100644}, {Name: "./a/b", Mode: 0o100644}})), `its parent "a" is not a directory`},
	} {
		t.Run(name, func(t *testing.T) {
			_, got := cpioPackage(t, tc.payload)
			if !strings.Contains(got, tc.want) {
				t.Errorf("findings:\n%s\nwant %q", got, tc.want)
			}
		})
	}
}

// TestOpenFSSymlinkEscape: a payload symlink pointing out of the archive
// is reported by ReadLink as written and never followed out by Open.
func TestOpenFSSymlinkEscape(t *testing.T) {
	t.Parallel()
	fsys, finds := cpioPackage(t, pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
		{Name: "./up", Mode: 0o120755, Data: []byte("../../../../etc/passwd")},
		{Name: "./abs", Mode: 0o120755, Data: []byte("/etc/passwd")},
		{Name: "./loop", Mode: 0o120755, Data: []byte("loop")},
	})))
	if finds != "" {
		t.Errorf("findings %s", finds)
	}
	for _, n := range []string{"up", "abs", "loop"} {
		if _, err := fsys.Open("app.pkg/Payload/" + n); err == nil {
			t.Errorf("%s opened", n)
		}
		if l, err := fs.ReadLink(fsys, "app.pkg/Payload/"+n); err != nil || l == "" {
			t.Errorf("%s: ReadLink %q %v", n, l, err)
		}
	}
	if _, err := fsys.Open("app.pkg/Payload/../x"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("invalid path: %v", err)
	}
}

// TestOpenFSSpecialFiles: a payload's devices, FIFOs and sockets, which
// the installer creates, are listed with their type and mode (for the
// caller to report at their paths), no problem of the payload, and never
// opened.
func TestOpenFSSpecialFiles(t *testing.T) {
	t.Parallel()
	want := map[string]fs.FileMode{
		"mem":  fs.ModeDevice | fs.ModeCharDevice | 0o644,
		"disk": fs.ModeDevice | 0o640,
		"pipe": fs.ModeNamedPipe | 0o600,
		"sock": fs.ModeSocket | 0o666,
	}
	fsys, finds := cpioPackage(t, pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
		{Name: "./mem", Mode: 0o020644}, {Name: "./disk", Mode: 0o060640},
		{Name: "./pipe", Mode: 0o010600}, {Name: "./sock", Mode: 0o140666},
	})))
	if finds != "" {
		t.Errorf("findings %s", finds)
	}
	for n, m := range want {
		info, err := fs.Stat(fsys, "app.pkg/Payload/"+n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if info.Mode() != m {
			t.Errorf("%s: mode %v, want %v", n, info.Mode(), m)
		}
		if _, err := fsys.Open("app.pkg/Payload/" + n); err == nil {
			t.Errorf("%s opened", n)
		}
	}
}
