package demo

import (
	"crypto"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// file is one file of a generated release.
type file struct {
	data []byte
	mode fs.FileMode
	link string
}

// release is a generated release: files by "/"-separated path.
type release map[string]file

// write writes r under dir.
func (r release) write(dir string) error {
	paths := make([]string, 0, len(r))
	for p := range r {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		f := r[p]
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if f.link != "" {
			if err := os.Symlink(f.link, full); err != nil {
				return err
			}
			continue
		}
		mode := f.mode
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(full, f.data, mode); err != nil {
			return err
		}
	}
	return nil
}

// seeded returns n deterministic bytes for seed.
func seeded(seed string, n int) []byte {
	b := make([]byte, n)
	h := uint64(1469598103934665603)
	for i := 0; i < len(seed); i++ {
		h = (h ^ uint64(seed[i])) * 1099511628211
	}
	testpki.NewRand(h).Read(b)
	return b
}

// build makes one release of the demo app. trojan plants 3CX's changes.
func build(p *PKI, version string, trojan bool) (release, error) {
	signedAt := CleanSigned
	if trojan {
		signedAt = TrojanSigned
	}
	r := release{}
	if err := windows(r, p, version, signedAt, trojan); err != nil {
		return nil, fmt.Errorf("windows build: %w", err)
	}
	if err := macOS(r, p, version, signedAt, trojan); err != nil {
		return nil, fmt.Errorf("macOS build: %w", err)
	}
	if err := windowsMSI(r, p, version, signedAt); err != nil { // msi.go
		return nil, fmt.Errorf("windows installer: %w", err)
	}
	macPkg(r, p, version, signedAt) // pkg.go

	if err := macDMG(r, p, version, signedAt); err != nil { // dmg.go
		return nil, fmt.Errorf("macOS disk image: %w", err)
	}
	return r, nil
}

// appAsar returns the app's asar archive: the same packages in both releases.
func appAsar(version string) []byte {
	pkg := func(name, ver string) []electronfix.AsarFile {
		pj, _ := json.MarshalIndent(map[string]string{"name": name, "version": ver, "license": "MIT", "main": "index.js"}, "", "  ")
		return []electronfix.AsarFile{
			{Path: "node_modules/" + name + "/package.json", Data: pj},
			{Path: "node_modules/" + name + "/index.js", Data: []byte(fmt.Sprintf("module.exports = %q\n", name+"@"+ver))},
		}
	}
	app, _ := json.MarshalIndent(map[string]any{"name": Product, "productName": AppName, "version": version, "main": "main.js",
		"dependencies": map[string]string{"@acme/ui": "^2.1.0", "tinycolor": "^2.1.0"}}, "", "  ")
	files := []electronfix.AsarFile{
		{Path: "package.json", Data: app},
		{Path: "main.js", Data: []byte("const { app } = require('electron')\nrequire('./dist/app.js')\n")},
		{Path: "dist/app.js", Data: append([]byte("// "+AppName+" "+version+"\n"), seeded("app"+version, 2000)...)},
	}
	files = append(files, pkg("@acme/ui", "2.1.0")...)
	files = append(files, pkg("tinycolor", "2.1.0")...)
	a, _ := electronfix.PackAsar(files)
	return a
}

// windows adds the Windows build under "windows/".
func windows(r release, p *PKI, version string, signedAt time.Time, trojan bool) error {
	sign := func(img []byte, signer *testpki.Cert) ([]byte, error) {
		return pefile.SignAttach(img, pefile.SignSpec{Signer: signer, Certs: []*testpki.Cert{p.Root}, Hash: crypto.SHA256,
			SigningTime: signedAt, ProgramName: AppName,
			Stamp: &pefile.Stamp{TSA: p.TSA, Chain: []*testpki.Cert{p.Root}, At: signedAt}})
	}
	wire := append([]byte("Chrome/124.0.6367.243 Electron/"+Electron+"\x00"), electronfix.FuseWire("010011001")...)
	exe, err := electronfix.BuildPE(electronfix.PESpec{Code: append(wire, seeded("exe"+version, 9000)...),
		ProductVersion: version + ".0", FileVersion: version + ".0"})
	if err != nil {
		return err
	}
	if exe, err = sign(exe, p.Vendor); err != nil {
		return err
	}
	r["windows/"+AppName+".exe"] = file{data: exe, mode: 0o755}

	// ffmpeg.dll ships unsigned from upstream. The trojan keeps its version
	// resource, changes its code and is signed by the vendor's pipeline.
	ffCode := seeded("ffmpeg", 12000)
	if trojan {
		copy(ffCode[4000:], "\x00loader: read d3dcompiler_47.dll, find FEEDFACE, decrypt, run\x00")
	}
	ff, err := electronfix.BuildPE(electronfix.PESpec{Code: ffCode, ProductVersion: "124.0.6367.243", FileVersion: "124.0.6367.243"})
	if err != nil {
		return err
	}
	if trojan {
		if ff, err = sign(ff, p.Vendor); err != nil {
			return err
		}
	}
	r["windows/ffmpeg.dll"] = file{data: ff}

	// d3dcompiler_47.dll is genuinely signed by its platform vendor; the
	// trojanized release carries an encrypted payload inside its
	// WIN_CERTIFICATE, after the PKCS#7 blob (CVE-2013-3900).
	d3d, err := electronfix.BuildPE(electronfix.PESpec{Code: seeded("d3dcompiler", 7000), ProductVersion: "10.0.20348.1", FileVersion: "10.0.20348.1"})
	if err != nil {
		return err
	}
	blob, err := pefile.Sign(d3d, pefile.SignSpec{Signer: p.Platform, Certs: []*testpki.Cert{p.Root}, Hash: crypto.SHA256,
		SigningTime: CleanSigned, Stamp: &pefile.Stamp{TSA: p.TSA, Chain: []*testpki.Cert{p.Root}, At: CleanSigned}})
	if err != nil {
		return err
	}
	if trojan {
		blob = append(blob, append([]byte{0xfe, 0xed, 0xfa, 0xce}, seeded("rc4 payload", 1500)...)...)
	}
	if d3d, err = pefile.Attach(d3d, pefile.Entry(blob)); err != nil {
		return err
	}
	r["windows/d3dcompiler_47.dll"] = file{data: d3d}

	for _, n := range []string{"libEGL.dll", "libGLESv2.dll"} {
		img, err := electronfix.BuildPE(electronfix.PESpec{Code: seeded(n, 4000)})
		if err != nil {
			return err
		}
		r["windows/"+n] = file{data: img}
	}
	r["windows/resources/app.asar"] = file{data: appAsar(version)}
	r["windows/resources.pak"] = file{data: seeded("resources.pak", 3000)}
	r["windows/version"] = file{data: []byte(Electron)}
	r["windows/LICENSE.electron.txt"] = file{data: []byte("Copyright (c) Electron contributors\nMIT licence\n")}
	return nil
}

// macOS adds the macOS build as "Acme Desktop.app".
func macOS(r release, p *PKI, version string, signedAt time.Time, trojan bool) error {
	signer := machofile.Signer{Leaf: p.devID(), Chain: []*testpki.Cert{p.DevIDCA}, SigningTime: signedAt,
		TSA: p.TSA, TSAChain: []*testpki.Cert{p.Root}, TimestampAt: signedAt}
	spec := func(id string) machofile.SignSpec {
		return machofile.SignSpec{Identifier: id, TeamID: TeamID, Flags: machofile.FlagRuntime,
			HashTypes: []uint8{machofile.HashSHA256}, Requirements: machofile.EmptyRequirements, CMS: signer.CMS}
	}
	universal := func(id string, seed uint64, s machofile.SignSpec) ([]byte, []byte, error) {
		var arches []machofile.Arch
		var cdhash []byte
		for i, cpu := range []uint32{machofile.CPUX86_64, machofile.CPUARM64} {
			b, lay, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: cpu, Seed: seed + uint64(i), CodeSize: 9000}), s)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", id, err)
			}
			if i == 0 {
				cdhash = lay.CDs[0].CDHash()
			}
			arches = append(arches, machofile.Arch{Data: b})
		}
		return machofile.Fat(arches, false), cdhash, nil
	}

	app := AppName + ".app/Contents/"
	fw := app + "Frameworks/Electron Framework.framework/"
	fwv := fw + "Versions/A/"

	// libffmpeg.dylib: Developer ID signed, then (trojan) changed after
	// signing, as 3CX's macOS build was.
	lib, libCD, err := universal("libffmpeg", 100, spec("libffmpeg"))
	if err != nil {
		return err
	}
	if trojan {
		// The first slice starts at 16 KiB; change code in its first page.
		copy(lib[16384+0x600:], "\x00UpdateAgent .main_storage\x00")
	}
	fwInfo := machofile.InfoPlist("Electron Framework", "com.github.Electron.framework")
	fwSeal := machofile.CodeResources(map[string]machofile.BundleFile{"Resources/Info.plist": {Data: fwInfo}},
		map[string]machofile.Nested{"Libraries/libffmpeg.dylib": {CDHash: libCD, Requirement: `identifier "libffmpeg" and certificate leaf[subject.OU] = ` + TeamID}})
	fs := spec("com.github.Electron.framework")
	fs.InfoPlist, fs.CodeResources = fwInfo, fwSeal
	fwBin, fwCD, err := universal("Electron Framework", 200, fs)
	if err != nil {
		return err
	}
	r[fwv+"Electron Framework"] = file{data: fwBin, mode: 0o755}
	r[fwv+"Libraries/libffmpeg.dylib"] = file{data: lib, mode: 0o755}
	r[fwv+"Resources/Info.plist"] = file{data: fwInfo}
	r[fwv+"_CodeSignature/CodeResources"] = file{data: fwSeal}
	r[fw+"Versions/Current"] = file{link: "A"}
	r[fw+"Electron Framework"] = file{link: "Versions/Current/Electron Framework"}
	r[fw+"Resources"] = file{link: "Versions/Current/Resources"}

	res := map[string]machofile.BundleFile{
		"Resources/app.asar": {Data: appAsar(version)},
		"PkgInfo":            {Data: []byte("APPL????")},
	}
	nested := map[string]machofile.Nested{"Frameworks/Electron Framework.framework": {CDHash: fwCD,
		Requirement: `identifier "com.github.Electron.framework" and certificate leaf[subject.OU] = ` + TeamID}}
	info := machofile.InfoPlist(AppName, AppID)
	seal := machofile.CodeResources(res, nested)
	ms := spec(AppID)
	ms.InfoPlist, ms.CodeResources = info, seal
	exe, _, err := universal(AppName, 300, ms)
	if err != nil {
		return err
	}
	for n, f := range res {
		r[app+n] = file{data: f.Data}
	}
	r[app+"Info.plist"] = file{data: info}
	r[app+"MacOS/"+AppName] = file{data: exe, mode: 0o755}
	r[app+"_CodeSignature/CodeResources"] = file{data: seal}
	return nil
}
