package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// member is one tar entry to write: a file unless typ says otherwise.
type member struct {
	name, body, link string
	typ              byte
}

func tarOf(t testing.TB, ms ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Mode: 0o644, Typeflag: m.typ, Linkname: m.link, Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, m.body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	var o bytes.Buffer
	w := gzip.NewWriter(&o)
	w.Write(b)
	w.Close()
	return o.Bytes()
}

// eachCompression calls f with b as it is, then gzip-compressed.
func eachCompression(t testing.TB, b []byte, f func(compress bool, b []byte)) {
	f(false, b)
	f(true, gz(t, b))
}

// oneProblem says whether ps is one problem of kind whose message holds msg.
func oneProblem(ps []Problem, kind ProblemKind, msg string) bool {
	return len(ps) == 1 && ps[0].Kind == kind && strings.Contains(ps[0].Message, msg)
}

func xzOf(t testing.TB, b []byte) []byte {
	var o bytes.Buffer
	w, err := xz.NewWriter(&o)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return o.Bytes()
}

func zstOf(t testing.TB, b []byte) []byte {
	w, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll(b, nil)
}

// tarNames reads the tarball b's entries and returns their names and the
// reader's problems.
func tarNames(t testing.TB, b []byte) ([]string, []Problem) {
	t.Helper()
	tr, err := OpenTar(bytes.NewReader(b), int64(len(b)), TarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for e, err := tr.Next(); err == nil; e, err = tr.Next() {
		names = append(names, e.Name)
	}
	return names, tr.Problems()
}

// readAll reads every entry of the tarball b and returns "name=body" (or the
// type and link) lines and the problems.
func readAll(t testing.TB, b []byte, opts TarOptions) ([]string, []Problem, error) {
	tr, err := OpenTar(bytes.NewReader(b), int64(len(b)), opts)
	if err != nil {
		return nil, nil, err
	}
	var got []string
	for {
		e, err := tr.Next()
		if err == io.EOF {
			break
		}
		switch e.Type {
		case TypeFile:
			rc, err := e.Source.Open()
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(rc)
			if err != nil {
				got = append(got, e.Name+" read error: "+err.Error())
				continue
			}
			got = append(got, e.Name+"="+string(body))
		case TypeDir:
			got = append(got, e.Name+"/")
		case TypeSymlink, TypeHardlink:
			got = append(got, e.Name+"->"+e.Link)
		case TypeSpecial:
			got = append(got, e.Name+" "+e.Special)
		}
	}
	return got, tr.Problems(), nil
}

func kinds(ps []Problem) []ProblemKind {
	var out []ProblemKind
	for _, p := range ps {
		out = append(out, p.Kind)
	}
	return out
}

var clean = []member{
	{name: "pkg/", typ: tar.TypeDir},
	{name: "pkg/a.txt", body: "alpha"},
	{name: "./pkg/" + strings.Repeat("long/", 30) + "b.dll", body: "MZ beta"},
	{name: "pkg/link", link: "a.txt", typ: tar.TypeSymlink},
	{name: "pkg/hard", link: "pkg/a.txt", typ: tar.TypeLink},
}

func TestTarReadsEveryCompression(t *testing.T) {
	plain := tarOf(t, clean...)
	want := "pkg/\npkg/a.txt=alpha\npkg/" + strings.Repeat("long/", 30) + "b.dll=MZ beta\npkg/link->a.txt\npkg/hard->pkg/a.txt"
	for name, b := range map[string][]byte{"tar": plain, "gzip": gz(t, plain), "xz": xzOf(t, plain), "zstd": zstOf(t, plain)} {
		t.Run(name, func(t *testing.T) {
			got, probs, err := readAll(t, b, TarOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != want {
				t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
			}
			if len(probs) != 0 {
				t.Errorf("problems: %+v", probs)
			}
		})
	}
}

func TestTarPlainEntriesAreWindows(t *testing.T) {
	b := tarOf(t, clean...)
	tr, err := OpenTar(bytes.NewReader(b), int64(len(b)), TarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for {
		e, err := tr.Next()
		if err != nil {
			break
		}
		if e.Type == TypeFile {
			if _, ok := e.Source.(Window); !ok {
				t.Errorf("%s: source %T is not a window", e.Name, e.Source)
			}
		}
	}
}

func TestTarProblems(t *testing.T) {
	plain := tarOf(t, member{name: "a.txt", body: "alpha"})
	secondMember := append(gz(t, plain), gz(t, tarOf(t, member{name: "evil.dll", body: "MZ"}))...)
	garbage := append(gz(t, plain), "trailing"...)
	afterEnd := append(bytes.Clone(plain), "MZ hidden after the end"...)
	padded := bytes.Clone(plain)
	padded[512+5] = 'X' // the padding after "alpha"
	xzTrail := append(xzOf(t, plain), xzOf(t, plain)...)
	zstTrail := append(zstOf(t, plain), zstOf(t, plain)...)
	skippable := binary.LittleEndian.AppendUint32(nil, 0x184d2a50)
	skippable = binary.LittleEndian.AppendUint32(skippable, 4)
	skippable = append(append(zstOf(t, plain), skippable...), "evil"...)
	var extra bytes.Buffer
	zw := gzip.NewWriter(&extra)
	zw.Header.Comment = "payload"
	zw.Write(plain)
	zw.Close()
	cases := []struct {
		name string
		b    []byte
		want []ProblemKind
	}{
		{"insecure path", tarOf(t, member{name: "../evil.dll", body: "x"}, member{name: "/abs", body: "x"}, member{name: `a\b`, body: "x"}), []ProblemKind{ProblemInsecurePath, ProblemInsecurePath, ProblemInsecurePath}},
		{"duplicate", tarOf(t, member{name: "a", body: "1"}, member{name: "./a", body: "2"}), []ProblemKind{ProblemDuplicate}},
		{"dangling hard link", tarOf(t, member{name: "h", link: "nowhere", typ: tar.TypeLink}), []ProblemKind{ProblemHardlink}},
		{"escaping hard link", tarOf(t, member{name: "h", link: "../etc/passwd", typ: tar.TypeLink}), []ProblemKind{ProblemHardlink}},
		{"bytes after the end marker", afterEnd, []ProblemKind{ProblemTrailingData}},
		{"non-zero padding", padded, []ProblemKind{ProblemHiddenData}},
		{"second gzip member", secondMember, []ProblemKind{ProblemTrailingData}},
		{"bytes after the gzip member", garbage, []ProblemKind{ProblemTrailingData}},
		{"gzip comment", extra.Bytes(), []ProblemKind{ProblemHiddenData}},
		{"second xz stream", xzTrail, []ProblemKind{ProblemTrailingData}},
		{"second zstd frame", zstTrail, []ProblemKind{ProblemTrailingData}},
		{"zstd skippable frame", skippable, []ProblemKind{ProblemTrailingData}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, probs, err := readAll(t, c.b, TarOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(probs); !equalKinds(got, c.want) {
				t.Errorf("problems %v, want %v: %+v", got, c.want, probs)
			}
		})
	}
	// The padding of the gzip'd tarball is watched in the stream too.
	_, probs, _ := readAll(t, gz(t, padded), TarOptions{})
	if got := kinds(probs); !equalKinds(got, []ProblemKind{ProblemHiddenData}) || !probs[0].InStream || probs[0].Offset != 512+5 {
		t.Errorf("gzip'd padding: %+v", probs)
	}
	_, probs, _ = readAll(t, secondMember, TarOptions{})
	if len(probs) == 1 && !strings.Contains(probs[0].Message, "another gzip member") {
		t.Errorf("second member: %s", probs[0].Message)
	}
}

func TestTarPAXComment(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "a.txt", Typeflag: tar.TypeReg, Size: 1, PAXRecords: map[string]string{"comment": strings.Repeat("payload", 100), "SCHILY.xattr.com.apple.quarantine": "0083;5f1a2b3c;Safari;"}})
	tw.Write([]byte("a"))
	tw.WriteHeader(&tar.Header{Name: "b.txt", Typeflag: tar.TypeReg, Size: 1, PAXRecords: map[string]string{"SCHILY.xattr.com.apple.provenance": "x"}})
	tw.Write([]byte("b"))
	tw.Close()
	_, probs, err := readAll(t, b.Bytes(), TarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !equalKinds(kinds(probs), []ProblemKind{ProblemHiddenData}) || !strings.Contains(probs[0].Message, `"comment" of 700 bytes`) {
		t.Errorf("problems %+v", probs)
	}
}

// TestTarGitArchiveCommentTolerated: git archive writes the archived
// commit's ID as the comment of a global pax header (git-get-tar-commit-id
// reads it back); that is a named structure, not hidden data. A comment of
// another shape there, or the ID on a file's own header, is still reported.
func TestTarGitArchiveCommentTolerated(t *testing.T) {
	id := strings.Repeat("0123456789abcdef", 4)
	for _, c := range []struct {
		name    string
		flag    byte
		comment string
		want    []ProblemKind
	}{
		{"sha1 commit id", tar.TypeXGlobalHeader, id[:40], nil},
		{"sha256 commit id", tar.TypeXGlobalHeader, id, nil},
		{"upper-case hex", tar.TypeXGlobalHeader, strings.ToUpper(id[:40]), []ProblemKind{ProblemHiddenData}},
		{"41 hex digits", tar.TypeXGlobalHeader, id[:41], []ProblemKind{ProblemHiddenData}},
		{"text", tar.TypeXGlobalHeader, "payload-payload-payload-payload-payload-", []ProblemKind{ProblemHiddenData}},
		{"commit id on a file header", tar.TypeReg, id[:40], []ProblemKind{ProblemHiddenData}},
	} {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		if c.flag == tar.TypeXGlobalHeader {
			tw.WriteHeader(&tar.Header{Name: "pax_global_header", Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": c.comment}})
			tw.WriteHeader(&tar.Header{Name: "a.txt", Typeflag: tar.TypeReg, Size: 1})
		} else {
			tw.WriteHeader(&tar.Header{Name: "a.txt", Typeflag: tar.TypeReg, Size: 1, PAXRecords: map[string]string{"comment": c.comment}})
		}
		tw.Write([]byte("a"))
		tw.Close()
		_, probs, err := readAll(t, b.Bytes(), TarOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := kinds(probs); !equalKinds(got, c.want) {
			t.Errorf("%s: problems %+v, want %v", c.name, probs, c.want)
		}
	}
}

func equalKinds(a, b []ProblemKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTarSpecialEntries(t *testing.T) {
	b := tarOf(t, member{name: "dev", typ: tar.TypeChar}, member{name: "fifo", typ: tar.TypeFifo})
	got, probs, err := readAll(t, b, TarOptions{})
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if strings.Join(got, "\n") != "dev character device\nfifo FIFO" {
		t.Errorf("got %q", got)
	}
}

func TestTarLinkEscapes(t *testing.T) {
	b := tarOf(t, member{name: "a/l", link: "../../etc", typ: tar.TypeSymlink}, member{name: "a/m", link: "../b", typ: tar.TypeSymlink})
	tr, _ := OpenTar(bytes.NewReader(b), int64(len(b)), TarOptions{})
	var esc []bool
	for {
		e, err := tr.Next()
		if err != nil {
			break
		}
		esc = append(esc, e.LinkEscapes)
	}
	if len(esc) != 2 || !esc[0] || esc[1] {
		t.Errorf("escapes = %v", esc)
	}
}

func TestTarExpansionBudget(t *testing.T) {
	bomb := gz(t, tarOf(t, member{name: "zeros", body: strings.Repeat("\x00", 1<<20)}))
	left := int64(64 << 10)
	take := func(n int64) bool {
		if n > left {
			return false
		}
		left -= n
		return true
	}
	got, probs, err := readAll(t, bomb, TarOptions{Take: take})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || !equalKinds(kinds(probs), []ProblemKind{ProblemTooLarge}) {
		t.Errorf("entries %q, problems %+v", got, probs)
	}
	_, probs, _ = readAll(t, tarOf(t, member{name: "a"}, member{name: "b"}, member{name: "c"}), TarOptions{MaxEntries: 2})
	if !equalKinds(kinds(probs), []ProblemKind{ProblemTooLarge}) {
		t.Errorf("entry count: %+v", probs)
	}
}

func TestTarNotTar(t *testing.T) {
	for name, b := range map[string][]byte{"gzip of text": gz(t, []byte("hello")), "text": []byte("hello"), "empty gzip": gz(t, nil)} {
		if _, err := OpenTar(bytes.NewReader(b), int64(len(b)), TarOptions{}); !errors.Is(err, ErrNotTar) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTarTruncated(t *testing.T) {
	b := gz(t, tarOf(t, member{name: "a", body: strings.Repeat("x", 4096)}))
	b = b[:len(b)-20]
	got, probs, err := readAll(t, b, TarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0], "read error") {
		t.Errorf("entries %q", got)
	}
	if !equalKinds(kinds(probs), []ProblemKind{ProblemMalformed}) {
		t.Errorf("problems %+v", probs)
	}
}

func FuzzTarReader(f *testing.F) {
	plain := tarOf(f, clean...)
	f.Add(plain)
	f.Add(gz(f, plain))
	f.Add(xzOf(f, plain))
	f.Add(zstOf(f, plain))
	f.Add(append(bytes.Clone(plain), "trailing"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		left := int64(1 << 20)
		take := func(n int64) bool {
			if n > left {
				return false
			}
			left -= n
			return true
		}
		tr, err := OpenTar(bytes.NewReader(b), int64(len(b)), TarOptions{Take: take, MaxEntries: 1000})
		if err != nil {
			return
		}
		for {
			e, err := tr.Next()
			if err != nil {
				break
			}
			if e.Source != nil {
				if rc, err := e.Source.Open(); err == nil {
					io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
				}
			}
		}
		tr.Problems()
	})
}

// TestAttackTarGlobalPAXLayout: a global pax header's path, linkpath or
// size record is applied by GNU tar to every entry after it (every file
// extracted as one name, every link to "../../etc/passwd", a size that
// moves every later header) and ignored by archive/tar, which returned the
// entries as their own headers name them. The archive is malformed there;
// a global header of times and owners is not.
func TestAttackTarGlobalPAXLayout(t *testing.T) {
	withGlobal := func(recs map[string]string) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: recs, Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
		tw.WriteHeader(&tar.Header{Name: "a", Typeflag: tar.TypeReg, Size: 3, Mode: 0o644})
		tw.Write([]byte("abc"))
		tw.WriteHeader(&tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "a", Mode: 0o777})
		tw.Close()
		return b.Bytes()
	}
	for _, recs := range []map[string]string{
		{"path": "bin/evil"}, {"linkpath": "../../etc/passwd"}, {"size": "0"}, {"GNU.sparse.size": "9", "mtime": "1"},
	} {
		b := withGlobal(recs)
		names, ps := tarNames(t, b)
		if len(ps) != 1 || ps[0].Kind != ProblemMalformed || !strings.Contains(ps[0].Message, "global pax header") || len(names) != 0 {
			t.Errorf("%v: entries %q, problems %+v", recs, names, ps)
		}
	}
	b := withGlobal(map[string]string{"mtime": "1", "uid": "0", "uname": "root"})
	if n, ps := scanTar(t, b); n != 2 || len(ps) != 0 {
		t.Errorf("global header of times and owners: %d entries, problems %+v", n, ps)
	}
}

// TestAttackTarFileNamedAsDirectory: a regular file entry ("0") named
// "x/" was a file of archive/tar holding its data, a nested tarball checked
// under x/…; GNU tar and bsdtar make x a directory and read that data as
// the archive's next entries, extracted at the top. Such an entry is
// malformed; an empty one, which all make a directory or an empty file
// with no data to misread, and a file not ending in a slash, are not.
func TestAttackTarFileNamedAsDirectory(t *testing.T) {
	inner := tarOf(t, member{name: "windows/app.exe", body: "MZ evil"})
	inner = inner[:len(inner)-1024] // no end marker: the outer archive's follows
	withSlash := func(body []byte) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		tw.WriteHeader(&tar.Header{Name: "x", Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: 0o644, Format: tar.FormatUSTAR})
		tw.Write(body)
		tw.Close()
		raw := b.Bytes()
		raw[1] = '/'
		reseal(raw)
		return raw
	}
	for _, c := range []struct {
		name string
		b    []byte
		bad  bool
	}{
		{"x/ with a tar inside", withSlash(inner), true},
		{"x/ empty", withSlash(nil), false},
		{"x with a tar inside", tarOf(t, member{name: "x", body: string(inner)}), false},
	} {
		_, ps := scanTar(t, c.b)
		if got := oneProblem(ps, ProblemMalformed, "ends in a slash"); got != c.bad || (!c.bad && len(ps) != 0) {
			t.Errorf("%s: problems %+v", c.name, ps)
		}
	}
}

// TestAttackTarLongNameAndPAXPath: an entry named both by a GNU long name
// header ("docs/readme.txt") and a pax path record ("windows/app.exe")
// was checked as archive/tar names it, the long name; GNU tar extracts it
// under the pax path, bsdtar under whichever header comes last. The
// archive is malformed; a pax path alone, or a long name alone, is not.
func TestAttackTarLongNameAndPAXPath(t *testing.T) {
	block := func(name string, typ byte, data []byte) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		tw.WriteHeader(&tar.Header{Name: "n", Typeflag: tar.TypeReg, Size: int64(len(data)), Mode: 0o644, Format: tar.FormatUSTAR})
		tw.Write(data)
		tw.Flush()
		raw := b.Bytes()
		copy(raw[:100], append([]byte(name), make([]byte, 100)...))
		raw[156] = typ
		reseal(raw)
		return raw
	}
	pax := block("PaxHeaders/f", tar.TypeXHeader, []byte("24 path=windows/app.exe\n"))
	long := block("././@LongLink", tar.TypeGNULongName, []byte("docs/readme.txt\x00"))
	file := block("short", tar.TypeReg, []byte("MZevil"))
	end := make([]byte, 1024)
	for _, c := range []struct {
		name  string
		parts [][]byte
		bad   bool
	}{
		{"pax then long name", [][]byte{pax, long, file, end}, true},
		{"long name then pax", [][]byte{long, pax, file, end}, true},
		{"pax alone", [][]byte{pax, file, end}, false},
		{"long name alone", [][]byte{long, file, end}, false},
	} {
		b := bytes.Join(c.parts, nil)
		names, ps := tarNames(t, b)
		bad := oneProblem(ps, ProblemMalformed, "GNU long name")
		if bad != c.bad || (!c.bad && (len(ps) != 0 || len(names) != 1)) {
			t.Errorf("%s: entries %q, problems %+v", c.name, names, ps)
		}
	}
}

// TestAttackTarSchilyRealsize: bsdtar cuts or pads an extracted file to a
// pax SCHILY.realsize record, which archive/tar ignores: the 8 bytes
// checked were installed as 4. A record equal to the size is fine.
func TestAttackTarSchilyRealsize(t *testing.T) {
	for _, c := range []struct {
		size string
		bad  bool
	}{{"4", true}, {"20", true}, {"8", false}} {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		tw.WriteHeader(&tar.Header{Name: "a", Typeflag: tar.TypeReg, Size: 8, Mode: 0o644, PAXRecords: map[string]string{"SCHILY.realsize": c.size}, Format: tar.FormatPAX})
		tw.Write([]byte("AAAABBBB"))
		tw.Close()
		n, ps := scanTar(t, b.Bytes())
		bad := oneProblem(ps, ProblemMalformed, "SCHILY.realsize")
		if bad != c.bad || (!c.bad && (len(ps) != 0 || n != 1)) {
			t.Errorf("realsize %s: %d entries, problems %+v", c.size, n, ps)
		}
	}
}

// reseal sets the checksum of the tar header at the start of raw for its
// edited bytes.
func reseal(raw []byte) {
	sum := 0
	for i := range raw[:512] {
		if i >= 148 && i < 156 {
			sum += ' '
		} else {
			sum += int(raw[i])
		}
	}
	copy(raw[148:156], fmt.Sprintf("%06o\x00 ", sum))
}
