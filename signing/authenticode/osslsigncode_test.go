package authenticode

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

func needOsslsigncode(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("osslsigncode")
	if err != nil {
		t.Skip("osslsigncode not installed; skipping the cross-check")
	}
	return p
}

// osslEnv is the setup an osslsigncode cross-check shares: the tool, a
// test PKI and its trust store, and a temporary directory holding the
// leaf's chain (certs), its key and the root (ca) as files.
type osslEnv struct {
	t              *testing.T
	tool, dir      string
	p              *fixtures.PKI
	trust          *signing.TrustStore
	certs, key, ca string
}

// newOsslEnv skips t when osslsigncode is not installed; otherwise it
// makes a new PKI and writes its files into a fresh temporary directory.
func newOsslEnv(t *testing.T) *osslEnv {
	t.Helper()
	e := &osslEnv{t: t, tool: needOsslsigncode(t), dir: t.TempDir(), p: fixtures.NewPKI()}
	e.trust = scriptTrust(t, e.p)
	e.certs = e.write("certs.pem", e.p.Leaf.PEM(), e.p.Inter.PEM())
	e.key = e.write("leaf.key", e.p.Leaf.KeyPEM())
	e.ca = e.write("ca.pem", e.p.Root.PEM())
	return e
}

// path returns name's path in the directory.
func (e *osslEnv) path(name string) string { return filepath.Join(e.dir, name) }

// write joins b into the file name in the directory and returns its path.
func (e *osslEnv) write(name string, b ...[]byte) string {
	path := e.path(name)
	if err := os.WriteFile(path, bytes.Join(b, nil), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// sign has osslsigncode sign in with the leaf and SHA-256 (args come
// before -in) into the file out in the directory; it returns the signed
// bytes and out's path.
func (e *osslEnv) sign(t *testing.T, in, out string, args ...string) ([]byte, string) {
	t.Helper()
	out = e.path(out)
	cmd := append([]string{"sign", "-certs", e.certs, "-key", e.key, "-h", "sha256"}, args...)
	if b, err := exec.Command(e.tool, append(cmd, "-in", in, "-out", out)...).CombinedOutput(); err != nil {
		t.Fatalf("osslsigncode sign: %v\n%s", err, b)
	}
	signed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return signed, out
}

// verify runs osslsigncode verify on in against the root, CRLs not
// fetched (args come before -in); it returns the tool's output.
func (e *osslEnv) verify(in string, args ...string) (string, error) {
	cmd := append([]string{"verify", "-CAfile", e.ca, "-ignore-cdp"}, args...)
	b, err := exec.Command(e.tool, append(cmd, "-in", in)...).CombinedOutput()
	return string(b), err
}

var calculatedRE = regexp.MustCompile(`(?m)^Calculated message digest\s*:\s*([0-9A-Fa-f]+)`)

// osslDigests runs osslsigncode verify on path and returns every "Calculated
// message digest" it prints, lowercase.
func osslDigests(t *testing.T, tool, path string) []string {
	t.Helper()
	out, _ := exec.Command(tool, "verify", "-ignore-cdp", "-in", path).CombinedOutput()
	var ds []string
	for _, m := range calculatedRE.FindAllStringSubmatch(string(out), -1) {
		ds = append(ds, strings.ToLower(m[1]))
	}
	return ds
}

// TestOsslsigncodeDigests checks that our computed digest equals
// osslsigncode's "Calculated message digest" on every fixture it can read.
func TestOsslsigncodeDigests(t *testing.T) {
	t.Parallel()
	tool := needOsslsigncode(t)
	compared := 0
	fx := loadFixtures(t)
	// One osslsigncode process per fixture, run GOMAXPROCS at a time:
	// serially they were most of this package's wall time.
	wants := make([][]string, len(fx))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range fx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			wants[i] = osslDigests(t, tool, filepath.Join(fixtureDir, f.Name))
		}()
	}
	wg.Wait()
	for i, f := range fx {
		want := wants[i]
		if len(want) == 0 {
			t.Logf("%s: osslsigncode prints no digest (it rejects the file)", f.Name)
			continue
		}
		res := verifyBytes(t, f.Data, Options{})
		var got []string
		for _, s := range res.Signatures {
			if s.Digest != nil {
				got = append(got, s.Digest.Computed)
			}
		}
		compareDigests(t, f.Name, got, want)
		compared++
	}
	if compared < 20 {
		t.Errorf("only %d fixtures compared", compared)
	}
}

// compareDigests checks that every digest osslsigncode computes is one of
// ours. We may report more: osslsigncode does not recurse into the nested
// signatures of nested signatures.
func compareDigests(t *testing.T, name string, got, want []string) {
	t.Helper()
	rest := slices.Clone(got)
	for _, w := range want {
		k := slices.Index(rest, w)
		if k < 0 {
			t.Errorf("%s: osslsigncode computes %s, we computed %v", name, w, got)
			continue
		}
		rest = slices.Delete(rest, k, k+1)
	}
	if len(rest) > 0 && name != "nested-recursive.exe" {
		t.Errorf("%s: we report digests osslsigncode does not: %v", name, rest)
	}
}

// TestOsslsigncodeSigned signs files with osslsigncode using a testpki CA and
// checks that Verify accepts them with that root: plain, with page hashes,
// nested and with an RFC 3161 timestamp from osslsigncode's built-in TSA.
func TestOsslsigncodeSigned(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	tool, dir, p, trust, certs, key, write := e.tool, e.dir, e.p, e.trust, e.certs, e.key, e.write
	withRoot := write("certs-root.pem", p.Leaf.PEM(), p.Inter.PEM(), p.Root.PEM())
	cross := write("cross.pem", p.OtherRoot.PEM())
	tsaCerts := write("tsa.pem", p.TSA.PEM(), p.Root.PEM())
	tsaKey := write("tsa.key", p.TSA.KeyPEM())
	odd := write("odd.exe", fixtures.Odd())
	base := write("base.exe", fixtures.Base())
	at := fmt.Sprint(fixtures.Now.AddDate(0, -1, 0).Unix())
	run := func(t *testing.T, args ...string) {
		t.Helper()
		if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
			t.Fatalf("osslsigncode %v: %v\n%s", args, err, out)
		}
	}
	sign := []string{"sign", "-certs", certs, "-key", key}
	cases := []struct {
		name      string
		args      []string
		sigs      int
		pages     bool
		timestamp bool
	}{
		{"sha256", append(sign, "-h", "sha256", "-n", "shipgate", "-in", base), 1, false, false},
		{"sha1", append(sign, "-h", "sha1", "-in", base), 1, false, false},
		{"sha512-odd", append(sign, "-h", "sha512", "-in", odd), 1, false, false},
		{"pagehash", append(sign, "-h", "sha256", "-ph", "-in", base), 1, true, false},
		{"timestamp", append(sign, "-h", "sha256", "-TSA-certs", tsaCerts, "-TSA-key", tsaKey, "-TSA-time", at, "-in", base), 1, false, true},
		{"timestamp-with-root", []string{"sign", "-certs", withRoot, "-key", key, "-h", "sha256", "-TSA-certs", tsaCerts, "-TSA-key", tsaKey, "-TSA-time", at, "-in", base}, 1, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".exe")
			run(t, append(c.args, "-out", out)...)
			res, err := Open(out, Options{Trust: trust, Time: fixtures.Now})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != signing.StatusValid || len(res.Signatures) != c.sigs {
				t.Fatalf("status %s with %d signatures; checks %+v; findings %+v", res.Status, len(res.Signatures), res.Signatures, res.Findings)
			}
			if got := res.Details[0].PageHashes != nil && res.Details[0].PageHashes.Match; got != c.pages {
				t.Errorf("page hashes checked = %v, want %v", got, c.pages)
			}
			if got := res.Signatures[0].Timestamp != nil && res.Signatures[0].Timestamp.Verified; got != c.timestamp {
				t.Errorf("timestamp verified = %v, want %v (%+v)", got, c.timestamp, res.Signatures[0].Timestamp)
			}
			// Every byte of osslsigncode's PKCS#7 (a root beside the chain and
			// the timestamp token's certificates included) is owned.
			for _, f := range res.Findings {
				if f.Rule == RuleUnownedSignatureData || f.Rule == RuleUnusedCertificate {
					t.Errorf("finding on osslsigncode output: %+v", f)
				}
			}
		})
	}
	// A cross certificate osslsigncode adds with -ac is on no chain: a
	// warning that leaves the signature valid.
	t.Run("cross-certificate", func(t *testing.T) {
		out := filepath.Join(dir, "cross.exe")
		run(t, append(append([]string(nil), sign...), "-h", "sha256", "-ac", cross, "-in", base, "-out", out)...)
		res, err := Open(out, Options{Trust: trust, Time: fixtures.Now})
		if err != nil {
			t.Fatal(err)
		}
		var got []signing.Finding
		for _, f := range res.Findings {
			if f.Rule == RuleUnusedCertificate {
				got = append(got, f)
			}
		}
		if res.Status != signing.StatusValid || len(got) != 1 || got[0].Severity != signing.SeverityWarning || !strings.Contains(got[0].Message, "Unknown Root CA") {
			t.Fatalf("status %s, unused-certificate findings %+v", res.Status, got)
		}
	})
	// Nest a SHA-1 signature onto the page-hashed file, then a third.
	t.Run("nested", func(t *testing.T) {
		in := filepath.Join(dir, "pagehash.exe")
		n1 := filepath.Join(dir, "nested1.exe")
		n2 := filepath.Join(dir, "nested2.exe")
		run(t, append(sign, "-nest", "-h", "sha1", "-in", in, "-out", n1)...)
		run(t, append(sign, "-nest", "-h", "sha384", "-in", n1, "-out", n2)...)
		res, err := Open(n2, Options{Trust: trust, Time: fixtures.Now})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != signing.StatusValid || len(res.Signatures) != 3 {
			t.Fatalf("status %s with %d signatures; findings %+v", res.Status, len(res.Signatures), res.Findings)
		}
		if want := osslDigests(t, tool, n2); len(want) != 3 {
			t.Errorf("osslsigncode sees %d signatures", len(want))
		}
	})
	// A file signed by osslsigncode and then stuffed 3CX-style still passes
	// osslsigncode; we must not pass it.
	t.Run("stuffed", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, "sha256.exe"))
		if err != nil {
			t.Fatal(err)
		}
		stuffed, err := fixtures.StuffEntry(b, bytes.Repeat([]byte{0xfe, 0xed, 0xfa, 0xce}, 64))
		if err != nil {
			t.Fatal(err)
		}
		path := write("stuffed.exe", stuffed)
		osslOut, osslErr := e.verify(path)
		t.Logf("osslsigncode on the stuffed file: err=%v, succeeded=%v", osslErr, strings.Contains(osslOut, "Succeeded"))
		res := verifyBytes(t, stuffed, Options{Trust: trust, Time: fixtures.Now})
		if res.Status != signing.StatusInvalid {
			t.Errorf("stuffed file: status %s, want invalid", res.Status)
		}
	})
}
