package verify

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/ticketfile"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

func notarizedPolicy(n Notarized, globs ...string) *Policy {
	return &Policy{Rules: []Rule{{Match: globs, RequireNotarized: n}}}
}

// TestPolicyRequireNotarizedParse: true means verified, false none; other
// values are refused with their line.
func TestPolicyRequireNotarizedParse(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Notarized{"true": NotarizedVerified, "false": NotarizedNone, "stapled": NotarizedStapled, "verified": NotarizedVerified, "none": NotarizedNone} {
		p, err := ParsePolicy([]byte("rules:\n  - match: [\"*.dmg\"]\n    requireNotarized: " + in + "\n"))
		if err != nil || p.Rules[0].RequireNotarized != want {
			t.Errorf("%s: %v %q", in, err, p.Rules[0].RequireNotarized)
		}
	}
	if _, err := ParsePolicy([]byte("rules:\n  - match: [\"*.dmg\"]\n    requireNotarized: yes-please\n")); err == nil || !strings.Contains(err.Error(), "requireNotarized") {
		t.Errorf("bad value: %v", err)
	}
}

// stapledDMG returns a signed image with ticket(its cdhashes) stapled.
func stapledDMG(t *testing.T, ticket func(...[]byte) []byte) []byte {
	t.Helper()
	f := getFixtures(t)
	img, lay := dmgfile.Build(dmgfile.Spec{})
	spec := dmgfile.SignSpec(f.apple, "com.example.dmg")
	_, sl, err := dmgfile.Sign(bytes.Clone(img), lay, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	var hs [][]byte
	for _, cd := range sl.Sign.CDs {
		hs = append(hs, cd.CDHash())
	}
	spec.ExtraBlobs = []machofile.ExtraBlob{{Slot: 0x10002, Data: ticketfile.BlobWrapper(ticket(hs...))}}
	out, _, err := dmgfile.Sign(img, lay, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func otherTicket(...[]byte) []byte { return ticketfile.Ticket(bytes.Repeat([]byte{0xee}, 20)) }

// gate runs the policy over one file and returns the policy/not-notarized
// messages about it.
func gate(t *testing.T, pol *Policy, name string, b []byte) (*Report, []string) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{name: b})
	r := run(t, Options{Policy: pol}, dir)
	var msgs []string
	for _, f := range r.Findings {
		if f.Rule == RuleNotNotarized && f.Path == name && f.Severity == signing.SeverityError {
			msgs = append(msgs, f.Message)
		}
	}
	return r, msgs
}

// TestRequireNotarizedDMG: "stapled" passes a disk image whose ticket names
// its cdhash and fails one without a ticket or with a ticket for other
// code; "verified" fails even the bound ticket, saying why.
func TestRequireNotarizedDMG(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	spec := dmgfile.SignSpec(f.apple, "com.example.dmg")
	unstapled := dmgFixture(t, &spec, nil)
	bound := stapledDMG(t, ticketfile.Ticket)
	for _, c := range []struct {
		name string
		b    []byte
		want Notarized
		fail string // substring of the policy/not-notarized message; "" passes
	}{
		{"bound, stapled", bound, NotarizedStapled, ""},
		{"bound, verified", bound, NotarizedVerified, "cannot be verified offline"},
		{"other code", stapledDMG(t, otherTicket), NotarizedStapled, "a ticket for other code"},
		{"not stapled", unstapled, NotarizedStapled, "no stapled notarization ticket"},
		{"not stapled, none", unstapled, NotarizedNone, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, msgs := gate(t, notarizedPolicy(c.want, "*.dmg"), "Example-1.4.0.dmg", c.b)
			if c.fail == "" {
				if len(msgs) != 0 {
					t.Errorf("failed: %v", msgs)
				}
				return
			}
			if r.Summary.Passed || len(msgs) != 1 || !strings.Contains(msgs[0], c.fail) {
				t.Errorf("passed %v, messages %v, want %q", r.Summary.Passed, msgs, c.fail)
			}
		})
	}
}

// TestRequireNotarizedPkg: a package's ticket names its table of contents
// checksum; its signatures carry the facts the policy reads.
func TestRequireNotarizedPkg(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	b, _ := pkgfile.Build(s)
	res, err := pkg.Verify(bytes.NewReader(b), int64(len(b)), pkg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	digest := res.Reader.TOCDigest()
	pol := notarizedPolicy(NotarizedStapled, "*.pkg")
	r, msgs := gate(t, pol, "Example-1.4.0.pkg", append(bytes.Clone(b), ticketfile.Staple(ticketfile.Ticket(digest))...))
	if len(msgs) != 0 {
		t.Errorf("bound ticket failed: %v", msgs)
	}
	if f := fileByPath(r, "Example-1.4.0.pkg"); f == nil || len(f.Signatures) != 2 || !f.Signatures[1].Notarization.Bound() {
		t.Errorf("package %+v", f)
	}
	if _, msgs := gate(t, pol, "Example-1.4.0.pkg", b); len(msgs) != 2 {
		t.Errorf("unstapled: %v, want one per signature", msgs)
	}
	if _, msgs := gate(t, pol, "Example-1.4.0.pkg", append(bytes.Clone(b), ticketfile.Staple(otherTicket())...)); len(msgs) != 2 || !strings.Contains(msgs[0], "other code") {
		t.Errorf("other ticket: %v", msgs)
	}
}

// TestRequireNotarizedBundle: the main executable of a bundle is bound by
// Contents/CodeResources; a framework's dylib cannot carry a ticket, so a
// rule matching it fails.
func TestRequireNotarizedBundle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeBundle(t, dir)
	pol := notarizedPolicy(NotarizedStapled, "**/Contents/MacOS/*")
	r := run(t, Options{Policy: pol}, dir)
	if !has(rulesFor(r, "Example.app/Contents/MacOS/Example"), "error "+string(RuleNotNotarized)) {
		t.Fatalf("unstapled bundle: %v", rulesFor(r, "Example.app/Contents/MacOS/Example"))
	}
	main := fileByPath(r, "Example.app/Contents/MacOS/Example")
	var tk []byte
	for _, h := range main.Signatures {
		if h.Notarization == nil || h.Notarization.Status != signing.NotarizationNotStapled {
			t.Fatalf("notarization %+v", h.Notarization)
		}
		for _, c := range h.Notarization.CDHashes {
			tk = append(tk, unhexT(t, c)...)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Example.app", "Contents", "CodeResources"), ticketfile.Raw(ticketfile.Chain(ticketfile.Leaf.Cert), append(tk, make([]byte, 64)...)), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, Options{Policy: pol}, dir)
	if got := rulesFor(r, "Example.app/Contents/MacOS/Example"); has(got, "error "+string(RuleNotNotarized)) {
		t.Errorf("stapled bundle: %v", got)
	}
	r = run(t, Options{Policy: notarizedPolicy(NotarizedStapled, "**/*.dylib")}, dir)
	n := 0
	for _, f := range r.Files {
		if strings.HasSuffix(f.Path, ".dylib") {
			n++
			if !has(rulesFor(r, f.Path), "error "+string(RuleNotNotarized)) {
				t.Errorf("%s: %v", f.Path, rulesFor(r, f.Path))
			}
		}
	}
	if n == 0 {
		t.Error("no dylib in the bundle")
	}
}

func unhexT(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
