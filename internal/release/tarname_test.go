package release

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// tarPair returns a tarball of two files: first, a ustar entry named
// firstName holding "good", then one holding "EVIL" whose header edit
// rewrites (then resealed).
func tarPair(t *testing.T, format tar.Format, firstName string, edit func(h []byte)) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for i, d := range []string{"good", "EVIL"} {
		h := &tar.Header{Name: "lib.js", Typeflag: tar.TypeReg, Size: 4, Mode: 0o644, Format: tar.FormatUSTAR}
		if i == 0 {
			h.Name = firstName
		} else {
			h.Format = format
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(d))
	}
	tw.Close()
	raw := b.Bytes()
	second := raw[1024:1536]
	edit(second)
	reseal(second)
	return raw
}

// TestAttackTarHeaderNamePrefix: archive/tar names an entry with a prefix
// GNU tar and bsdtar do not read (a GNU header whose access time is no
// number: archive/tar's fallback for archives of Go before 1.8), or cuts
// a star header's prefix at 131 bytes where they read 155. The second
// entry was checked as zz/app/lib.js; both tools extract it as
// app/lib.js, over the first entry checked under that name. Reported as
// malformed; a ustar prefix and a GNU header with numeric times are not.
func TestAttackTarHeaderNamePrefix(t *testing.T) {
	p131 := strings.Repeat("p", 131)
	for _, c := range []struct {
		name  string
		first string // the name of the first entry, which extractors give the second
		b     []byte
		bad   bool
	}{
		{"gnu times as prefix", "lib.js", tarPair(t, tar.FormatGNU, "lib.js", func(h []byte) {
			copy(h[345:], "zz\x00")
		}), true},
		{"star prefix cut short", p131 + "123/lib.js", tarPair(t, tar.FormatUSTAR, p131+"123/lib.js", func(h []byte) {
			copy(h[345:], p131+"123\x00")
			copy(h[508:], "tar\x00")
		}), true},
		{"gnu numeric times", "other.js", tarPair(t, tar.FormatGNU, "other.js", func(h []byte) {
			copy(h[345:], "14000000000\x00")
		}), false},
		{"ustar prefix", "x/lib.js", tarPair(t, tar.FormatUSTAR, "x/lib.js", func(h []byte) {
			copy(h[345:], "y\x00")
		}), false},
		{"star prefix with its NUL", "q/lib.js", tarPair(t, tar.FormatUSTAR, "q/lib.js", func(h []byte) {
			copy(h[345:], "pp\x00")
			copy(h[476:], "00000000000 00000000000 ")
			copy(h[508:], "tar\x00")
		}), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachCompression(t, c.b, func(compress bool, b []byte) {
				names, ps := tarNames(t, b)
				bad := oneProblem(ps, ProblemMalformed, "by GNU tar and bsdtar")
				if bad != c.bad || (!c.bad && (len(ps) != 0 || len(names) != 2 || names[0] == names[1])) {
					t.Errorf("compressed %v: entries %q, problems %+v", compress, names, ps)
				}
			})
			extractorsAgree(t, c.b, c.first, c.bad)
		})
	}
}

// extractorsAgree lists b with GNU tar and bsdtar, when installed, and
// checks that both name its second entry as its first (first) exactly when
// same is set.
func extractorsAgree(t *testing.T, b []byte, first string, same bool) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "a.tar")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"tar", "bsdtar"} {
		bin, err := exec.LookPath(tool)
		if err != nil {
			t.Logf("%s not installed: cross-check skipped", tool)
			continue
		}
		out, err := exec.Command(bin, "-tf", f).Output()
		if err != nil {
			t.Fatalf("%s -tf: %v", tool, err)
		}
		names := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(names) != 2 || (names[1] == first) != same || names[0] != first {
			t.Errorf("%s lists %q, want the second named %q: %v", tool, names, first, same)
		}
	}
}

// TestAttackTarSizeLeadingNUL: a size field starting with NULs
// ("\x00\x0000002000") is 1024 bytes for archive/tar, which trims them,
// and none for GNU tar and bsdtar, which then read the "data" as the next
// header: a tarball was checked as data.bin holding 1024 bytes while both
// tools extract data.bin empty and evil.js from inside it. The same in a
// pax header makes the tools read its records as a header. Reported as
// malformed; a size of NULs alone (0 for all) is not.
func TestAttackTarSizeLeadingNUL(t *testing.T) {
	inner := func() []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		tw.WriteHeader(&tar.Header{Name: "evil.js", Typeflag: tar.TypeReg, Size: 4, Mode: 0o644, Format: tar.FormatUSTAR})
		tw.Write([]byte("EVIL"))
		tw.Flush()
		return b.Bytes()
	}()
	build := func(pax bool, edit func(f []byte)) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		h := &tar.Header{Name: "data.bin", Typeflag: tar.TypeReg, Size: int64(len(inner)), Mode: 0o644, Format: tar.FormatUSTAR}
		if pax {
			h.Format, h.PAXRecords = tar.FormatPAX, map[string]string{"mtime": "1.5"}
		}
		tw.WriteHeader(h)
		tw.Write(inner)
		tw.Close()
		raw := b.Bytes()
		edit(raw[124:136])
		reseal(raw)
		return raw
	}
	lead := func(f []byte) { copy(f, "\x00\x00"+string(f[2:11])) }
	for f, want := range map[string]bool{"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00": true, "\x0000000000000": true, "\x00 0000000012": false, " 00000000012\x00": true} {
		if sizeAgrees([]byte(f)) != want {
			t.Errorf("sizeAgrees(%q) = %v", f, !want)
		}
	}
	for _, c := range []struct {
		name string
		b    []byte
		bad  bool
		list string // GNU tar's listing, "" for not checked
	}{
		{"two NULs", build(false, lead), true, "data.bin evil.js"},
		{"one NUL", build(false, func(f []byte) { copy(f, "\x00"+string(f[1:11])) }), true, ""},
		{"pax header", build(true, lead), true, ""},
		{"plain", build(false, func([]byte) {}), false, "data.bin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachCompression(t, c.b, func(compress bool, b []byte) {
				n, ps := scanTar(t, b)
				bad := oneProblem(ps, ProblemMalformed, "size field starting with a NUL")
				if bad != c.bad || (!c.bad && (len(ps) != 0 || n != 1)) {
					t.Errorf("compressed %v: %d entries, problems %+v", compress, n, ps)
				}
			})
			if c.list == "" {
				return
			}
			f := filepath.Join(t.TempDir(), "a.tar")
			os.WriteFile(f, c.b, 0o644)
			for _, tool := range []string{"tar", "bsdtar"} {
				bin, err := exec.LookPath(tool)
				if err != nil {
					t.Logf("%s not installed: cross-check skipped", tool)
					continue
				}
				out, _ := exec.Command(bin, "-tf", f).Output()
				if got := strings.Join(strings.Fields(string(out)), " "); got != c.list {
					t.Errorf("%s lists %q, want %q", tool, got, c.list)
				}
			}
		})
	}
}

// TestAttackTarNodeTarPrefix: npm installs a package tarball with
// node-tar, which reads a ustar header's name prefix only when its version
// is "00"; archive/tar and GNU tar read it whatever the version. A
// package's second package/index.js, its version field "\x00\x00" and its
// prefix "zz", was checked as zz/package/index.js while npm installed it
// over the first. Reported as malformed; the same prefix with version
// "00" is not.
func TestAttackTarNodeTarPrefix(t *testing.T) {
	for _, c := range []struct {
		version string
		bad     bool
	}{{"\x00\x00", true}, {"  ", true}, {"00", false}} {
		b := tarPair(t, tar.FormatUSTAR, "package/index.js", func(h []byte) {
			copy(h[0:], "package/index.js\x00")
			copy(h[263:], c.version)
			copy(h[345:], "zz\x00")
		})
		names, ps := tarNames(t, b)
		bad := oneProblem(ps, ProblemMalformed, "node-tar")
		if bad != c.bad || (!c.bad && (len(ps) != 0 || len(names) != 2)) {
			t.Errorf("version %q: entries %q, problems %+v", c.version, names, ps)
		}
		if got := nodeTarList(t, b); got != "" {
			want := "package/index.js package/index.js"
			if !c.bad {
				want = "package/index.js zz/package/index.js"
			}
			if got != want {
				t.Errorf("version %q: node-tar lists %q, want %q", c.version, got, want)
			}
		}
	}
}

// nodeTarList lists the tarball b with npm's node-tar, as npm reads a
// package, or returns "" when node or npm's tar module is not installed.
func nodeTarList(t *testing.T, b []byte) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Log("node not installed: node-tar cross-check skipped")
		return ""
	}
	mod := nodeTarModule()
	if mod == "" {
		t.Log("npm or its tar module not found: node-tar cross-check skipped")
		return ""
	}
	f := filepath.Join(t.TempDir(), "a.tar")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `const n = []; require(process.argv[1]).t({file: process.argv[2], sync: true, onReadEntry: e => n.push(e.path)}); console.log(n.join(" "))`
	out, err := exec.Command(node, "-e", script, mod, f).Output()
	if err != nil {
		t.Fatalf("node-tar: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// nodeTarModule is the folder of npm's tar module, "" when npm is not
// installed.
var nodeTarModule = sync.OnceValue(func() string {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return ""
	}
	root, err := exec.Command(npm, "root", "-g").Output()
	mod := filepath.Join(strings.TrimSpace(string(root)), "npm", "node_modules", "tar")
	if _, serr := os.Stat(mod); err != nil || serr != nil {
		return ""
	}
	return mod
})

// TestAttackTarNodeTarChecksum: node-tar, which npm installs packages
// with, accepts only the unsigned header checksum and reads the field's
// 12 bytes up to a NUL, where archive/tar, GNU tar and bsdtar accept the
// signed sum too and read 8. A header named package/dé.bin with a signed
// checksum was checked as a file holding a second tar entry; node-tar
// skipped the header, read that entry, and installed its
// package/index.js over the one checked. Reported as malformed, as is a
// checksum of eight digits that run on into the type flag; the unsigned
// sum with a NUL, or a space, is not.
func TestAttackTarNodeTarChecksum(t *testing.T) {
	inner := func() []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		tw.WriteHeader(&tar.Header{Name: "package/index.js", Typeflag: tar.TypeReg, Size: 4, Mode: 0o644, Format: tar.FormatUSTAR})
		tw.Write([]byte("EVIL"))
		tw.Flush()
		return b.Bytes()
	}()
	build := func(sum func(h []byte)) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		tw.WriteHeader(&tar.Header{Name: "package/index.js", Typeflag: tar.TypeReg, Size: 4, Mode: 0o644, Format: tar.FormatUSTAR})
		tw.Write([]byte("good"))
		tw.WriteHeader(&tar.Header{Name: "package/d.bin", Typeflag: tar.TypeReg, Size: int64(len(inner)), Mode: 0o644, Format: tar.FormatUSTAR})
		tw.Write(inner)
		tw.Close()
		raw := b.Bytes()
		copy(raw[1024:], "package/dé.bin\x00") // UTF-8: bytes past 0x7f, which the sums count apart
		sum(raw[1024:1536])
		return raw
	}
	sums := func(h []byte) (unsigned, signed int) {
		for i, c := range h[:512] {
			if i >= 148 && i < 156 {
				c = ' '
			}
			unsigned += int(c)
			signed += int(int8(c))
		}
		return unsigned, signed
	}
	for _, c := range []struct {
		name string
		sum  func(h []byte)
		bad  bool
		npm  string // node-tar's listing
	}{
		{"signed", func(h []byte) { _, s := sums(h); copy(h[148:156], fmt.Sprintf("%06o\x00 ", s)) }, true, "package/index.js package/index.js"},
		{"eight digits", func(h []byte) { u, _ := sums(h); copy(h[148:156], fmt.Sprintf("%08o", u)) }, true, ""},
		{"unsigned", func(h []byte) { u, _ := sums(h); copy(h[148:156], fmt.Sprintf("%06o\x00 ", u)) }, false, "package/index.js package/dé.bin"},
		{"unsigned, space", func(h []byte) { u, _ := sums(h); copy(h[148:156], fmt.Sprintf("%07o ", u)) }, false, ""},
	} {
		b := build(c.sum)
		n, ps := scanTar(t, b)
		bad := oneProblem(ps, ProblemMalformed, "checksum npm's node-tar refuses")
		if bad != c.bad || (!c.bad && (len(ps) != 0 || n != 2)) {
			t.Errorf("%s: %d entries, problems %+v", c.name, n, ps)
		}
		if c.npm == "" {
			continue
		}
		if got := nodeTarList(t, b); got != "" && got != c.npm {
			t.Errorf("%s: node-tar lists %q, want %q", c.name, got, c.npm)
		}
	}
}

// TestAttackTarSymlinkWithBody: a symbolic link declaring 1024 bytes of
// data holds none for archive/tar (nor for GNU tar when it extracts),
// which read the next header there; npm's node-tar skips the 1024 bytes
// as the link's data. Behind the link, archive/tar read pad.bin, whose
// data held the header and data of a package/index.js that node-tar
// installed over the one checked. Reported as malformed; a link with no
// data is not.
func TestAttackTarSymlinkWithBody(t *testing.T) {
	block := func(name string, typ byte, size int64, data []byte) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		h := &tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(len(data)), Mode: 0o644, Format: tar.FormatUSTAR}
		tw.WriteHeader(h)
		tw.Write(data)
		tw.Flush()
		raw := b.Bytes()
		if typ != tar.TypeReg {
			raw = raw[:512]
			raw[156] = typ
			copy(raw[157:], "target\x00")
			copy(raw[124:136], fmt.Sprintf("%011o\x00", size))
			reseal(raw)
		}
		return raw
	}
	evil := block("package/index.js", tar.TypeReg, 0, []byte("EVIL"))
	junk := bytes.Repeat([]byte{1}, 512)
	pad := block("package/pad.bin", tar.TypeReg, 0, append(append([]byte(nil), junk...), evil...))[:512]
	for _, c := range []struct {
		name  string
		parts [][]byte
		bad   bool
		npm   string
	}{
		{"link with a body", [][]byte{block("package/index.js", tar.TypeReg, 0, []byte("good")), block("package/ln", tar.TypeSymlink, 1024, nil), pad, junk, evil, make([]byte, 1024)},
			true, "package/index.js package/ln package/index.js"},
		{"link", [][]byte{block("package/index.js", tar.TypeReg, 0, []byte("good")), block("package/ln", tar.TypeSymlink, 0, nil), make([]byte, 1024)},
			false, "package/index.js package/ln"},
	} {
		b := bytes.Join(c.parts, nil)
		n, ps := scanTar(t, b)
		bad := oneProblem(ps, ProblemMalformed, "symbolic link declaring 1024 bytes")
		if bad != c.bad || (!c.bad && (len(ps) != 0 || n != 2)) {
			t.Errorf("%s: %d entries, problems %+v", c.name, n, ps)
		}
		if got := nodeTarList(t, b); got != "" && got != c.npm {
			t.Errorf("%s: node-tar lists %q, want %q", c.name, got, c.npm)
		}
	}
}
