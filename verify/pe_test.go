package verify

import (
	"crypto"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// A blocklist entry naming a PE file's Authenticode image hash by MD5, SHA-1
// or SHA-256 hits the file, whatever digest its signature uses and when it
// has none.
func TestBlocklistAuthentihashAlgorithms(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	blob, err := pefile.Sign(f.peUnsigned, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}, Hash: crypto.SHA1})
	if err != nil {
		t.Fatal(err)
	}
	sha1Signed, err := pefile.Attach(f.peUnsigned, pefile.Entry(blob))
	if err != nil {
		t.Fatal(err)
	}
	files := []struct {
		name string
		data []byte
	}{{"signed-sha256.exe", f.peValid}, {"signed-sha1.exe", sha1Signed}, {"unsigned.exe", f.peUnsigned}}
	algs := []struct {
		name string
		h    crypto.Hash
	}{{"md5", crypto.MD5}, {"sha1", crypto.SHA1}, {"sha256", crypto.SHA256}}
	off := false
	for _, file := range files {
		for _, alg := range algs {
			t.Run(file.name+"/"+alg.name, func(t *testing.T) {
				dg, err := pefile.ImageDigest(file.data, alg.h)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				writeTree(t, dir, map[string][]byte{
					"release/" + file.name: file.data,
					"list.csv":             []byte("type,value\nauthentihash," + hex.EncodeToString(dg) + "\n"),
				})
				pol := &Policy{Blocklists: Blocklists{Builtin: &off, Files: []string{filepath.Join(dir, "list.csv")}}}
				r := run(t, Options{Policy: pol}, filepath.Join(dir, "release"))
				if got := rulesFor(r, file.name); !has(got, "error file/known-bad") {
					t.Errorf("findings %q, want file/known-bad", got)
				}
			})
		}
	}
}

// A signed PE cut short is damaged, never unsigned: the gate reports the
// broken certificate table, not policy/unsigned, under any policy.
func TestTruncatedSignedPEIsNotUnsigned(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	in, err := pefile.Parse(f.peValid)
	if err != nil {
		t.Fatal(err)
	}
	cuts := map[string]int{"at-table": int(in.CertOff), "in-pkcs7": int(in.CertOff) + 8 + 100, "last-byte": len(f.peValid) - 1}
	for name, cut := range cuts {
		for _, pol := range []*Policy{nil, requireValid()} {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"x.dll": f.peValid[:cut]})
			r := run(t, Options{Policy: pol}, dir)
			got := rulesFor(r, "x.dll")
			if r.Summary.Passed || !has(got, "error authenticode/cert-table-invalid") || strings.Contains(strings.Join(got, " "), "policy/unsigned") {
				t.Errorf("%s (policy %v): passed %v, findings %q; want cert-table-invalid and no policy/unsigned", name, pol != nil, r.Summary.Passed, got)
			}
			if fb := fileByPath(r, "x.dll"); fb == nil || len(fb.Signatures) == 0 || fb.Signatures[0].Status != signing.StatusMalformed && fb.Signatures[0].Status != signing.StatusInvalid {
				t.Errorf("%s: signatures %+v, want a damaged one", name, fb)
			}
		}
	}
}
