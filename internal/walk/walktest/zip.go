// Package walktest holds the releases that verify's and sbom's tests both
// walk, each with the entry paths every walker must see in it, so that
// each package's test shows it agrees with the other.
package walktest

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
)

// ZipEntry is one entry of a generated zip archive.
type ZipEntry struct {
	Name  string
	Data  []byte
	Store bool
	Mode  fs.FileMode // 0 for a regular file of mode 0o644
	// Extra is the entry's extra field block, in both headers.
	Extra []byte
	// Host, when not 0, is the host system of its "version made by"
	// (3 for Unix, which Mode sets otherwise): Mode is still written as
	// a Unix mode, in the external attributes' high 16 bits.
	Host byte
}

// ZipCase is a zip release and the paths of the files a walker lists in
// it (each copy of a name held twice), sorted.
type ZipCase struct {
	Name string
	Zip  []byte
	// ChunkLen, when not 0, is the number of central directory records
	// the test reads the archive by (walk.ZipChunks), so that the chunked
	// read is compared too.
	ChunkLen int
	Paths    []string
}

// Zip returns a zip archive of entries, in order.
func Zip(t testing.TB, entries []ZipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Extra: e.Extra}
		if e.Store {
			h.Method = zip.Store
		}
		mode := e.Mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		if e.Host != 0 {
			h.CreatorVersion = uint16(e.Host)<<8 | h.CreatorVersion&0xff
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ZipCases returns the zip releases verify and sbom are both tested on.
func ZipCases(t testing.TB) []ZipCase {
	var many []ZipEntry
	var manyPaths []string
	for i := range 20 {
		n := fmt.Sprintf("f%02d.txt", i)
		many = append(many, ZipEntry{Name: n, Data: []byte(fmt.Sprint("file ", i)), Store: i%2 == 0})
		manyPaths = append(manyPaths, n)
	}
	odd := []ZipEntry{
		{Name: "a.txt", Data: []byte("a")},
		{Name: "dir/", Mode: fs.ModeDir | 0o755},
		{Name: "dir/b.txt", Data: []byte("b"), Store: true},
		{Name: "a.txt", Data: []byte("a again")},
		{Name: "../evil.txt", Data: []byte("out")},
		{Name: "dir/link", Data: []byte("b.txt"), Mode: fs.ModeSymlink | 0o777},
	}
	written := []ZipEntry{
		{Name: "win/readme.txt", Data: []byte("MZ installed as a DLL"), Extra: UnicodePathField("win/readme.txt", "win/readme.dll")},
		{Name: "lib/foo.dll", Data: []byte("checked")},
		{Name: "lib/foo.dll\x00.txt", Data: []byte("written over lib/foo.dll")},
		{Name: "./top.txt", Data: []byte("top")},
	}
	writtenPaths := []string{"lib/foo.dll", "lib/foo.dll", "top.txt", "win/readme.dll"}
	twice := Zip(t, []ZipEntry{{Name: "a.txt", Data: []byte("a")}, {Name: "a.txt", Data: []byte("a again")}})
	cases := []ZipCase{
		{Name: "many entries, whole", Zip: Zip(t, many), Paths: manyPaths},
		{Name: "many entries, by chunks", Zip: Zip(t, many), ChunkLen: 7, Paths: manyPaths},
		{Name: "duplicate, folder, escape and link", Zip: Zip(t, odd), Paths: []string{"a.txt", "a.txt", "dir/b.txt"}},
		{Name: "one top folder", Zip: Zip(t, []ZipEntry{{Name: "app-1.0/", Mode: fs.ModeDir | 0o755}, {Name: "app-1.0/a.txt", Data: []byte("a")}, {Name: "app-1.0/lib/b.txt", Data: []byte("b")}}),
			Paths: []string{"app-1.0/a.txt", "app-1.0/lib/b.txt"}},
		{Name: "names one on a case-insensitive file system", Zip: Zip(t, []ZipEntry{{Name: "Lib/x.txt", Data: []byte("x")}, {Name: "lib/X.txt", Data: []byte("y")}}),
			Paths: []string{"Lib/x.txt", "lib/X.txt"}},
		{Name: "zips nested too deep", Zip: Zip(t, []ZipEntry{{Name: "z2.zip", Data: nested(t, "z")}}), Paths: nestedPaths("z")},
		{Name: "tarballs nested too deep", Zip: Zip(t, []ZipEntry{{Name: "t2.tar", Data: nested(t, "t")}}), Paths: nestedPaths("t")},
		{Name: "two zips appended to a PE", Zip: Zip(t, []ZipEntry{{Name: "setup.exe", Data: twoZipsAfterPE(t)}}),
			Paths: []string{"setup.exe", "setup.exe/app/evil.txt", "setup.exe/readme.txt"}},
		{Name: "a file at a path inside an installer", Zip: Zip(t, []ZipEntry{{Name: "setup.exe", Data: nsisInstaller(t)}, {Name: "setup.exe/$INSTDIR/app.txt", Data: []byte("beside")}}),
			Paths: []string{"setup.exe", "setup.exe/$INSTDIR/app.txt", "setup.exe/$INSTDIR/app.txt"}},
		// Each copy of the inner zip is opened by its own reader: its
		// repeated name is the inner zip's to report, once, as verify
		// does, and no reader of another kind listed it.
		{Name: "two copies of a zip with a repeated name", Zip: Zip(t, []ZipEntry{{Name: "inner.zip", Data: twice}, {Name: "inner.zip", Data: twice}}),
			Paths: []string{"inner.zip", "inner.zip", "inner.zip/a.txt", "inner.zip/a.txt", "inner.zip/a.txt", "inner.zip/a.txt"}},
		// The checks of walk.ZipEntryChecks, which both walkers make.
		{Name: "set-ID and world-writable entries", Zip: Zip(t, []ZipEntry{{Name: "bin/tool", Data: []byte("t"), Mode: 0o755 | fs.ModeSetuid}, {Name: "bin/open", Data: []byte("o"), Mode: 0o777}, {Name: "bin/grp", Data: []byte("g"), Mode: 0o755 | fs.ModeSetgid}}),
			Paths: []string{"bin/grp", "bin/open", "bin/tool"}},
		// An entry of a nested zip whose bytes fail their CRC-32: a read
		// error of the entry, file/unreadable in both (verify's rule).
		{Name: "a nested zip's entry that cannot be read", Zip: Zip(t, []ZipEntry{{Name: "inner.zip", Data: corruptEntry(t)}}),
			Paths: []string{"inner.zip"}},
		// Entries listed under the names extractors write
		// (walk.NameZipEntry): a Unicode Path field's, a name cut at its
		// NUL (a second lib/foo.dll), without a leading "./".
		{Name: "names extractors write", Zip: Zip(t, written), Paths: writtenPaths},
		{Name: "names extractors write, by chunks", Zip: Zip(t, written), ChunkLen: 2, Paths: writtenPaths},
		// A file whose path goes through a symbolic link of its
		// archive, file/insecure-path in both (walk.ThroughLinks).
		{Name: "a file through a symbolic link", Zip: Zip(t, []ZipEntry{{Name: "windows/ok.txt", Data: []byte("ok")}, {Name: "w", Data: []byte("windows"), Mode: fs.ModeSymlink | 0o777}, {Name: "w/evil.dll", Data: []byte("evil")}}),
			Paths: []string{"w/evil.dll", "windows/ok.txt"}},
		{Name: "duplicate, folder, escape and link in other chunks", Zip: Zip(t, append(slices.Clone(many), odd...)), ChunkLen: 7,
			Paths: slices.Sorted(slices.Values(append(slices.Clone(manyPaths), "a.txt", "a.txt", "dir/b.txt")))},
	}
	for _, c := range append(AsarCases(t), LinkCases(t)...) {
		cases = append(cases, ZipCase{Name: c.Name, Zip: Zip(t, c.Entries), Paths: c.Paths})
	}
	return cases
}

// UnicodePathField returns an extra field block of one Info-ZIP Unicode
// Path field (release.ZipUnicodePathID) naming an entry whose header name
// is hdr up, with hdr's CRC-32, so that extractors use it.
func UnicodePathField(hdr, up string) []byte {
	f := binary.LittleEndian.AppendUint16(nil, release.ZipUnicodePathID)
	f = binary.LittleEndian.AppendUint16(f, uint16(5+len(up)))
	f = append(f, 1)
	f = binary.LittleEndian.AppendUint32(f, crc32.ChecksumIEEE([]byte(hdr)))
	return append(f, up...)
}

// ErrRead is the error of a FailingTail's reads.
var ErrRead = errors.New("walktest: injected read error")

// FailingTail returns size bytes (of "x") whose reads fail, with ErrRead,
// from offset from on: a file whose end cannot be read.
func FailingTail(size, from int64) io.ReaderAt { return failingTail{size, from} }

type failingTail struct{ size, from int64 }

func (f failingTail) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > f.from {
		return 0, ErrRead
	}
	return copy(p, bytes.Repeat([]byte("x"), len(p))), nil
}

// nested returns an archive of the kind ("z" a zip, "t" a tarball),
// kind2.ext in a zip release, of archives nested down to kind6.ext, which
// holds a file, deep.txt, that is never reached: the walkers stop at the
// archive release.MaxDepth levels down and say so, in the same words.
func nested(t testing.TB, kind string) []byte {
	archive := func(name string, data []byte) []byte {
		if kind == "t" {
			return Tar(t, []TarEntry{{Name: name, Data: data}})
		}
		return Zip(t, []ZipEntry{{Name: name, Data: data}})
	}
	data := archive("deep.txt", []byte("deep"))
	for i := 6; i >= 3; i-- {
		data = archive(fmt.Sprintf("%s%d.%s", kind, i, ext(kind)), data)
	}
	return data
}

// nestedPaths returns the files a walker lists in a zip release whose
// only entry is kind2.ext, nested(kind): each archive down to the one too
// deep to open.
func nestedPaths(kind string) []string {
	var out []string
	p := ""
	for i := 2; i <= 6; i++ {
		if p != "" {
			p += "/"
		}
		p += fmt.Sprintf("%s%d.%s", kind, i, ext(kind))
		out = append(out, p)
	}
	return out
}

func ext(kind string) string {
	if kind == "t" {
		return "tar"
	}
	return "zip"
}

// twoZipsAfterPE returns a PE with two zip archives concatenated after it:
// extractors reading the file from its end open the last (readme.txt);
// the stub, and extractors reading local headers from the start, the
// first (app/evil.txt), which is file/zip-unlisted-entry.
func twoZipsAfterPE(t testing.TB) []byte {
	pe, err := electronfix.BuildPE(electronfix.PESpec{})
	if err != nil {
		t.Fatal(err)
	}
	b := append(pe, Zip(t, []ZipEntry{{Name: "app/evil.txt", Data: []byte("evil")}})...)
	return append(b, Zip(t, []ZipEntry{{Name: "readme.txt", Data: []byte("decoy")}})...)
}

// nsisInstaller returns an NSIS installer that installs app.txt.
func nsisInstaller(t testing.TB) []byte {
	pe, err := electronfix.BuildPE(electronfix.PESpec{})
	if err != nil {
		t.Fatal(err)
	}
	return nsis.Stub(pe, nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\app.txt`, Data: []byte("inside")}}, nsis.BuildOptions{Deflate: true}))
}

// corruptEntry returns a zip of one deflated entry, a.txt, whose bytes
// cannot be read: its compressed stream starts with a block of the
// reserved type.
func corruptEntry(t testing.TB) []byte {
	z := bytes.Clone(Zip(t, []ZipEntry{{Name: "a.txt", Data: bytes.Repeat([]byte("corrupt me "), 64)}}))
	// The deflated data follows the 30-byte local header and the name.
	z[30+len("a.txt")] = 0xff // BFINAL 1, BTYPE 11
	return z
}
