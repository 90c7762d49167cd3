package codesign

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestRequirementUntrustedChainClaimsRoot: a chain that does not verify
// is what its signer claims (or the longest failing path through it): its
// last certificate can be a byte-for-byte copy of Apple's root that
// signed nothing. Terms about certificates other than the leaf are then
// undecided, not satisfied; the leaf, which made the signature, is still
// decided, and "or"/"and" still decide around them.
func TestRequirementUntrustedChainClaimsRoot(t *testing.T) {
	t.Parallel()
	ctx, p := evalCtx(t)
	ctx.chainTrusted = false
	rootSHA1 := sha1.Sum(p.Root.Cert.Raw)
	leafSHA1 := sha1.Sum(p.Leaf.Cert.Raw)
	root := `certificate root = H"` + hex.EncodeToString(rootSHA1[:]) + `"`
	sat, unsat, unknown := signing.RequirementSatisfied, signing.RequirementUnsatisfied, signing.RequirementUnknown
	for _, tc := range []struct {
		req  string
		want signing.RequirementResult
	}{
		{root, unknown},
		{`anchor = H"` + hex.EncodeToString(rootSHA1[:]) + `"`, unknown},
		{`certificate 1[field.1.2.840.113635.100.6.2.6]`, unknown},
		{`certificate 1[field.1.2.840.113635.100.6.2.6] absent`, unknown},
		{`certificate root[subject.CN] exists`, unknown},
		{`certificate 2[policy.1.2.3]`, unknown},
		{`certificate 9[subject.CN] absent`, unknown}, // past the claimed chain: the real one may be longer
		{`anchor apple generic`, unknown},
		{`anchor apple`, unknown},
		{`! ` + root, unknown},
		{root + ` or always`, sat},
		{root + ` and never`, unsat},
		{`certificate leaf = H"` + hex.EncodeToString(leafSHA1[:]) + `"`, sat},
		{`certificate leaf[subject.OU] = ` + machofile.TeamID, sat},
		{`certificate leaf[field.1.2.840.113635.100.6.1.13] exists`, sat},
		{`certificate leaf[subject.OU] = ABCDE12345`, unsat},
		{`identifier "com.example.app" and ` + root + ` and certificate leaf[subject.OU] = ` + machofile.TeamID, unknown},
	} {
		got, why := mustCompile(t, tc.req).evaluate(ctx)
		if got != tc.want {
			t.Errorf("%s: %s, want %s (%v)", tc.req, got, tc.want, why)
		}
	}
	// A lone untrusted leaf: "root" counts back from the anchor to the
	// leaf itself, which is not the anchor macOS would find.
	lone := &reqContext{identifier: "x", chain: []*x509.Certificate{p.Leaf.Cert}, appleRoot: ctx.appleRoot}
	if got, why := mustCompile(t, `certificate root = H"`+hex.EncodeToString(leafSHA1[:])+`"`).evaluate(lone); got != unknown {
		t.Errorf("lone leaf as root: %s (%v)", got, why)
	}
	// Ad-hoc code has no certificates at all: every slot is decided, false.
	adhoc := &reqContext{identifier: "x"}
	if got, _ := mustCompile(t, root).evaluate(adhoc); got != unsat {
		t.Errorf("ad-hoc root hash: %s", got)
	}
}

// TestRequirementPaddedOIDNamesNothing: a binary requirement may encode a
// certificate field's OID with a padding byte (0x80) inside an arc, which
// decodes to the same arcs; Apple compares the OID's bytes with the
// certificate's minimal DER, so it names no extension: "exists" is
// unsatisfied (where arc comparison said satisfied) and "absent"
// satisfied.
func TestRequirementPaddedOIDNamesNothing(t *testing.T) {
	t.Parallel()
	ctx, _ := evalCtx(t)
	minimal := []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x06, 0x02, 0x06} // 1.2.840.113635.100.6.2.6
	padded := []byte{0x2a, 0x80, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x06, 0x02, 0x06}
	for _, tc := range []struct {
		req  string
		want signing.RequirementResult
	}{
		{`certificate 1[field.1.2.840.113635.100.6.2.6] exists`, signing.RequirementUnsatisfied},
		{`certificate 1[field.1.2.840.113635.100.6.2.6] absent`, signing.RequirementSatisfied},
	} {
		r := mustCompile(t, tc.req)
		if got, _ := r.evaluate(ctx); got == tc.want {
			t.Fatalf("%s: the minimal encoding already gives %s", tc.req, got)
		}
		b, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(b, minimal)
		if i < 4 || binary.BigEndian.Uint32(b[i-4:]) != uint32(len(minimal)) {
			t.Fatalf("no OID operand in %x", b)
		}
		// 10 bytes were padded to 12: 11 still fit.
		binary.BigEndian.PutUint32(b[i-4:], uint32(len(padded)))
		copy(b[i:], padded)
		pr, err := ParseRequirement(b)
		if err != nil {
			t.Fatal(err)
		}
		if got, why := pr.evaluate(ctx); got != tc.want {
			t.Errorf("padded %s: %s, want %s (%v)", tc.req, got, tc.want, why)
		}
	}
}
