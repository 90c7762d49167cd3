package pkg

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// Attacks on the verifier: each test names the bytes an attacker controls
// and checks that they do not pass unseen.

// TestAttackNoChecksumAlgorithm: a header naming no checksum algorithm
// leaves nothing for the signature to sign.
func TestAttackNoChecksumAlgorithm(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	b[27] = 0
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:malformed apple-pkg-cms:malformed" || !strings.Contains(rules(res), string(RuleTOCChecksumMismatch)) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

// TestAttackChecksumStyleDisagrees: the header says SHA-1, the table
// names another algorithm for its checksum.
func TestAttackChecksumStyleDisagrees(t *testing.T) {
	t.Parallel()
	s := signedSpec(t)
	s.TweakTOC = func(x string) string {
		return strings.Replace(x, `<checksum style="sha1">`, `<checksum style="sha256">`, 1)
	}
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:invalid apple-pkg-cms:invalid" || !strings.Contains(rules(res), string(RuleTOCChecksumMismatch)) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

// TestAttackMD5Checksum: an MD5 table checksum can be collided, so the
// signatures do not bind the table.
func TestAttackMD5Checksum(t *testing.T) {
	t.Parallel()
	s := signedSpec(t)
	s.Hash, s.CMS = crypto.MD5, false
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:invalid" || !strings.Contains(rules(res), string(RuleWeakChecksum)) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

// TestAttackChecksumInsideFileData: the checksum's heap range pointed into
// a file's data, so one set of bytes is read as two things.
func TestAttackChecksumInsideFileData(t *testing.T) {
	t.Parallel()
	s := signedSpec(t)
	s.CMS = false
	_, lay := pkgfile.Build(s)
	s.TweakTOC = func(x string) string {
		return strings.Replace(x, "<offset>0</offset>\n   <size>20</size>", "<offset>"+itoa(lay.Data["a.pkg/Payload"])+"</offset>\n   <size>20</size>", 1)
	}
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	r := rules(res)
	if !strings.Contains(r, string(RuleHeapOverlap)) || !strings.Contains(r, string(RuleUnownedHeapData)) || statuses(res) != "apple-pkg:invalid" {
		t.Errorf("statuses %s, findings %s", statuses(res), r)
	}
}

// TestAttackExtraKeyInfoCertificate: a certificate nobody needs in
// KeyInfo is reported.
func TestAttackExtraKeyInfoCertificate(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.Chain, s.CMS = []*testpki.Cert{p.CA, p.OtherTeam}, false
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:valid" || rules(res) != string(RuleUnusedCertificate) {
		t.Errorf("statuses %s, findings %s", got, rules(res))
	}
}

// TestAttackHeapRangePastEnd: a file whose <length> runs past the end of
// the file, and a signature of absurd size.
func TestAttackHeapRangePastEnd(t *testing.T) {
	t.Parallel()
	for name, tweak := range map[string]func(string) string{
		"data length": func(x string) string {
			return strings.Replace(x, "<length>800</length>", "<length>9223372036854775807</length>", 1)
		},
		"signature size": func(x string) string {
			return strings.Replace(x, "<size>256</size>", "<size>9223372036854775000</size>", 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := signedSpec(t)
			s.CMS, s.TweakTOC = false, tweak
			b, _ := pkgfile.Build(s)
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{})
			var fe *FormatError
			if errors.As(err, &fe) {
				return // refused outright
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(rules(res), string(RuleMalformed)) || statuses(res) == "apple-pkg:valid" {
				t.Errorf("statuses %s, findings %s", statuses(res), rules(res))
			}
		})
	}
}

// TestAttackEntityExpansion: a DTD with entities is not expanded.
func TestAttackEntityExpansion(t *testing.T) {
	t.Parallel()
	s := signedSpec(t)
	s.TweakTOC = func(x string) string {
		x = strings.Replace(x, "<xar>", `<!DOCTYPE xar [<!ENTITY a "aaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xar>`, 1)
		return strings.Replace(x, "<name>Distribution</name>", "<name>&b;</name>", 1)
	}
	b, _ := pkgfile.Build(s)
	_, err := Verify(bytes.NewReader(b), int64(len(b)), Options{})
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("err = %v", err)
	}
}

// TestAttackDataAfterTOCStream: bytes after the table's zlib stream, inside
// its declared length, are reported.
func TestAttackDataAfterTOCStream(t *testing.T) {
	t.Parallel()
	b, lay := pkgfile.Build(pkgfile.Spec{Files: plainFiles()})
	out := append([]byte{}, b[:lay.HeapStart]...)
	out = append(out, "hidden"...)
	out = append(out, b[lay.HeapStart:]...)
	binary.BigEndian.PutUint64(out[8:], binary.BigEndian.Uint64(out[8:])+6)
	x, err := NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Problems) != 1 || x.Problems[0].Rule != RuleUnownedHeapData || x.Problems[0].Offset != lay.HeapStart {
		t.Errorf("problems %+v", x.Problems)
	}
}

// TestAttackHeaderPadding: non-zero bytes in a header longer than 28
// bytes (not a checksum name) are reported.
func TestAttackHeaderPadding(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(pkgfile.Spec{Files: plainFiles()})
	// A 32-byte header whose 4 extra bytes are not zero: the table now
	// starts 4 bytes later, so rebuild the file around it.
	out := append([]byte{}, b[:28]...)
	out[5] = 32
	out = append(out, 'e', 'v', 'i', 'l')
	out = append(out, b[28:]...)
	x, err := NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Problems) != 1 || x.Problems[0].Rule != RuleUnownedHeapData || x.Problems[0].Offset != 28 {
		t.Errorf("problems %+v", x.Problems)
	}
}

// TestAttackDirectoryWithData: bytes hung on a directory entry are bound
// by their checksum but never walked: reported.
func TestAttackDirectoryWithData(t *testing.T) {
	t.Parallel()
	b, lay := pkgfile.Build(pkgfile.Spec{Files: plainFiles()})
	off := lay.Data["a.pkg/PackageInfo"]
	b, _ = pkgfile.Build(pkgfile.Spec{Files: plainFiles(), TweakTOC: func(x string) string {
		// Move PackageInfo's <data> onto its parent directory a.pkg.
		i := strings.Index(x, "<name>PackageInfo</name>")
		j := strings.Index(x[i:], "<data>") + i
		k := strings.Index(x[j:], "</data>") + j + len("</data>")
		data := x[j:k]
		x = x[:j] + x[k:]
		return strings.Replace(x, "<type>directory</type>", "<type>directory</type>"+data, 1)
	}})
	res := verifyBytes(t, b, machofile.SignTime)
	if !strings.Contains(rules(res), string(RuleUnsupportedEntry)) {
		t.Errorf("findings %s (data at %d)", rules(res), off)
	}
}
