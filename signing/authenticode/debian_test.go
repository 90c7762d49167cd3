package authenticode

import (
	"crypto/x509"
	"debug/pe"
	"encoding/asn1"
	"encoding/binary"
	"encoding/pem"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// debianEFIEnv names the directory testdata/debian/fetch.sh filled with
// Debian 12's signed EFI binaries.
const debianEFIEnv = "SHIPGATE_DEBIAN_EFI"

// debianVendorCA extracts the certificate shim trusts for Debian's own
// binaries from the .vendor_cert section of shimx64.efi: a struct of four
// little-endian uint32s (authorized size, deauthorized size, authorized
// offset, deauthorized offset, offsets from the section start) and the DER
// certificate (shim's cert.S).
func debianVendorCA(t *testing.T, shim string) *x509.Certificate {
	t.Helper()
	f, err := pe.Open(shim)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(".vendor_cert")
	if s == nil {
		t.Fatalf("%s has no .vendor_cert section", shim)
	}
	d, err := s.Data()
	if err != nil || len(d) < 16 {
		t.Fatalf("%s: .vendor_cert: %v", shim, err)
	}
	size, off := binary.LittleEndian.Uint32(d[0:]), binary.LittleEndian.Uint32(d[8:])
	if uint64(off)+uint64(size) > uint64(len(d)) {
		t.Fatalf("%s: .vendor_cert certificate [%d, +%d) outside the section", shim, off, size)
	}
	c, err := x509.ParseCertificate(d[off : off+size])
	if err != nil {
		t.Fatalf("%s: vendor certificate: %v", shim, err)
	}
	return c
}

// TestDebianSecureBoot cross-checks Verify against the real signed EFI
// binaries of Debian 12 (fetched by testdata/debian/fetch.sh into the
// directory $SHIPGATE_DEBIAN_EFI): with the Debian Secure Boot CA, taken from
// shim's .vendor_cert section, as the only root, GRUB, MokManager, fallback,
// fwupd and the kernel are valid (the CA's critical Netscape certificate type
// extension is understood), fwupd with the nonstandard-indirect-data-type
// warning; shim, signed by Microsoft, is intact. osslsigncode and sbverify,
// when installed, must agree.
func TestDebianSecureBoot(t *testing.T) {
	t.Parallel()
	dir := os.Getenv(debianEFIEnv)
	if dir == "" {
		t.Skipf("%s is not set: run testdata/debian/fetch.sh DIR and set %s=DIR to cross-check Debian's signed EFI binaries", debianEFIEnv, debianEFIEnv)
	}
	var files []string
	shim := ""
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if !d.Type().IsRegular() || !(strings.HasSuffix(name, ".efi.signed") || strings.HasPrefix(name, "vmlinuz-")) {
			return nil
		}
		if name == "shimx64.efi.signed" {
			shim = p
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	if shim == "" {
		t.Fatalf("%s=%s holds no shimx64.efi.signed; run testdata/debian/fetch.sh", debianEFIEnv, dir)
	}
	ca := debianVendorCA(t, shim)
	if ca.Subject.CommonName != "Debian Secure Boot CA" {
		t.Fatalf("vendor certificate is %q, want the Debian Secure Boot CA", ca.Subject)
	}
	if !slices.ContainsFunc(ca.UnhandledCriticalExtensions, oidNetscapeCertTypeTest.Equal) {
		t.Errorf("the Debian CA no longer carries a critical Netscape certificate type; the case this test guards is gone")
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
	caFile := filepath.Join(t.TempDir(), "debian-ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{caPEM}})
	if err != nil {
		t.Fatal(err)
	}
	ossl, _ := exec.LookPath("osslsigncode")
	sbverify, _ := exec.LookPath("sbverify")
	seen := map[string]bool{}
	for _, p := range files {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			// Debian's signatures carry no timestamp: the chain is checked now.
			res, err := Open(p, Options{Trust: trust})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res.Signatures {
				if s.Digest == nil || !s.Digest.Match() {
					t.Errorf("signature %d: digest %+v does not match", s.Index, s.Digest)
				}
			}
			if p == shim {
				// Signed by Microsoft's UEFI CA, which is not a root here.
				for _, f := range res.Findings {
					if f.Severity == signing.SeverityError && f.Rule != RuleUntrustedChain {
						t.Errorf("shim: finding %s: %s", f.Rule, f.Message)
					}
				}
				return
			}
			seen[strings.SplitN(name, "-", 2)[0]] = true
			if res.Status != signing.StatusValid {
				t.Errorf("status %s, want valid; findings %v", res.Status, res.Findings)
			}
			var rules []string
			for _, f := range res.Findings {
				rules = append(rules, string(f.Rule))
			}
			var want []string
			if strings.HasPrefix(name, "fwupd") {
				want = []string{string(RuleNonstandardIndirectDataType)}
			}
			if !slices.Equal(rules, want) {
				t.Errorf("rules %q, want %q", rules, want)
			}
			if ossl != "" {
				out, err := exec.Command(ossl, "verify", "-ignore-cdp", "-CAfile", caFile, "-in", p).CombinedOutput()
				if err != nil || !strings.Contains(string(out), "Succeeded") {
					t.Errorf("osslsigncode verify: %v\n%s", err, out)
				}
				m := calculatedRE.FindStringSubmatch(string(out))
				if m == nil || res.Signatures[0].Digest == nil || strings.ToLower(m[1]) != res.Signatures[0].Digest.Computed {
					t.Errorf("osslsigncode's calculated digest %v differs from ours %+v", m, res.Signatures[0].Digest)
				}
			}
			if sbverify != "" {
				if out, err := exec.Command(sbverify, "--cert", caFile, p).CombinedOutput(); err != nil {
					t.Errorf("sbverify: %v\n%s", err, out)
				}
			}
		})
	}
	for _, k := range []string{"grubx64.efi.signed", "mmx64.efi.signed", "fbx64.efi.signed", "fwupdx64.efi.signed"} {
		if !seen[k] {
			t.Errorf("%s=%s holds no %s; run testdata/debian/fetch.sh", debianEFIEnv, dir, k)
		}
	}
	if !seen["vmlinuz"] {
		t.Logf("no signed kernel (fetch.sh was run with SHIPGATE_DEBIAN_KERNEL=none?)")
	}
}

// oidNetscapeCertTypeTest is the Netscape certificate type extension.
var oidNetscapeCertTypeTest = asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 1, 1}
