package electronfix

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// AppName is the fictional application's name.
const AppName = "Chatterbox"

// Spec chooses what a generated release contains. The zero value of each
// plant is the clean release.
type Spec struct {
	// AppVersion is the application's version ("1.4.0" when empty).
	AppVersion string
	// ElectronVersion is the runtime's version ("30.1.2" when empty).
	ElectronVersion string

	// TrojanFFmpeg changes the bytes of ffmpeg.dll / libffmpeg.dylib and, on
	// Windows, signs ffmpeg.dll with the vendor's certificate (upstream ships
	// it unsigned): 3CX's change.
	TrojanFFmpeg bool
	// PadD3DCompiler appends a payload inside the certificate table of
	// d3dcompiler_47.dll (Windows), leaving its signed digest intact.
	PadD3DCompiler bool
	// TamperPackage changes the code of tinycolor without changing its
	// declared version.
	TamperPackage bool
	// UpdateUI moves @chatter/ui from 3.2.0 to 3.3.0 (an ordinary update).
	UpdateUI bool
	// AddNativePackage adds keytar-lite: an install script and an unpacked
	// native addon.
	AddNativePackage bool
	// EnableRunAsNode turns the RunAsNode fuse on.
	EnableRunAsNode bool
	// DisableIntegrityFuse turns EnableEmbeddedAsarIntegrityValidation off.
	DisableIntegrityFuse bool
	// TamperAsar changes a byte of app.asar's header after its integrity was
	// recorded, so the claim no longer matches.
	TamperAsar bool
}

// Clean is the first release of the fixture pair.
func Clean() Spec { return Spec{AppVersion: "1.4.0"} }

// Trojanized is the second release of the fixture pair: an ordinary update
// (app 1.4.1, @chatter/ui 3.3.0) carrying every planted change.
func Trojanized() Spec {
	return Spec{AppVersion: "1.4.1", TrojanFFmpeg: true, PadD3DCompiler: true, TamperPackage: true,
		UpdateUI: true, AddNativePackage: true, EnableRunAsNode: true}
}

func (s Spec) defaults() Spec {
	if s.AppVersion == "" {
		s.AppVersion = "1.4.0"
	}
	if s.ElectronVersion == "" {
		s.ElectronVersion = "30.1.2"
	}
	return s
}

// Release is a generated release: file contents by "/"-separated path.
type Release struct {
	// Root is the top-level name: "Chatterbox-win32-x64" or "Chatterbox.app".
	Root  string
	Files map[string][]byte
	// Exec lists the paths to mark executable.
	Exec map[string]bool
	// Links maps a path to a relative symlink target (macOS frameworks).
	Links map[string]string
}

// Paths lists the release's files sorted.
func (r *Release) Paths() []string {
	p := make([]string, 0, len(r.Files))
	for k := range r.Files {
		p = append(p, k)
	}
	sort.Strings(p)
	return p
}

// Write writes the release under dir/r.Root and returns that path.
func (r *Release) Write(dir string) (string, error) {
	root := filepath.Join(dir, r.Root)
	for _, p := range r.Paths() {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return "", err
		}
		mode := fs.FileMode(0o644)
		if r.Exec[p] {
			mode = 0o755
		}
		if err := os.WriteFile(full, r.Files[p], mode); err != nil {
			return "", err
		}
	}
	return root, nil
}

// PKI holds the fixture's certificates: a test root, the vendor's code
// signing certificate, and a stand-in for the OS vendor that signs
// d3dcompiler_47.dll.
type PKI struct {
	Root, Vendor, Platform *testpki.Cert
}

// NewPKI mints the fixture's certificates (deterministic).
func NewPKI() PKI {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Chatterbox Fixture Root CA", Organization: "shipgate fixtures", KeyN: 0})
	return PKI{
		Root:     root,
		Vendor:   root.Issue(testpki.Spec{CommonName: "Chatterbox Ltd", Organization: "Chatterbox Ltd", KeyN: 1, Serial: big.NewInt(0x1b6611df)}),
		Platform: root.Issue(testpki.Spec{CommonName: "Fictional Platform Vendor", Organization: "Fictional Platform Vendor", KeyN: 2}),
	}
}

func sign(img []byte, c *testpki.Cert, p PKI) ([]byte, error) {
	return pefile.SignAttach(img, pefile.SignSpec{Signer: c, Certs: []*testpki.Cert{p.Root}, Hash: crypto.SHA256, SigningTime: testpki.Epoch})
}

type pkg struct {
	name, version, license string
	deps                   []string
	scripts                map[string]string
	gypfile                bool
}

// packages is the fictional app's dependency set: a few dozen packages,
// some scoped, one with an install script of its own.
func packages(s Spec) []pkg {
	ui := "3.2.0"
	if s.UpdateUI {
		ui = "3.3.0"
	}
	ps := []pkg{
		{name: "@chatter/ui", version: ui, license: "MIT", deps: []string{"@chatter/icons", "tinycolor"}},
		{name: "@chatter/icons", version: "1.0.4", license: "MIT"},
		{name: "@chatter/protocol", version: "0.9.1", license: "Apache-2.0", deps: []string{"varint-lite"}},
		{name: "@fict/logger", version: "2.2.0", license: "ISC"},
		{name: "@fict/config", version: "4.1.0", license: "MIT", deps: []string{"deep-merge-lite"}},
		{name: "@fict/ipc", version: "1.3.3", license: "MIT"},
		{name: "tinycolor", version: "2.1.0", license: "MIT"},
		{name: "varint-lite", version: "1.0.0", license: "MIT"},
		{name: "deep-merge-lite", version: "3.0.2", license: "MIT"},
		{name: "tiny-emitter-x", version: "2.1.0", license: "MIT"},
		{name: "uuid-lite", version: "9.0.1", license: "MIT"},
		{name: "semver-lite", version: "7.6.0", license: "ISC"},
		{name: "ms-lite", version: "2.1.3", license: "MIT"},
		{name: "debug-lite", version: "4.3.4", license: "MIT", deps: []string{"ms-lite"}},
		{name: "yaml-lite", version: "2.4.1", license: "ISC"},
		{name: "mime-lite", version: "3.0.0", license: "MIT"},
		{name: "escape-html-x", version: "1.0.3", license: "MIT"},
		{name: "lodash-lite", version: "4.17.21", license: "MIT"},
		{name: "dayjs-lite", version: "1.11.10", license: "MIT"},
		{name: "i18n-lite", version: "0.5.0", license: "MIT", deps: []string{"@fict/config"}},
		{name: "marked-lite", version: "12.0.0", license: "MIT"},
		{name: "dompurify-lite", version: "3.0.9", license: "(MPL-2.0 OR Apache-2.0)"},
		{name: "electron-store-lite", version: "8.2.0", license: "MIT", deps: []string{"@fict/config"}},
		{name: "auto-updater-lite", version: "6.1.8", license: "MIT", deps: []string{"semver-lite", "debug-lite"}},
		{name: "fastsql", version: "5.1.6", license: "BSD-3-Clause", gypfile: true,
			scripts: map[string]string{"install": "prebuild-install || node-gyp rebuild"}},
	}
	if s.AddNativePackage {
		ps = append(ps, pkg{name: "keytar-lite", version: "7.9.0", license: "MIT", gypfile: true,
			scripts: map[string]string{"install": "node-gyp rebuild"}})
	}
	return ps
}

// appFiles returns the asar contents for platform ("win32" or "darwin") and
// the natives to put in the unpacked folder.
func appFiles(s Spec, platform string, native func(name string) []byte) []AsarFile {
	ps := packages(s)
	deps := map[string]string{}
	for _, p := range ps {
		deps[p.name] = "^" + p.version
	}
	appPkg, _ := json.MarshalIndent(map[string]any{
		"name": "chatterbox", "productName": AppName, "version": s.AppVersion, "main": "main.js",
		"license": "UNLICENSED", "dependencies": deps,
	}, "", "  ")
	files := []AsarFile{
		{Path: "package.json", Data: appPkg},
		{Path: "main.js", Data: []byte("const { app } = require('electron')\nrequire('./dist/app.js')\n")},
		{Path: "dist/app.js", Data: append([]byte("// Chatterbox "+s.AppVersion+"\n"), filler("app"+s.AppVersion, 3000)...)},
		{Path: "dist/index.html", Data: []byte("<!doctype html><title>Chatterbox</title>\n")},
	}
	lock := map[string]any{}
	for _, p := range ps {
		dir := "node_modules/" + p.name
		pj := map[string]any{"name": p.name, "version": p.version, "license": p.license, "main": "index.js"}
		if len(p.deps) > 0 {
			d := map[string]string{}
			for _, x := range p.deps {
				d[x] = "*"
			}
			pj["dependencies"] = d
		}
		if p.scripts != nil {
			pj["scripts"] = p.scripts
		}
		if p.gypfile {
			pj["gypfile"] = true
		}
		b, _ := json.MarshalIndent(pj, "", "  ")
		code := fmt.Sprintf("// %s %s\nmodule.exports = %q\n", p.name, p.version, p.name)
		if p.name == "tinycolor" && s.TamperPackage {
			code += "require('child_process').exec(process.env.CHATTER_HOOK || '')\n"
		}
		files = append(files,
			AsarFile{Path: dir + "/package.json", Data: b},
			AsarFile{Path: dir + "/index.js", Data: []byte(code)},
			AsarFile{Path: dir + "/lib/impl.js", Data: filler(p.name+p.version, 400)},
			AsarFile{Path: dir + "/LICENSE", Data: []byte(p.license + " licence text\n")},
		)
		if p.gypfile {
			base := strings.TrimSuffix(p.name, "-lite")
			files = append(files,
				AsarFile{Path: dir + "/binding.gyp", Data: []byte("{}\n")},
				AsarFile{Path: dir + "/build/Release/" + base + ".node", Data: native(p.name + "@" + p.version), Unpacked: true, Executable: true})
		}
		lock[dir] = map[string]any{"version": p.version, "license": p.license,
			"resolved": "https://registry.example/" + p.name + "/-/" + p.version + ".tgz"}
	}
	lock[""] = map[string]any{"name": "chatterbox", "version": s.AppVersion}
	lb, _ := json.MarshalIndent(map[string]any{"name": "chatterbox", "version": s.AppVersion, "lockfileVersion": 3, "packages": lock}, "", "  ")
	files = append(files, AsarFile{Path: "package-lock.json", Data: lb})
	return files
}

// fuseWire is the fixture's hardened wire, weakened as s asks.
func fuseWire(s Spec) string {
	w := []byte("010011001") // RunAsNode off, cookie encryption on, NODE_OPTIONS off, inspect off, integrity on, only-asar on, …
	if s.EnableRunAsNode {
		w[0] = '1'
	}
	if s.DisableIntegrityFuse {
		w[4] = '0'
	}
	return string(w)
}

func headerHash(asar []byte) string {
	n := int(uint32(asar[12]) | uint32(asar[13])<<8 | uint32(asar[14])<<16 | uint32(asar[15])<<24)
	h := sha256.Sum256(asar[16 : 16+n])
	return hex.EncodeToString(h[:])
}

func tamperAsar(asar []byte) {
	// Flip the case of the first letter of "main.js" in the JSON header:
	// still valid JSON, different hash.
	if i := bytes.Index(asar, []byte(`"main.js"`)); i > 0 {
		asar[i+1] = 'M'
	}
}

// Windows generates the release in the layout electron-builder's
// win-unpacked folder has.
func Windows(s Spec) (*Release, error) {
	s = s.defaults()
	pki := NewPKI()
	r := &Release{Root: AppName + "-win32-x64", Files: map[string][]byte{}, Exec: map[string]bool{}}
	var err error
	natives := func(id string) []byte {
		img, e := BuildPE(PESpec{Code: filler("node:"+id, 2000)})
		if e != nil {
			err = e
		}
		return img
	}
	asar, unpacked := PackAsar(appFiles(s, "win32", natives))
	if err != nil {
		return nil, err
	}
	claim := headerHash(asar)
	if s.TamperAsar {
		tamperAsar(asar)
	}
	r.Files["resources/app.asar"] = asar
	for p, d := range unpacked {
		r.Files["resources/app.asar.unpacked/"+p] = d
	}
	integrity, _ := json.Marshal([]map[string]string{{"file": `resources\app.asar`, "alg": "sha256", "value": claim}})
	code := append([]byte("Chrome/124.0.6367.243 Electron/"+s.ElectronVersion+" node.js/v20.14.0\x00"), FuseWire(fuseWire(s))...)
	code = append(code, filler("electron-main"+s.ElectronVersion, 6000)...)
	exe, err := BuildPE(PESpec{Code: code, ProductVersion: s.AppVersion + ".0", FileVersion: s.AppVersion + ".0",
		Resources: []PEResource{{Type: "INTEGRITY", Name: "ELECTRONASAR", Data: integrity}}})
	if err != nil {
		return nil, err
	}
	if exe, err = sign(exe, pki.Vendor, pki); err != nil {
		return nil, err
	}
	r.Files[AppName+".exe"] = exe
	r.Exec[AppName+".exe"] = true

	ffCode := filler("ffmpeg"+s.ElectronVersion, 8000)
	if s.TrojanFFmpeg {
		ffCode = append(ffCode, []byte("\x00loader: read d3dcompiler_47.dll, find FEEDFACE, decrypt\x00")...)
	}
	ff, err := BuildPE(PESpec{Code: ffCode})
	if err != nil {
		return nil, err
	}
	if s.TrojanFFmpeg {
		if ff, err = sign(ff, pki.Vendor, pki); err != nil {
			return nil, err
		}
	}
	r.Files["ffmpeg.dll"] = ff

	d3d, err := BuildPE(PESpec{Code: filler("d3dcompiler", 5000), ProductVersion: "10.0.20348.1", FileVersion: "10.0.20348.1"})
	if err != nil {
		return nil, err
	}
	blob, err := pefile.Sign(d3d, pefile.SignSpec{Signer: pki.Platform, Certs: []*testpki.Cert{pki.Root}, Hash: crypto.SHA256, SigningTime: testpki.Epoch})
	if err != nil {
		return nil, err
	}
	if s.PadD3DCompiler {
		blob = append(blob, append([]byte{0xfe, 0xed, 0xfa, 0xce}, filler("shellcode", 600)...)...)
	}
	if d3d, err = pefile.Attach(d3d, pefile.Entry(blob)); err != nil {
		return nil, err
	}
	r.Files["d3dcompiler_47.dll"] = d3d
	for _, n := range []string{"libEGL.dll", "libGLESv2.dll", "vk_swiftshader.dll"} {
		img, err := BuildPE(PESpec{Code: filler(n+s.ElectronVersion, 3000)})
		if err != nil {
			return nil, err
		}
		r.Files[n] = img
	}
	for _, n := range []string{"chrome_100_percent.pak", "chrome_200_percent.pak", "resources.pak", "icudtl.dat",
		"snapshot_blob.bin", "v8_context_snapshot.bin", "locales/en-US.pak", "locales/de.pak", "locales/fr.pak"} {
		r.Files[n] = filler(n+s.ElectronVersion, 1500)
	}
	r.Files["vk_swiftshader_icd.json"] = []byte(`{"file_format_version":"1.0.0","ICD":{"library_path":".\\vk_swiftshader.dll","api_version":"1.0.5"}}` + "\n")
	r.Files["LICENSE.electron.txt"] = []byte("Copyright (c) Electron contributors\nMIT licence\n")
	r.Files["LICENSES.chromium.html"] = []byte("<html>Chromium licences</html>\n")
	r.Files["version"] = []byte(s.ElectronVersion)
	return r, nil
}

// MacOS generates the release as a .app bundle.
func MacOS(s Spec) (*Release, error) {
	s = s.defaults()
	r := &Release{Root: AppName + ".app", Files: map[string][]byte{}, Exec: map[string]bool{}}
	fat := func(seed string, ft uint32, extra []byte) []byte {
		body := append(append([]byte{}, extra...), filler(seed, 2000)...)
		return BuildFat(BuildMachO(CPUx86_64, ft, append(body, 'x')), BuildMachO(CPUArm64, ft, append(body, 'a')))
	}
	natives := func(id string) []byte { return fat("node:"+id, MachBundle, nil) }
	asar, unpacked := PackAsar(appFiles(s, "darwin", natives))
	claim := headerHash(asar)
	if s.TamperAsar {
		tamperAsar(asar)
	}
	r.Files["Contents/Resources/app.asar"] = asar
	for p, d := range unpacked {
		r.Files["Contents/Resources/app.asar.unpacked/"+p] = d
		r.Exec["Contents/Resources/app.asar.unpacked/"+p] = true
	}
	r.Files["Contents/Info.plist"] = plist(map[string]string{
		"CFBundleExecutable": AppName, "CFBundleIdentifier": "com.example.chatterbox", "CFBundleName": AppName,
		"CFBundleShortVersionString": s.AppVersion, "CFBundleVersion": s.AppVersion,
	}, claim)
	r.Files["Contents/PkgInfo"] = []byte("APPL????")
	r.Files["Contents/MacOS/"+AppName] = fat("launcher"+s.ElectronVersion, MachExecute, nil)
	r.Exec["Contents/MacOS/"+AppName] = true
	fw := "Contents/Frameworks/Electron Framework.framework/Versions/A/"
	wire := append([]byte("Chrome/124.0.6367.243 Electron/"+s.ElectronVersion+"\x00"), FuseWire(fuseWire(s))...)
	r.Files[fw+"Electron Framework"] = fat("framework"+s.ElectronVersion, MachDylib, wire)
	r.Exec[fw+"Electron Framework"] = true
	ff := []byte(nil)
	if s.TrojanFFmpeg {
		ff = []byte("\x00UpdateAgent .main_storage\x00")
	}
	r.Files[fw+"Libraries/libffmpeg.dylib"] = fat("ffmpeg"+s.ElectronVersion, MachDylib, ff)
	r.Files[fw+"Libraries/libEGL.dylib"] = fat("egl"+s.ElectronVersion, MachDylib, nil)
	r.Files[fw+"Resources/Info.plist"] = plist(map[string]string{
		"CFBundleIdentifier": "com.github.Electron.framework", "CFBundleName": "Electron Framework",
		"CFBundleVersion": s.ElectronVersion, "CFBundleShortVersionString": s.ElectronVersion,
	}, "")
	for _, n := range []string{"resources.pak", "icudtl.dat", "v8_context_snapshot.arm64.bin", "en.lproj/locale.pak"} {
		r.Files[fw+"Resources/"+n] = filler(n+s.ElectronVersion, 1500)
	}
	for _, h := range []string{"", " (GPU)", " (Renderer)", " (Plugin)"} {
		app := "Contents/Frameworks/" + AppName + " Helper" + h + ".app/Contents/"
		r.Files[app+"MacOS/"+AppName+" Helper"+h] = fat("helper"+h+s.ElectronVersion, MachExecute, nil)
		r.Exec[app+"MacOS/"+AppName+" Helper"+h] = true
		r.Files[app+"Info.plist"] = plist(map[string]string{"CFBundleExecutable": AppName + " Helper" + h,
			"CFBundleShortVersionString": s.AppVersion}, "")
	}
	return r, nil
}

// plist writes an XML property list of string keys, with an
// ElectronAsarIntegrity dictionary when claim is set.
func plist(kv map[string]string, claim string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString("<plist version=\"1.0\">\n<dict>\n")
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\t<key>%s</key>\n\t<string>%s</string>\n", k, kv[k])
	}
	if claim != "" {
		fmt.Fprintf(&b, "\t<key>ElectronAsarIntegrity</key>\n\t<dict>\n\t\t<key>Resources/app.asar</key>\n\t\t<dict>\n"+
			"\t\t\t<key>algorithm</key>\n\t\t\t<string>SHA256</string>\n\t\t\t<key>hash</key>\n\t\t\t<string>%s</string>\n\t\t</dict>\n\t</dict>\n", claim)
	}
	b.WriteString("</dict>\n</plist>\n")
	return b.Bytes()
}

// UpstreamZip returns a stand-in for the official Electron zip that the
// Windows release of s was packaged from (electron-v<version>-win32-x64.zip):
// the runtime files as the clean release has them, electron.exe for the
// renamed executable (different bytes, as packagers rewrite it), LICENSE for
// LICENSE.electron.txt, and resources/default_app.asar. The plants of s are
// ignored: upstream is always clean.
func UpstreamZip(s Spec) (name string, data []byte, err error) {
	clean := Spec{AppVersion: s.AppVersion, ElectronVersion: s.ElectronVersion}.defaults()
	r, err := Windows(clean)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(n string, d []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: testpki.Epoch})
		if err != nil {
			return err
		}
		_, err = w.Write(d)
		return err
	}
	for _, p := range r.Paths() {
		switch {
		case strings.HasPrefix(p, "resources/"):
			continue
		case p == AppName+".exe":
			exe, err := BuildPE(PESpec{Code: append(FuseWire("101100111"), filler("electron.exe"+clean.ElectronVersion, 6000)...)})
			if err != nil {
				return "", nil, err
			}
			err = put("electron.exe", exe)
			if err != nil {
				return "", nil, err
			}
		case p == "LICENSE.electron.txt":
			if err := put("LICENSE", r.Files[p]); err != nil {
				return "", nil, err
			}
		default:
			if err := put(p, r.Files[p]); err != nil {
				return "", nil, err
			}
		}
	}
	if err := put("resources/default_app.asar", PackAsarRaw([]byte(`{"files":{}}`), nil)); err != nil {
		return "", nil, err
	}
	if err := zw.Close(); err != nil {
		return "", nil, err
	}
	return "electron-v" + clean.ElectronVersion + "-win32-x64.zip", buf.Bytes(), nil
}
