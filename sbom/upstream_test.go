package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

func upstreamZip(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	name, data, err := electronfix.UpstreamZip(electronfix.Clean())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return p, []byte("0000000000000000000000000000000000000000000000000000000000000000 *electron-v30.1.2-darwin-x64.zip\n" +
		hex.EncodeToString(sum[:]) + " *" + name + "\n")
}

func TestCompareUpstream(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zipPath, sums := upstreamZip(t, dir)
	cases := []struct {
		name  string
		spec  electronfix.Spec
		extra string // a file to drop next to the executable
		want  []string
	}{
		{"clean", electronfix.Clean(), "", []string{"note electron/runtime-modified Chatterbox.exe"}},
		{"trojanized", electronfix.Trojanized(), "", []string{
			"error electron/runtime-modified d3dcompiler_47.dll",
			"error electron/runtime-modified ffmpeg.dll",
			"note electron/runtime-modified Chatterbox.exe",
		}},
		{"side-loaded dll", electronfix.Clean(), "version.dll", []string{
			"note electron/runtime-modified Chatterbox.exe",
			"warning electron/runtime-extra version.dll",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rel := writeRelease(t, filepath.Join(dir, c.name), electronfix.Windows, c.spec)
			if c.extra != "" {
				os.WriteFile(filepath.Join(rel, c.extra), []byte("MZ not really"), 0o644)
			}
			res, err := CompareUpstream(zipPath, openRelease(t, rel), UpstreamOptions{SHASUMS: sums})
			if err != nil {
				t.Fatal(err)
			}
			got := findingKeys(res.Findings)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if res.Version != "30.1.2" || res.Platform != "win32" || res.Arch != "x64" || res.Compared < 15 || len(res.Missing) != 0 {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

func TestCompareUpstreamRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zipPath, sums := upstreamZip(t, dir)
	inv := openRelease(t, writeRelease(t, dir, electronfix.Windows, electronfix.Clean()))

	bad := []byte(strings.Replace(string(sums), "*electron-v30.1.2-win32", "*nothing", 1))
	if _, err := CompareUpstream(zipPath, inv, UpstreamOptions{SHASUMS: bad}); err == nil || !strings.Contains(err.Error(), "no line") {
		t.Errorf("missing SHASUMS line: %v", err)
	}
	wrong := []byte(strings.Repeat("f", 64) + " *" + filepath.Base(zipPath) + "\n")
	if _, err := CompareUpstream(zipPath, inv, UpstreamOptions{SHASUMS: wrong}); err == nil || !strings.Contains(err.Error(), "SHASUMS256.txt says") {
		t.Errorf("checksum mismatch: %v", err)
	}
	other := filepath.Join(dir, "electron-v31.0.0-win32-x64.zip")
	data, _ := os.ReadFile(zipPath)
	os.WriteFile(other, data, 0o644)
	if _, err := CompareUpstream(other, inv, UpstreamOptions{}); err == nil || !strings.Contains(err.Error(), "runs Electron 30.1.2") {
		t.Errorf("version mismatch: %v", err)
	}
	mac := filepath.Join(dir, "electron-v30.1.2-darwin-arm64.zip")
	os.WriteFile(mac, data, 0o644)
	if _, err := CompareUpstream(mac, inv, UpstreamOptions{}); !errors.Is(err, ErrUpstreamPlatform) {
		t.Errorf("darwin zip: %v", err)
	}
	if _, err := CompareUpstream(filepath.Join(dir, "random.zip"), inv, UpstreamOptions{}); err == nil {
		t.Error("unofficial name accepted")
	}
}

// TestCompareUpstreamZippedRelease: a release zipped in its folder, its
// files listed under it (TestZippedAppKeepsItsFolder), is compared with
// upstream's inside it, its findings naming the zip's paths.
func TestCompareUpstreamZippedRelease(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zipPath, sums := upstreamZip(t, dir)
	r, err := electronfix.Windows(electronfix.Trojanized())
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join(dir, r.Root+".zip")
	if err := os.WriteFile(rel, zipRelease(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := CompareUpstream(zipPath, openRelease(t, rel), UpstreamOptions{SHASUMS: sums})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"error electron/runtime-modified Chatterbox-win32-x64/d3dcompiler_47.dll",
		"error electron/runtime-modified Chatterbox-win32-x64/ffmpeg.dll",
		"note electron/runtime-modified Chatterbox-win32-x64/Chatterbox.exe",
	}
	if got := findingKeys(res.Findings); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Compared < 15 || len(res.Missing) != 0 || len(res.Extra) != 0 {
		t.Errorf("result = %+v", res)
	}
}
