package git

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackArtifactSetuidMatchesTree: a release tarball whose bin/tool is
// byte for byte the tagged blob but has the set-user-ID bit (mode 04755),
// and a file capability set by pax record, and whose lib/helper.sh is
// executable and writable by everyone: extracted as root, the first two
// run with root's powers whoever starts them, and any local user can
// replace the third. git-audit --artifact compared the bytes only and
// counted all three as matched; it now reports them as verify does
// (file/setuid, file/world-writable), under artifactAllow too. A release
// folder with the same modes on disk is reported the same way.
func TestAttackArtifactSetuidMatchesTree(t *testing.T) {
	t.Parallel()
	tr := newTestRepo(t)
	files := map[string]string{"bin/tool": "#!/bin/sh\necho tool\n", "bin/cap": "#!/bin/sh\necho cap\n", "lib/helper.sh": "#!/bin/sh\n", "README": "r\n"}
	c := tr.commit(commitSpec{files: files})
	tr.tag("v1", c, nil)
	tr.head(c)

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	modes := map[string]int64{"README": 0o644, "bin/tool": 0o4755, "bin/cap": 0o755, "lib/helper.sh": 0o777}
	for _, name := range []string{"README", "bin/cap", "bin/tool", "lib/helper.sh"} {
		h := &tar.Header{Name: "pkg-1/" + name, Typeflag: tar.TypeReg, Mode: modes[name], Size: int64(len(files[name])), Format: tar.FormatPAX}
		if name == "bin/cap" {
			h.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": "\x01\x00\x00\x02\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(files[name]))
	}
	tw.Close()
	tarPath := filepath.Join(t.TempDir(), "pkg-1.tar")
	if err := os.WriteFile(tarPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, allow := range [][]string{nil, {"bin/**", "lib/**"}} {
		res, err := Audit(t.Context(), tr.dir, Options{Until: "v1", ArtifactPath: tarPath, Policy: &Policy{ArtifactAllow: allow}})
		if err != nil {
			t.Fatal(err)
		}
		wantPerm(t, res, release.RuleSetuid, "bin/tool")
		wantPerm(t, res, release.RuleSetuid, "bin/cap")
		wantPerm(t, res, release.RuleWorldWritable, "lib/helper.sh")
		for _, f := range res.Findings {
			if f.Path == "README" {
				t.Errorf("README reported: %v", f)
			}
		}
	}

	// The same modes in a release given as a file system.
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body), Mode: os.FileMode(modes[name] & 0o777)}
	}
	fsys["bin/tool"].Mode |= os.ModeSetuid
	res, err := Audit(t.Context(), tr.dir, Options{Until: "v1", Artifact: fsys})
	if err != nil {
		t.Fatal(err)
	}
	wantPerm(t, res, release.RuleSetuid, "bin/tool")
	wantPerm(t, res, release.RuleWorldWritable, "lib/helper.sh")
	if res.Artifact.Matched != 2 {
		t.Errorf("matched %d, want 2 (README, bin/cap)", res.Artifact.Matched)
	}
}

func wantPerm(t *testing.T, res *Result, rule signing.Rule, path string) {
	t.Helper()
	for _, f := range res.Findings {
		if f.Rule == rule && f.Path == path {
			return
		}
	}
	t.Errorf("no %s finding for %s; findings: %v", rule, path, res.Findings)
}
