package sbom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// tgzBytes returns a gzip-compressed tarball of files (slash names), with
// extra bytes appended after the gzip stream (tarball-level trailing data).
func tgzBytes(t *testing.T, files map[string][]byte, extra string) []byte {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(files[n]))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(files[n])
	}
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tb.Bytes())
	zw.Close()
	return append(gz.Bytes(), extra...)
}

// ruleFindings returns "rule path" for each finding of rule in fs, sorted,
// paths without the prefix strip.
func ruleFindings(fs []signing.Finding, rule signing.Rule, strip string) []string {
	var out []string
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, string(f.Rule)+" "+strings.TrimPrefix(f.Path, strip))
		}
	}
	slices.Sort(out)
	return out
}

// A DLL in a zip inside a release folder or a zip release, or in a 7-Zip
// archive in a folder, is inventoried under the archive's path, as verify checks it there.
func TestSBOMNestedZip(t *testing.T) {
	t.Parallel()
	dll := versionedDLL(t, "1.0.0.0", "codec")
	inner := zipBytes(t, map[string][]byte{"lib/x.dll": dll, "readme.txt": []byte("hi\n")})
	cases := []struct {
		name, path, want string
	}{
		{"folder", writeFolder(t, map[string][]byte{"outer/inner.zip": inner, "app.txt": []byte("a")}), "outer/inner.zip/lib/x.dll"},
		{"zip release", func() string {
			p := filepath.Join(t.TempDir(), "rel.zip")
			if err := os.WriteFile(p, zipBytes(t, map[string][]byte{"outer/inner.zip": inner, "app.txt": []byte("a")}), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}(), "outer/inner.zip/lib/x.dll"},
		{"7z in folder", writeFolder(t, map[string][]byte{"outer/app.7z": sevenz.Build([]sevenz.BuildFile{{Name: "lib/x.dll", Data: dll}})}), "outer/app.7z/lib/x.dll"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, _, got, want := sbomAndVerify(t, c.path, "")
			if !slices.Contains(got, c.want) {
				t.Errorf("sbom lists %q, want %s among them", got, c.want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("sbom lists %q, verify checks %q", got, want)
			}
			if !slices.ContainsFunc(inv.Binaries, func(b Binary) bool { return b.Path == c.want }) {
				t.Errorf("%s is not inventoried as a binary", c.want)
			}
		})
	}
}

// A DLL in a tarball inside a release folder is inventoried under the
// tarball's path, as verify checks it, and the tarball's own problems
// (bytes after its gzip stream) are reported at the tarball's path in both.
func TestSBOMNestedTarball(t *testing.T) {
	t.Parallel()
	dll := versionedDLL(t, "1.0.0.0", "codec")
	dir := writeFolder(t, map[string][]byte{"vendor/lib.tar.gz": tgzBytes(t, map[string][]byte{"lib/x.dll": dll}, "hidden bytes")})
	inv, rep, got, want := sbomAndVerify(t, dir, "")
	if !slices.Contains(got, "vendor/lib.tar.gz/lib/x.dll") {
		t.Errorf("sbom lists %q, want vendor/lib.tar.gz/lib/x.dll among them", got)
	}
	if !slices.Equal(got, want) {
		t.Errorf("sbom lists %q, verify checks %q", got, want)
	}
	sf, vf := ruleFindings(inv.Findings, release.RuleTarTrailingData, ""), ruleFindings(rep.Findings, release.RuleTarTrailingData, "")
	if len(sf) == 0 || !slices.Equal(sf, vf) {
		t.Errorf("sbom reports %q, verify %q", sf, vf)
	}
}

// A tarball given to sbom reports its own problems at its file name, as
// verify does (not at the release's root, "").
func TestSBOMTarballProblemPath(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "app.tar.gz")
	if err := os.WriteFile(p, tgzBytes(t, map[string][]byte{"package/package.json": []byte(`{"name":"a","version":"1.0.0"}`)}, "hidden bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := openInv(t, p)
	rep, err := verify.Release(context.Background(), verify.Options{}, p)
	if err != nil {
		t.Fatal(err)
	}
	sf, vf := ruleFindings(inv.Findings, release.RuleTarTrailingData, ""), ruleFindings(rep.Findings, release.RuleTarTrailingData, "")
	if want := []string{string(release.RuleTarTrailingData) + " app.tar.gz"}; !slices.Equal(sf, want) || !slices.Equal(vf, want) {
		t.Errorf("sbom reports %q, verify %q, want %q", sf, vf, want)
	}
}

// A DLL changed inside a zip or tarball of a release folder, its version
// unchanged, is diff/changed-same-version at its nested path.
func TestDiffNestedArchiveChangedDLL(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"zip", "tgz"} {
		t.Run(kind, func(t *testing.T) {
			rel := func(code string) *Inventory {
				files := map[string][]byte{"lib/x.dll": versionedDLL(t, "1.0.0.0", code)}
				if kind == "zip" {
					return openInv(t, writeFolder(t, map[string][]byte{"outer/inner.zip": zipBytes(t, files)}))
				}
				return openInv(t, writeFolder(t, map[string][]byte{"outer/inner.tgz": tgzBytes(t, files, "")}))
			}
			want := "outer/inner." + kind + "/lib/x.dll"
			got := sameVersionPaths(Diff(rel("clean"), rel("clean with a payload")))
			if !slices.Contains(got, want) {
				t.Errorf("%s findings at %q, want %s among them", RuleChangedSameVersion, got, want)
			}
			if got := sameVersionPaths(Diff(rel("clean"), rel("clean"))); len(got) != 0 {
				t.Errorf("unchanged: %s findings at %q", RuleChangedSameVersion, got)
			}
		})
	}
}

// bombZip returns a zip whose one entry declares 1 TiB of content.
func bombZip(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "big.bin", Method: zip.Store, CompressedSize64: 4, UncompressedSize64: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("abcd"))
	zw.Close()
	return b.Bytes()
}

// Zips nested deeper than release.MaxDepth, and a zip declaring more than
// the expansion budget, are not inventoried: sbom reports each where
// verify does, with the same rule.
func TestAttackSBOMNestedArchiveBomb(t *testing.T) {
	t.Parallel()
	deep := zipBytes(t, map[string][]byte{"x.dll": versionedDLL(t, "1.0.0.0", "deep")})
	for range release.MaxDepth + 1 {
		deep = zipBytes(t, map[string][]byte{"in.zip": deep})
	}
	dir := writeFolder(t, map[string][]byte{"deep.zip": deep, "bomb/b.zip": bombZip(t), "bomb/nested.zip": zipBytes(t, map[string][]byte{"b.zip": bombZip(t)})})
	inv, rep, got, want := sbomAndVerify(t, dir, "")
	if !slices.Equal(got, want) {
		t.Errorf("sbom lists %q, verify checks %q", got, want)
	}
	sf, vf := ruleFindings(inv.Findings, release.RuleUnreadable, ""), ruleFindings(rep.Findings, release.RuleUnreadable, "")
	wantF := []string{
		string(release.RuleUnreadable) + " bomb/b.zip",
		string(release.RuleUnreadable) + " bomb/nested.zip/b.zip",
		string(release.RuleUnreadable) + " deep.zip/in.zip/in.zip/in.zip/in.zip",
	}
	if !slices.Equal(sf, wantF) || !slices.Equal(vf, wantF) {
		t.Errorf("sbom reports %q, verify %q, want %q", sf, vf, wantF)
	}
	for _, p := range got {
		if strings.HasSuffix(p, "big.bin") || strings.HasSuffix(p, "x.dll") {
			t.Errorf("%s inventoried past a limit", p)
		}
	}
}
