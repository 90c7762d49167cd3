package demo

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// Column types as the WiX toolset writes them in _Columns.
const (
	msiKey   = 0x2d48 // s72: key string
	msiStr   = 0x1d48 // S72: nullable string
	msiName  = 0x0fff // l255: localizable string
	msiI2Key = 0x2502 // key 2-byte integer
	msiI4    = 0x0104 // 4-byte integer
)

// msiGUID is the subject interface package of Windows Installer databases
// (the SpcSipInfo GUID signtool writes for an MSI).
var msiGUID, _ = hex.DecodeString("f1100c0000000000c000000000000046")

// windowsMSI adds the Windows installer, "Acme Desktop-VERSION.msi": a
// Windows Installer database whose embedded MSZIP cabinet carries every file
// of the Windows build (so the trojan's ffmpeg.dll and stuffed
// d3dcompiler_47.dll too) for "Program Files/Acme Desktop", signed by the
// vendor with a timestamp, as signtool signs what WiX builds.
func windowsMSI(r release, p *PKI, version string, signedAt time.Time) error {
	var names []string
	for n := range r {
		if strings.HasPrefix(n, "windows/") {
			names = append(names, strings.TrimPrefix(n, "windows/"))
		}
	}
	slices.Sort(names)
	dirs := map[string]string{"": "INSTALLDIR"}
	dirRows := [][]any{{"TARGETDIR", nil, "SourceDir"}, {"ProgramFiles64Folder", "TARGETDIR", "."}, {"INSTALLDIR", "ProgramFiles64Folder", "ACMEDE~1|" + AppName}}
	var files []cab.BuildFile
	var fileRows, compRows [][]any
	for i, n := range names {
		dir, base := path.Split(n)
		dir = strings.TrimSuffix(dir, "/")
		if _, ok := dirs[dir]; !ok {
			key := fmt.Sprintf("Dir%d", len(dirs))
			dirs[dir] = key
			parent := dirs[path.Dir(dir)]
			if path.Dir(dir) == "." {
				parent = "INSTALLDIR"
			}
			dirRows = append(dirRows, []any{key, parent, path.Base(dir)})
		}
		key := fmt.Sprintf("File%02d", i+1)
		data := r["windows/"+n].data
		files = append(files, cab.BuildFile{Name: key, Data: data})
		fileRows = append(fileRows, []any{key, "Comp" + key, shortName(i, base) + "|" + base, len(data), i + 1})
		compRows = append(compRows, []any{"Comp" + key, dirs[dir]})
	}
	tables := []msi.BuildTable{
		{Name: "Property", Columns: []msi.Column{{Name: "Property", Type: msiKey}, {Name: "Value", Type: msiName}},
			Rows: [][]any{{"Manufacturer", Vendor}, {"ProductName", AppName}, {"ProductVersion", version}}},
		{Name: "Media", Columns: []msi.Column{{Name: "DiskId", Type: msiI2Key}, {Name: "LastSequence", Type: msiI4}, {Name: "Cabinet", Type: msiStr}},
			Rows: [][]any{{1, len(files), "#app.cab"}}},
		{Name: "File", Columns: []msi.Column{{Name: "File", Type: msiKey}, {Name: "Component_", Type: msiKey}, {Name: "FileName", Type: msiName}, {Name: "FileSize", Type: msiI4}, {Name: "Sequence", Type: msiI4}},
			Rows: fileRows},
		{Name: "Component", Columns: []msi.Column{{Name: "Component", Type: msiKey}, {Name: "Directory_", Type: msiKey}},
			Rows: compRows},
		{Name: "Directory", Columns: []msi.Column{{Name: "Directory", Type: msiKey}, {Name: "Directory_Parent", Type: msiStr}, {Name: "DefaultDir", Type: msiName}},
			Rows: dirRows},
	}
	root := msi.BuildNode(tables, map[string][]byte{"app.cab": cab.Build(files, cab.BuildOptions{Method: cab.MethodMSZIP})})
	un := cfb.Build(root)
	res, err := authenticode.VerifyMSI(bytes.NewReader(un), int64(len(un)), authenticode.Options{})
	if err != nil {
		return fmt.Errorf("msi digest: %w", err)
	}
	digest, err := hex.DecodeString(res.Authentihash["sha256"])
	if err != nil || len(digest) != crypto.SHA256.Size() {
		return fmt.Errorf("msi digest: no SHA-256 authentihash")
	}
	blob, err := pefile.SignContent(pefile.SipIndirectData(1, msiGUID, crypto.SHA256, digest), pefile.SignSpec{
		Signer: p.Vendor, Certs: []*testpki.Cert{p.Root}, Hash: crypto.SHA256, SigningTime: signedAt, ProgramName: AppName,
		Stamp: &pefile.Stamp{TSA: p.TSA, Chain: []*testpki.Cert{p.Root}, At: signedAt}})
	if err != nil {
		return fmt.Errorf("msi signature: %w", err)
	}
	root.Children = append(root.Children, &cfb.Node{Name: "\x05DigitalSignature", Data: blob})
	r[AppName+"-"+version+".msi"] = file{data: cfb.Build(root)}
	return nil
}

// shortName is the 8.3 name the File table gives the i-th file beside its
// long name, as WiX generates one.
func shortName(i int, base string) string {
	ext := strings.ToUpper(strings.TrimPrefix(path.Ext(base), "."))
	if len(ext) > 3 {
		ext = ext[:3]
	}
	s := fmt.Sprintf("FILE~%03d", i+1)
	if ext != "" {
		s += "." + ext
	}
	return s
}
