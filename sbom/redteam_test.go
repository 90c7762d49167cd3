package sbom

import (
	"bytes"
	"crypto"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

// The red-team tests change the second release of the fixture app the way
// an attacker would who wants the change to pass unreported, and check
// what Diff says.

const (
	rtAsar     = "resources/app.asar"
	rtUnpacked = "resources/app.asar.unpacked/"
	rtTiny     = "node_modules/tinycolor/"
)

var rtCache struct {
	sync.Mutex
	m map[string]*electronfix.Release
}

// rtRelease returns a copy of a generated release (cached: generation signs).
func rtRelease(t *testing.T, gen func(electronfix.Spec) (*electronfix.Release, error), s electronfix.Spec, key string) *electronfix.Release {
	t.Helper()
	rtCache.Lock()
	defer rtCache.Unlock()
	if rtCache.m == nil {
		rtCache.m = map[string]*electronfix.Release{}
	}
	r := rtCache.m[key]
	if r == nil {
		var err error
		if r, err = gen(s); err != nil {
			t.Fatal(err)
		}
		rtCache.m[key] = r
	}
	c := *r
	c.Files = maps.Clone(r.Files)
	c.Exec = maps.Clone(r.Exec)
	c.Links = maps.Clone(r.Links)
	return &c
}

func rtWindows(t *testing.T, appVersion string) *electronfix.Release {
	return rtRelease(t, electronfix.Windows, electronfix.Spec{AppVersion: appVersion}, "win"+appVersion)
}

// unpackAsar lists the archive of r as PackAsar's input.
func unpackAsar(t *testing.T, r *electronfix.Release, at string) []electronfix.AsarFile {
	t.Helper()
	b := r.Files[at]
	ar, err := asar.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []electronfix.AsarFile
	ar.Walk(func(e *asar.Entry) error {
		switch {
		case e.Kind == asar.KindLink:
			out = append(out, electronfix.AsarFile{Path: e.Path, Link: e.Link})
		case e.Kind == asar.KindFile && e.Unpacked:
			out = append(out, electronfix.AsarFile{Path: e.Path, Data: r.Files[at+".unpacked/"+e.Path], Unpacked: true, Executable: e.Executable})
		case e.Kind == asar.KindFile:
			d, err := ar.ReadFile(e.Path)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, electronfix.AsarFile{Path: e.Path, Data: d, Executable: e.Executable})
		}
		return nil
	})
	return out
}

// repackAsar rewrites the archive of r (and its unpacked folder) with
// change applied to its files; the header's integrity is recomputed, as an
// attacker with the build tools would.
func repackAsar(t *testing.T, r *electronfix.Release, change func(files map[string]*electronfix.AsarFile)) {
	t.Helper()
	files := map[string]*electronfix.AsarFile{}
	for _, f := range unpackAsar(t, r, rtAsar) {
		files[f.Path] = &f
	}
	change(files)
	for p := range r.Files {
		if strings.HasPrefix(p, rtUnpacked) {
			delete(r.Files, p)
		}
	}
	var list []electronfix.AsarFile
	for _, k := range slices.Sorted(maps.Keys(files)) {
		list = append(list, *files[k])
	}
	arc, unpacked := electronfix.PackAsar(list)
	r.Files[rtAsar] = arc
	for p, d := range unpacked {
		r.Files[rtUnpacked+p] = d
	}
}

func appendTo(files map[string]*electronfix.AsarFile, p, s string) {
	f := files[p]
	f.Data = append(append([]byte{}, f.Data...), s...)
}

func rtDiff(t *testing.T, old, new *electronfix.Release) []string {
	t.Helper()
	po, err := old.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pn, err := new.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	oi, err := Open(po, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ni, err := Open(pn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys := findingKeys(Diff(oi, ni).Findings)
	for _, f := range ni.Findings {
		if f.Rule == RulePackageJSONInvalid || f.Rule.Family() == "asar" {
			keys = append(keys, "inventory "+f.Severity.String()+" "+string(f.Rule)+" "+f.Path)
		}
	}
	return keys
}

func peWith(t *testing.T, s electronfix.PESpec) []byte {
	t.Helper()
	b, err := electronfix.BuildPE(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRedTeamDiff: each attack on the second release of an ordinary update
// (app 1.4.0 → 1.4.1; "same app version" cases keep 1.4.0) and the
// findings it must raise (each listed key must be among them).
func TestRedTeamDiff(t *testing.T) {
	t.Parallel()
	const tiny = rtAsar + "/node_modules/tinycolor"
	cases := []struct {
		name    string
		version string // new app version; "" = 1.4.1
		old     func(r *electronfix.Release)
		change  func(t *testing.T, r *electronfix.Release)
		want    []string
		not     []string // keys that must not be there
	}{
		{name: "package code changed in the asar, version kept",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) { appendTo(f, rtTiny+"index.js", "\nevil()\n") })
			},
			want: []string{"error diff/changed-same-version " + tiny}},
		{name: "native addon of a package changed in app.asar.unpacked",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f["node_modules/fastsql/build/Release/fastsql.node"].Data = peWith(t, electronfix.PESpec{Code: []byte("evil")})
				})
			},
			want: []string{"error diff/changed-same-version " + rtAsar + "/node_modules/fastsql"}},
		{name: "file added to a package",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f[rtTiny+"lib/extra.js"] = &electronfix.AsarFile{Path: rtTiny + "lib/extra.js", Data: []byte("evil()")}
				})
			},
			want: []string{"error diff/changed-same-version " + tiny}},
		{name: "file moved between packages",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					m := f[rtTiny+"lib/impl.js"]
					delete(f, rtTiny+"lib/impl.js")
					m.Path = "node_modules/varint-lite/lib/impl2.js"
					f[m.Path] = m
				})
			},
			want: []string{"error diff/changed-same-version " + tiny, "error diff/changed-same-version " + rtAsar + "/node_modules/varint-lite"}},
		{name: "case-only rename in a package",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					m := f[rtTiny+"LICENSE"]
					delete(f, rtTiny+"LICENSE")
					m.Path = rtTiny + "license"
					f[m.Path] = m
				})
			},
			want: []string{"error diff/changed-same-version " + tiny}},
		{name: "application code changed, app version kept", version: "1.4.0",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) { appendTo(f, "main.js", "evil()") })
			},
			want: []string{"error diff/changed-same-version " + rtAsar}},
		{name: "preload script added, app version kept", version: "1.4.0",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f["dist/preload.js"] = &electronfix.AsarFile{Path: "dist/preload.js", Data: []byte("evil()")}
				})
			},
			want: []string{"error diff/changed-same-version " + rtAsar}},
		{name: "native addon outside any package, in the asar",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f["native/x.bin"] = &electronfix.AsarFile{Path: "native/x.bin", Data: peWith(t, electronfix.PESpec{Code: []byte("evil")})}
				})
			},
			want: []string{"warning diff/new-native-code " + rtAsar + "/native/x.bin"}},
		{name: "native file in app.asar.unpacked that the header does not list",
			change: func(t *testing.T, r *electronfix.Release) {
				r.Files[rtUnpacked+"node_modules/fastsql/build/Release/evil.node"] = peWith(t, electronfix.PESpec{Code: []byte("evil")})
			},
			want: []string{"warning diff/new-native-code " + rtUnpacked + "node_modules/fastsql/build/Release/evil.node"}},
		{name: "native binary renamed to a data extension",
			change: func(t *testing.T, r *electronfix.Release) {
				r.Files["ffmpeg.dat"] = r.Files["ffmpeg.dll"]
				delete(r.Files, "ffmpeg.dll")
			},
			want: []string{"warning diff/new-native-code ffmpeg.dat"}},
		{name: "runtime binary changed, version resource kept",
			change: func(t *testing.T, r *electronfix.Release) {
				r.Files["d3dcompiler_47.dll"] = peWith(t, electronfix.PESpec{Code: []byte("evil"), ProductVersion: "10.0.20348.1", FileVersion: "10.0.20348.1"})
				r.Files["libEGL.dll"] = peWith(t, electronfix.PESpec{Code: []byte("evil")})
			},
			want: []string{"error diff/changed-same-version d3dcompiler_47.dll", "error diff/changed-same-version libEGL.dll"}},
		{name: "runtime binary changed with its version resource bumped",
			change: func(t *testing.T, r *electronfix.Release) {
				r.Files["d3dcompiler_47.dll"] = peWith(t, electronfix.PESpec{Code: []byte("evil"), ProductVersion: "10.0.20348.2", FileVersion: "10.0.20348.2"})
				// …or to the application's version, as the executable has.
				r.Files["libEGL.dll"] = peWith(t, electronfix.PESpec{Code: []byte("evil"), ProductVersion: "1.4.1.0", FileVersion: "1.4.1.0"})
			},
			want: []string{"warning diff/changed-same-version d3dcompiler_47.dll", "warning diff/changed-same-version libEGL.dll"},
			not:  []string{"error diff/changed-same-version " + electronfix.AppName + ".exe", "warning diff/changed-same-version " + electronfix.AppName + ".exe"}},
		{name: "nested copy of a package, same name and version, other code",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					for _, n := range []string{"package.json", "index.js", "lib/impl.js", "LICENSE"} {
						c := *f[rtTiny+n]
						c.Path = "node_modules/@chatter/ui/node_modules/tinycolor/" + n
						f[c.Path] = &c
					}
					appendTo(f, "node_modules/@chatter/ui/node_modules/tinycolor/index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + rtAsar + "/node_modules/@chatter/ui/node_modules/tinycolor"}},
		{name: "nested copy of a package, same content (deduplication changed)",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					for _, n := range []string{"package.json", "index.js", "lib/impl.js", "LICENSE"} {
						c := *f[rtTiny+n]
						c.Path = "node_modules/@chatter/ui/node_modules/tinycolor/" + n
						f[c.Path] = &c
					}
				})
			},
			want: []string{"note diff/package-added " + rtAsar + "/node_modules/@chatter/ui/node_modules/tinycolor"},
			not:  []string{"error diff/changed-same-version " + rtAsar + "/node_modules/@chatter/ui/node_modules/tinycolor"}},
		{name: "install script in a new nested package",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					p := "node_modules/tinycolor/node_modules/helper/package.json"
					f[p] = &electronfix.AsarFile{Path: p, Data: []byte(`{"name":"helper","version":"1.0.0","scripts":{"postinstall":"node steal.js"}}`)}
				})
			},
			want: []string{"warning diff/install-script " + tiny + "/node_modules/helper"}},
		{name: "two packages swap folders",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					for _, n := range []string{"package.json", "index.js", "lib/impl.js", "LICENSE"} {
						a, b := f[rtTiny+n], f["node_modules/varint-lite/"+n]
						a.Data, b.Data = b.Data, a.Data
					}
				})
			},
			// Each package keeps contents the old release had for its
			// name@version, so the swap is an add and a remove at each path.
			want: []string{"note diff/package-added " + tiny, "note diff/package-removed " + tiny},
			not:  []string{"note diff/package-updated " + tiny}},
		{name: "package name removed from package.json, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f[rtTiny+"package.json"].Data = []byte(`{"version":"2.1.0","main":"index.js"}`)
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny, "inventory warning electron/package-json-invalid " + tiny + "/package.json"}},
		{name: "package version removed from package.json, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f[rtTiny+"package.json"].Data = []byte(`{"name":"tinycolor","main":"index.js"}`)
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny},
			not:  []string{"note diff/package-updated " + tiny}},
		{name: "package.json with a UTF-8 byte order mark, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					pj := f[rtTiny+"package.json"]
					pj.Data = append([]byte("\xef\xbb\xbf"), pj.Data...)
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny},
			not:  []string{"note diff/package-removed " + tiny}},
		{name: "package version made a number, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f[rtTiny+"package.json"].Data = []byte(`{"name":"tinycolor","version":2,"main":"index.js"}`)
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny, "inventory warning electron/package-json-invalid " + tiny + "/package.json"},
			not:  []string{"note diff/package-removed " + tiny}},
		{name: "package.json that does not parse, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f[rtTiny+"package.json"].Data = []byte(`{"name":"tinycolor","version":"2.1.0",}`)
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny, "inventory warning electron/package-json-invalid " + tiny + "/package.json"},
			not:  []string{"note diff/package-removed " + tiny}},
		{name: "package renamed in package.json, version kept, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					pj := f[rtTiny+"package.json"]
					pj.Data = bytes.Replace(pj.Data, []byte(`"tinycolor"`), []byte(`"tinycolour-fork"`), 1)
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny, "warning diff/package-renamed " + tiny},
			not:  []string{"note diff/package-added " + tiny, "note diff/package-removed " + tiny}},
		{name: "package renamed in package.json, version removed, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f[rtTiny+"package.json"].Data = []byte(`{"name":"other","main":"index.js"}`)
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny, "warning diff/package-renamed " + tiny},
			not:  []string{"note diff/package-added " + tiny}},
		{name: "renamed nested copy shadowing a package, same version, other code",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					for _, n := range []string{"package.json", "index.js", "lib/impl.js", "LICENSE"} {
						c := *f[rtTiny+n]
						c.Path = "node_modules/@chatter/ui/node_modules/tinycolor/" + n
						f[c.Path] = &c
					}
					p := f["node_modules/@chatter/ui/node_modules/tinycolor/package.json"]
					p.Data = bytes.Replace(p.Data, []byte(`"tinycolor"`), []byte(`"innocent-helper"`), 1)
					appendTo(f, "node_modules/@chatter/ui/node_modules/tinycolor/index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + rtAsar + "/node_modules/@chatter/ui/node_modules/tinycolor"}},
		{name: "package.json deleted from a package, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					delete(f, rtTiny+"package.json")
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny, "inventory warning electron/package-json-invalid " + tiny},
			not:  []string{"note diff/package-removed " + tiny}},
		{name: "application version removed, application code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					pj := f["package.json"]
					pj.Data = regexp.MustCompile(`"version":\s*"[^"]*",?`).ReplaceAll(pj.Data, nil)
					appendTo(f, "main.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + rtAsar}},
		{name: "application version made a number, application code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					pj := f["package.json"]
					pj.Data = regexp.MustCompile(`"version":\s*"[^"]*"`).ReplaceAll(pj.Data, []byte(`"version": 141`))
					appendTo(f, "main.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + rtAsar}},
		{name: "package folder renamed by case only, code changed",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					for _, n := range []string{"package.json", "index.js", "lib/impl.js", "LICENSE"} {
						c := f[rtTiny+n]
						delete(f, rtTiny+n)
						c.Path = "node_modules/TinyColor/" + n
						f[c.Path] = c
					}
					appendTo(f, "node_modules/TinyColor/index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + rtAsar + "/node_modules/TinyColor"}},
		{name: "lockfile edited to agree with tampered code",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					l := f["package-lock.json"]
					l.Data = bytes.Replace(l.Data, []byte(`"version": "2.1.0"`), []byte(`"version": "9.9.9"`), 1)
					appendTo(f, rtTiny+"index.js", "evil()")
				})
			},
			want: []string{"error diff/changed-same-version " + tiny}},
		{name: "link in a package retargeted",
			old: func(r *electronfix.Release) {},
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f[rtTiny+"alias.js"].Link = "node_modules/varint-lite/index.js"
				})
			},
			want: []string{"error diff/changed-same-version " + tiny}},
		{name: "file in a package replaced by a link",
			change: func(t *testing.T, r *electronfix.Release) {
				repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
					f[rtTiny+"index.js"] = &electronfix.AsarFile{Path: rtTiny + "index.js", Link: "dist/app.js"}
				})
			},
			want: []string{"error diff/changed-same-version " + tiny}},
		{name: "duplicate header entry shadows a package file",
			change: func(t *testing.T, r *electronfix.Release) {
				b := r.Files[rtAsar]
				ar, err := asar.NewReader(bytes.NewReader(b), int64(len(b)))
				if err != nil {
					t.Fatal(err)
				}
				hdr, data := ar.Header(), b[ar.DataOffset():]
				evil := "evil()"
				// The second "index.js" key in tinycolor's folder wins, as in
				// Node's JSON.parse.
				at := bytes.Index(hdr, []byte(`"tinycolor":{"files":{`))
				if at < 0 {
					t.Fatalf("header layout: %.200s", hdr)
				}
				at += len(`"tinycolor":{"files":{`)
				dup := fmt.Sprintf(`"index.js":{"size":%d,"offset":"%d"},`, len(evil), len(data))
				// Put the duplicate after the original, before "lib".
				rest := hdr[at:]
				j := bytes.Index(rest, []byte(`"lib":{`))
				nh := append(append(append([]byte{}, hdr[:at+j]...), dup...), rest[j:]...)
				r.Files[rtAsar] = electronfix.PackAsarRaw(nh, append(append([]byte{}, data...), evil...))
			},
			want: []string{"error diff/changed-same-version " + tiny, "inventory error asar/duplicate-entry " + tiny + "/index.js"}},
		{name: "fuse sentinel defaced and RunAsNode turned on",
			change: func(t *testing.T, r *electronfix.Release) {
				exe := bytes.Clone(r.Files[electronfix.AppName+".exe"])
				i := bytes.Index(exe, sentinel)
				exe[i] ^= 0xff
				exe[i+len(sentinel)+2] = '1'
				r.Files[electronfix.AppName+".exe"] = exe
			},
			want: []string{"error diff/fuse-weakened " + electronfix.AppName + ".exe"}},
		{name: "executable renamed and RunAsNode turned on",
			change: func(t *testing.T, r *electronfix.Release) {
				exe := bytes.Clone(r.Files[electronfix.AppName+".exe"])
				exe[bytes.Index(exe, sentinel)+len(sentinel)+2] = '1'
				delete(r.Files, electronfix.AppName+".exe")
				r.Files["Chatterbox2.exe"] = exe
			},
			want: []string{"error diff/fuse-weakened Chatterbox2.exe"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			old := rtWindows(t, "1.4.0")
			v := c.version
			if v == "" {
				v = "1.4.1"
			}
			n := rtWindows(t, v)
			if c.old != nil {
				// The link cases start from releases that carry a link.
				for _, r := range []*electronfix.Release{old, n} {
					repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
						f[rtTiny+"alias.js"] = &electronfix.AsarFile{Path: rtTiny + "alias.js", Link: rtTiny + "index.js"}
					})
				}
			}
			c.change(t, n)
			got := rtDiff(t, old, n)
			for _, w := range c.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q; findings:\n%s", w, strings.Join(got, "\n"))
				}
			}
			for _, w := range c.not {
				if slices.Contains(got, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
}

// TestRedTeamUniversalSlice flips a fuse in one slice of a universal
// binary only.
func TestRedTeamUniversalSlice(t *testing.T) {
	t.Parallel()
	old := rtRelease(t, electronfix.MacOS, electronfix.Clean(), "mac")
	n := rtRelease(t, electronfix.MacOS, electronfix.Clean(), "mac")
	fw := "Contents/Frameworks/Electron Framework.framework/Versions/A/Electron Framework"
	b := bytes.Clone(n.Files[fw])
	i := bytes.LastIndex(b, sentinel) // the arm64 slice comes second
	b[i+len(sentinel)+2] = '1'
	n.Files[fw] = b
	got := rtDiff(t, old, n)
	if !slices.Contains(got, "error diff/fuse-weakened "+fw) {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}
}

// TestRedTeamAppFolder tampers a package of an application shipped as a
// plain resources/app folder.
func TestRedTeamAppFolder(t *testing.T) {
	t.Parallel()
	folder := func(r *electronfix.Release) {
		for _, f := range unpackAsar(t, r, rtAsar) {
			if f.Link == "" {
				r.Files["resources/app/"+f.Path] = f.Data
			}
		}
		delete(r.Files, rtAsar)
		for p := range r.Files {
			if strings.HasPrefix(p, rtUnpacked) {
				delete(r.Files, p)
			}
		}
	}
	old, n := rtWindows(t, "1.4.0"), rtWindows(t, "1.4.1")
	folder(old)
	folder(n)
	n.Files["resources/app/"+rtTiny+"index.js"] = append(bytes.Clone(n.Files["resources/app/"+rtTiny+"index.js"]), "evil()"...)
	got := rtDiff(t, old, n)
	if !slices.Contains(got, "error diff/changed-same-version resources/app/node_modules/tinycolor") {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}
}

// TestRedTeamHostileLinks: link loops and links to folders in place of
// files end the inventory with findings, neither hanging nor panicking.
func TestRedTeamHostileLinks(t *testing.T) {
	t.Parallel()
	r := rtWindows(t, "1.4.0")
	repackAsar(t, r, func(f map[string]*electronfix.AsarFile) {
		f[rtTiny+"package.json"] = &electronfix.AsarFile{Path: rtTiny + "package.json", Link: "node_modules"}
		f["loop/a"] = &electronfix.AsarFile{Path: "loop/a", Link: "loop/b"}
		f["loop/b"] = &electronfix.AsarFile{Path: "loop/b", Link: "loop/a"}
	})
	p, err := r.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(p, filepath.FromSlash(rtAsar)), Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestRedTeamAppFolderBesideAsar adds resources/app beside app.asar: with
// OnlyLoadAppFromAsar on it is never loaded; with it off it replaces the app.
func TestRedTeamAppFolderBesideAsar(t *testing.T) {
	t.Parallel()
	for _, weak := range []bool{false, true} {
		r := rtWindows(t, "1.4.0")
		if weak {
			exe := bytes.Clone(r.Files[electronfix.AppName+".exe"])
			exe[bytes.Index(exe, sentinel)+len(sentinel)+2+FuseOnlyLoadAppFromAsar] = '0'
			r.Files[electronfix.AppName+".exe"] = exe
		}
		r.Files["resources/app/package.json"] = []byte(`{"name":"chatterbox","version":"1.4.0","main":"evil.js"}`)
		r.Files["resources/app/evil.js"] = []byte("evil()")
		p, err := r.Write(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		inv, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := slices.Contains(findingKeys(inv.Findings), "error "+string(RuleAppFolderShadowsAsar)+" resources/app")
		if got != weak {
			t.Errorf("OnlyLoadAppFromAsar off = %v: finding = %v", weak, got)
		}
	}
}

// TestRedTeamDiskLinks replaces a runtime DLL with a symbolic link out of
// the release; a link inside it is fine, and so is one to nothing, which
// reaches no file outside (verify reports neither: walk.LinkEscape).
func TestRedTeamDiskLinks(t *testing.T) {
	t.Parallel()
	r := rtWindows(t, "1.4.0")
	p, err := r.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "evil.dll")
	if err := os.WriteFile(outside, r.Files["ffmpeg.dll"], 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(p, "ffmpeg.dll"))
	if err := os.Symlink(outside, filepath.Join(p, "ffmpeg.dll")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	os.Symlink("libEGL.dll", filepath.Join(p, "libEGL-alias.dll"))
	os.Symlink("missing.dll", filepath.Join(p, "dangling.dll"))
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(findingKeys(inv.Findings), "\n")
	if w := "error " + string(RuleSymlinkEscape) + " ffmpeg.dll"; !strings.Contains(got, w) {
		t.Errorf("missing %q in\n%s", w, got)
	}
	if strings.Contains(got, "libEGL-alias") || strings.Contains(got, "dangling") {
		t.Errorf("a link inside the release is reported:\n%s", got)
	}
}

// TestSignerChangedSameNamesOtherKey re-signs a binary with a certificate
// that copies the vendor certificate's subject, issuer and serial over
// another key: another signer, whatever the names say.
func TestSignerChangedSameNamesOtherKey(t *testing.T) {
	t.Parallel()
	pki := electronfix.NewPKI()
	imposter := pki.Root.Issue(testpki.Spec{CommonName: pki.Vendor.Cert.Subject.CommonName, Organization: pki.Vendor.Cert.Subject.Organization[0],
		KeyN: 7, Serial: pki.Vendor.Cert.SerialNumber})
	if imposter.Cert.Subject.String() != pki.Vendor.Cert.Subject.String() || imposter.Cert.Issuer.String() != pki.Vendor.Cert.Issuer.String() ||
		imposter.Cert.SerialNumber.Cmp(pki.Vendor.Cert.SerialNumber) != 0 || bytes.Equal(imposter.Cert.RawSubjectPublicKeyInfo, pki.Vendor.Cert.RawSubjectPublicKeyInfo) {
		t.Fatal("the imposter certificate must share subject, issuer and serial, and differ in key")
	}
	img := peWith(t, electronfix.PESpec{Code: []byte("helper"), FileVersion: "1.0.0.0", ProductVersion: "1.0.0.0"})
	signWith := func(c *testpki.Cert, nested ...*testpki.Cert) []byte {
		s := pefile.SignSpec{Signer: c, Certs: []*testpki.Cert{pki.Root}, Hash: crypto.SHA256, SigningTime: testpki.Epoch}
		for _, n := range nested {
			ci, err := pefile.Sign(img, pefile.SignSpec{Signer: n, Certs: []*testpki.Cert{pki.Root}, Hash: crypto.SHA256, SigningTime: testpki.Epoch})
			if err != nil {
				t.Fatal(err)
			}
			s.Nested = append(s.Nested, ci)
		}
		b, err := pefile.SignAttach(img, s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	inventory := func(c *testpki.Cert, nested ...*testpki.Cert) *Inventory {
		r := rtWindows(t, "1.4.0")
		r.Files["helper.dll"] = signWith(c, nested...)
		p, err := r.Write(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return openRelease(t, p)
	}
	old, same, other := inventory(pki.Vendor), inventory(pki.Vendor), inventory(imposter)
	for _, inv := range []*Inventory{old, other} {
		for _, b := range inv.Binaries {
			if b.Path == "helper.dll" && (b.Signature == nil || b.Signature.Status != signing.StatusValid || b.Signature.Signer == nil || b.Signature.Signer.SPKISHA256 == "") {
				t.Fatalf("helper.dll signature: %+v", b.Signature)
			}
		}
	}
	if got := findingKeys(Diff(old, same).Findings); slices.ContainsFunc(got, func(k string) bool { return strings.Contains(k, "helper.dll") }) {
		t.Errorf("same signer, same bytes: %q", got)
	}
	got := findingKeys(Diff(old, other).Findings)
	for _, w := range []string{"error diff/signer-changed helper.dll", "error diff/changed-same-version helper.dll"} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %q; findings:\n%s", w, strings.Join(got, "\n"))
		}
	}
	// The same holds for a nested signature: one by the imposter, added
	// beside or in place of the vendor's, is another signer.
	nestedVendor := inventory(pki.Vendor, pki.Vendor)
	for name, n := range map[string]*Inventory{"added": inventory(pki.Vendor, imposter), "replaced": inventory(pki.Vendor, imposter)} {
		from := old
		if name == "replaced" {
			from = nestedVendor
		}
		if got := findingKeys(Diff(from, n).Findings); !slices.Contains(got, "error diff/signer-changed helper.dll") {
			t.Errorf("nested signature %s: findings:\n%s", name, strings.Join(got, "\n"))
		}
	}
	if got := findingKeys(Diff(nestedVendor, inventory(pki.Vendor, pki.Vendor)).Findings); slices.ContainsFunc(got, func(k string) bool { return strings.Contains(k, "helper.dll") }) {
		t.Errorf("same nested signers: %q", got)
	}
}
