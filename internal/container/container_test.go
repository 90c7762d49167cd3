package container

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/pefile"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
)

// fixtureMSI is a database whose embedded cabinet installs a.dll to
// "Acme/a.dll" and whose Binary table holds CA.
func fixtureMSI() []byte { return fixtureMSIWith(fixtureMSICab()) }

// fixtureMSICab is fixtureMSI's embedded cabinet.
func fixtureMSICab() []byte {
	return cab.Build([]cab.BuildFile{{Name: "A", Data: []byte("MZ a")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
}

// fixtureMSIWith is fixtureMSI with c as its embedded cabinet stream.
func fixtureMSIWith(c []byte) []byte {
	return msi.Build([]msi.BuildTable{
		{Name: "Media", Columns: []msi.Column{{Name: "DiskId", Type: 0x2502}, {Name: "LastSequence", Type: 0x0104}, {Name: "Cabinet", Type: 0x1d48}},
			Rows: [][]any{{1, 1, "#app.cab"}}},
		{Name: "File", Columns: []msi.Column{{Name: "File", Type: 0x2d48}, {Name: "Component_", Type: 0x2d48}, {Name: "FileName", Type: 0x0fff}, {Name: "FileSize", Type: 0x0104}, {Name: "Sequence", Type: 0x0104}},
			Rows: [][]any{{"A", "Main", "a.dll", 4, 1}}},
		{Name: "Component", Columns: []msi.Column{{Name: "Component", Type: 0x2d48}, {Name: "Directory_", Type: 0x2d48}},
			Rows: [][]any{{"Main", "INSTALLDIR"}}},
		{Name: "Directory", Columns: []msi.Column{{Name: "Directory", Type: 0x2d48}, {Name: "Directory_Parent", Type: 0x1d48}, {Name: "DefaultDir", Type: 0x0fff}},
			Rows: [][]any{{"TARGETDIR", nil, "SourceDir"}, {"INSTALLDIR", "TARGETDIR", "Acme"}}},
		{Name: "Binary", Columns: []msi.Column{{Name: "Name", Type: 0x2d48}, {Name: "Data", Type: 0x1900}},
			Rows: [][]any{{"CA", "x"}}},
	}, map[string][]byte{"app.cab": c, "Binary.CA": []byte("MZ ca")})
}

func fixturePkg() []byte {
	b, _ := pkgfile.Build(pkgfile.Spec{Files: pkgfile.ExamplePackage(machofile.NewPKI(), false)})
	return b
}

func TestDetect(t *testing.T) {
	doc := cfb.Build(&cfb.Node{Children: []*cfb.Node{{Name: "WordDocument", Data: []byte("x")}}})
	for _, c := range []struct {
		name string
		data []byte
		want Kind
	}{
		{"a.cab", cab.Build([]cab.BuildFile{{Name: "x", Data: []byte("x")}}, cab.BuildOptions{}), CAB},
		{"a.bin", fixtureMSI(), MSI}, // by its root class
		{"a.msi", doc, MSI},          // by its name
		{"a.doc", doc, None},         // another compound file
		{"a.pkg", fixturePkg(), Pkg},
		{"a.cab", append([]byte("MSCF"), make([]byte, 60)...), CAB},     // version 0.0: read, and a finding
		{"a.cab", append([]byte("MSCF\x01"), make([]byte, 60)...), CAB}, // reserved1 not zero: extractors check "MSCF" alone
		{"a.txt", []byte("hello"), None},
	} {
		hdr := c.data[:min(len(c.data), HeadLen)]
		ext := c.name[strings.LastIndexByte(c.name, '.'):]
		if got := Detect(bytes.NewReader(c.data), ext, hdr, int64(len(c.data))); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// walkEntries returns the entries (path and bytes) and findings of Walk.
func walkEntries(ctx context.Context, k Kind, data []byte, x *release.Expansion) (map[string]string, []signing.Finding) {
	got := map[string]string{}
	var finds []signing.Finding
	Walk(ctx, k, bytes.NewReader(data), int64(len(data)), "setup", x, Visitor{
		Entry: func(e Entry) {
			rc, err := e.Source.Open()
			if err != nil {
				got[e.Path] = "error: " + err.Error()
				return
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			got[e.Path] = string(b)
		},
		Finding: func(f signing.Finding) { finds = append(finds, f) },
	})
	return got, finds
}

// TestWalkMSI names an MSI's files as verify reports them: the cabinet's
// at their installed paths, the Binary table's under Binary/.
func TestWalkMSI(t *testing.T) {
	got, finds := walkEntries(context.Background(), MSI, fixtureMSI(), nil)
	if len(got) != 2 || got["setup/app.cab/Acme/a.dll"] != "MZ a" || got["setup/Binary/CA"] != "MZ ca" || len(finds) != 0 {
		t.Errorf("entries %q, findings %+v", got, finds)
	}
}

// TestWalkBudget charges a cabinet's expansion to the budget it is given:
// one the cabinet exceeds leaves its files unread, with a finding.
func TestWalkBudget(t *testing.T) {
	x := release.NewExpansion(0)
	if !x.Take(release.MinExpansion - 2) {
		t.Fatal("the budget refused its own size")
	}
	got, finds := walkEntries(context.Background(), MSI, fixtureMSI(), x)
	if _, ok := got["setup/app.cab/Acme/a.dll"]; ok || len(finds) != 1 || finds[0].Rule != release.RuleUnreadable || finds[0].Path != "setup/app.cab" {
		t.Errorf("entries %q, findings %+v", got, finds)
	}
}

// TestWalkCancelled stops at once when ctx is done, reporting nothing.
func TestWalkCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		k    Kind
		data []byte
	}{{MSI, fixtureMSI()}, {CAB, cab.Build([]cab.BuildFile{{Name: "x", Data: []byte("x")}}, cab.BuildOptions{})}, {Pkg, fixturePkg()}} {
		if got, finds := walkEntries(ctx, c.k, c.data, nil); len(got) != 0 || len(finds) != 0 {
			t.Errorf("%s: entries %q, findings %+v", c.k, got, finds)
		}
	}
}

// TestPathElem keeps table names to one element of a report path.
func TestPathElem(t *testing.T) {
	for in, want := range map[string]string{"": "%00", ".": "%2E", "..": "%2E%2E", "a/b": "a%2Fb", `a\b`: "a%5Cb", "50%": "50%25", "\x01\xff": "%01%FF", "Ünïcode": "Ünïcode"} {
		if got := PathElem(in); got != want {
			t.Errorf("PathElem(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzWalk walks hostile containers of each kind: no panic, no entry
// outside the container's path, no entry larger than the budget allows.
func FuzzWalk(f *testing.F) {
	f.Add(uint8(MSI), fixtureMSI())
	f.Add(uint8(MSI), outerInstaller(map[string]*cfb.Node{"nested": innerInstaller(), "t.mst": transformNode(), "stash": {Storage: true}}, map[string]string{"Run": "nested", "Gone": "gone"}))
	f.Add(uint8(CAB), cab.Build([]cab.BuildFile{{Name: `a\b.dll`, Data: []byte("MZ")}, {Name: "c", Data: []byte("c")}}, cab.BuildOptions{Method: cab.MethodMSZIP}))
	f.Add(uint8(Pkg), fixturePkg())
	f.Add(uint8(NSIS), nsis.Build([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("MZ a")}, {Name: `$INSTDIR\..\b`, Data: []byte("b")}}, nsis.BuildOptions{Deflate: true, Solid: true}))
	f.Add(uint8(NSIS), nsis.Build([]nsis.BuildFile{{Name: `$PLUGINSDIR\x.7z`, Data: []byte("x"), Store: true}}, nsis.BuildOptions{}))
	f.Add(uint8(SevenZip), sevenz.Build([]sevenz.BuildFile{{Name: `a\b.dll`, Data: []byte("MZ")}, {Name: "..", Data: []byte("c")}}))
	if img, err := pefixtures.IExpressSetup(cab.Build([]cab.BuildFile{{Name: "a.dll", Data: []byte("MZ")}, {Name: `..\b`, Data: []byte("b")}}, cab.BuildOptions{Method: cab.MethodMSZIP}), "a.dll"); err == nil {
		f.Add(uint8(IExpress), img)
	}
	if img, err := pefixtures.IExpressSetup(append(cab.Build([]cab.BuildFile{{Name: "a.dll", Data: []byte("MZ")}}, cab.BuildOptions{}), "MZ trailing"...), "a.dll"); err == nil {
		f.Add(uint8(IExpress), img)
	}
	if img, err := pefile.Build(pefile.Spec{}); err == nil {
		sfx := sevenz.Build([]sevenz.BuildFile{{Name: `a\b.dll`, Data: []byte("MZ")}, {Name: "..", Data: []byte("c")}})
		f.Add(uint8(Attached), append(append([]byte(nil), img...), sfx...))
		f.Add(uint8(Attached), append(append([]byte(nil), img...), cab.Build([]cab.BuildFile{{Name: "a.dll", Data: []byte("MZ")}}, cab.BuildOptions{})...))
	}
	manifest := cab.Build([]cab.BuildFile{{Name: "0", Data: []byte(`<BurnManifest><Payload FilePath="a.msi" Packaging="download" DownloadUrl="https://x/a.msi"/></BurnManifest>`)}}, cab.BuildOptions{})
	f.Add(uint8(Attached), burnBundle(f, manifest, cab.Build([]cab.BuildFile{{Name: "a0", Data: []byte("MZ")}}, cab.BuildOptions{})))
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		kind := Kind((int(k)+int(Attached)-1)%int(Attached) + 1) // a seed's k is its Kind (CAB to Attached)
		var total int64
		Walk(context.Background(), kind, bytes.NewReader(data), int64(len(data)), "c", nil, Visitor{
			Entry: func(e Entry) {
				if !strings.HasPrefix(e.Path, "c/") || strings.Contains(e.Path, "/../") || strings.HasSuffix(e.Path, "/..") {
					t.Errorf("entry path %q", e.Path)
				}
				if e.Size < 0 {
					t.Errorf("entry %q of %d bytes", e.Path, e.Size)
				}
				if rc, err := e.Source.Open(); err == nil {
					n, _ := io.Copy(io.Discard, io.LimitReader(rc, e.Size+1))
					rc.Close()
					total += n
				}
			},
		})
		if total > max(release.MinExpansion, int64(len(data))*release.ExpansionRatio)+int64(len(data)) {
			t.Errorf("%d bytes read from %d", total, len(data))
		}
	})
}

// TestCABUnknownVersion: a cabinet whose header gives version 1.4 is
// detected, its files are read, and the version is a cab/unknown-version
// warning (before, such a cabinet was not detected, and its files went
// unchecked while extractors read them).
func TestCABUnknownVersion(t *testing.T) {
	b := cab.Build([]cab.BuildFile{{Name: "x.dll", Data: []byte("MZ code")}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	b[24] = 4
	if k := Detect(bytes.NewReader(b), ".cab", b[:min(len(b), HeadLen)], int64(len(b))); k != CAB {
		t.Fatalf("detected as %s", k)
	}
	entries, findings := walkEntries(context.Background(), CAB, b, nil)
	if len(entries) != 1 {
		t.Errorf("entries %v", entries)
	}
	var rules []string
	for _, f := range findings {
		rules = append(rules, f.Severity.String()+" "+string(f.Rule))
	}
	if len(rules) != 1 || rules[0] != signing.SeverityWarning.String()+" "+string(RuleCABVersion) {
		t.Errorf("findings %q", rules)
	}
}
