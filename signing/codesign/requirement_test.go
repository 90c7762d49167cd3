package codesign

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// reqSet wraps requirement blobs into a Requirements blob, by type.
func reqSet(t testing.TB, reqs map[uint32]*Requirement) []byte {
	t.Helper()
	var types []uint32
	for typ := range reqs {
		types = append(types, typ)
	}
	for i := range types { // tiny insertion sort: deterministic order
		for j := i; j > 0 && types[j] < types[j-1]; j-- {
			types[j], types[j-1] = types[j-1], types[j]
		}
	}
	hdr := 12 + 8*len(types)
	out := make([]byte, hdr)
	binary.BigEndian.PutUint32(out, magicRequirements)
	binary.BigEndian.PutUint32(out[8:], uint32(len(types)))
	for i, typ := range types {
		b, err := reqs[typ].MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		binary.BigEndian.PutUint32(out[12+8*i:], typ)
		binary.BigEndian.PutUint32(out[16+8*i:], uint32(len(out)))
		out = append(out, b...)
	}
	binary.BigEndian.PutUint32(out[4:], uint32(len(out)))
	return out
}

func mustCompile(t testing.TB, text string) *Requirement {
	t.Helper()
	r, err := CompileRequirement(text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return r
}

// TestRequirementRoundTrip compiles each operator's text form, checks the
// printed form, and that the binary form parses back to the same bytes and
// text.
func TestRequirementRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`always`, `always`},
		{`true`, `always`},
		{`never`, `never`},
		{`identifier "com.example.app"`, `identifier "com.example.app"`},
		{`identifier Example`, `identifier Example`},
		{`identifier "and"`, `identifier "and"`},
		{`anchor apple`, `anchor apple`},
		{`anchor apple generic`, `anchor apple generic`},
		{`anchor = H"0123456789abcdef0123456789abcdef01234567"`, `certificate root = H"0123456789abcdef0123456789abcdef01234567"`},
		{`certificate 1 = H"0123456789abcdef0123456789abcdef01234567"`, `certificate 1 = H"0123456789abcdef0123456789abcdef01234567"`},
		{`info[CFBundleVersion] >= 2`, `info[CFBundleVersion] >= "2"`},
		{`info[CFBundleShortVersionString] < "1.10"`, `info[CFBundleShortVersionString] < "1.10"`},
		{`info[A] <= B`, `info[A] <= B`},
		{`info[A] > B`, `info[A] > B`},
		{`identifier a and identifier b`, `identifier a and identifier b`},
		{`identifier a or identifier b and identifier c`, `identifier a or identifier b and identifier c`},
		{`(identifier a or identifier b) and identifier c`, `(identifier a or identifier b) and identifier c`},
		{`! (identifier a and identifier b)`, `! (identifier a and identifier b)`},
		{`!identifier a`, `! identifier a`},
		{`cdhash H"00112233445566778899aabbccddeeff00112233"`, `cdhash H"00112233445566778899aabbccddeeff00112233"`},
		{`info[CFBundleName] exists`, `info[CFBundleName] /* exists */`},
		{`info[CFBundleName] absent`, `info[CFBundleName] absent `},
		{`entitlement["com.apple.security.app-sandbox"] = "yes"`, `entitlement["com.apple.security.app-sandbox"] = yes`},
		{`certificate leaf[subject.OU] = "ABCDE12345"`, `certificate leaf[subject.OU] = ABCDE12345`},
		{`certificate leaf[subject.OU] = "9JA89QQLNQ"`, `certificate leaf[subject.OU] = "9JA89QQLNQ"`},
		{`certificate leaf[subject.CN] = "Developer ID Application: Example"*`, `certificate leaf[subject.CN] = "Developer ID Application: Example"*`},
		{`certificate leaf[subject.CN] = "literal*"`, `certificate leaf[subject.CN] = "literal*"`},
		{`certificate leaf[subject.CN] = *"(X)"`, `certificate leaf[subject.CN] = *"(X)"`},
		{`certificate leaf[subject.CN] = *Corp*`, `certificate leaf[subject.CN] ~ Corp`},
		{`certificate leaf[subject.CN] ~ Corp`, `certificate leaf[subject.CN] ~ Corp`},
		{`certificate leaf trusted`, `certificate leaf trusted`},
		{`anchor trusted`, `anchor trusted`},
		{`certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */`, `certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */`},
		{`certificate leaf[field.1.2.840.113635.100.6.1.13]`, `certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */`},
		{`certificate leaf[policy.1.2.840.113635.100.5.1] exists`, `certificate leaf[policy.1.2.840.113635.100.5.1] /* exists */`},
		{`anchor apple SpecialName`, `anchor apple SpecialName`},
		{`platform = 1`, `platform = 1`},
		{`notarized`, `notarized`},
		{`legacy`, `legacy`},
		{`info[X] = 0x00ff`, `info[X] = 0x00ff`},
		{"identifier 0x636166c3a9", `identifier 0x636166c3a9`},
		{`identifier "a\"b\\c"`, `identifier "a\"b\\c"`}, // UTF-8 prints as hex in the C locale
		// The shape of a real Developer ID application's requirement: an
		// or inside an and-chain keeps its parentheses, the and-chain
		// inside the or needs none.
		{`anchor apple generic and identifier "com.google.Chrome" and (certificate leaf[field.1.2.840.113635.100.6.1.9] /* exists */ or certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = EQHXZ8M8AV)`,
			`anchor apple generic and identifier "com.google.Chrome" and (certificate leaf[field.1.2.840.113635.100.6.1.9] /* exists */ or certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = EQHXZ8M8AV)`},
		{`designated => identifier "com.example.app" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ABCDE12345`,
			`identifier "com.example.app" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ABCDE12345`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			r := mustCompile(t, tc.in)
			if got := r.String(); got != tc.want {
				t.Fatalf("String() = %q, want %q", got, tc.want)
			}
			b, err := r.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseRequirement(b)
			if err != nil {
				t.Fatalf("ParseRequirement: %v", err)
			}
			if back.String() != tc.want {
				t.Errorf("parsed back: %q", back.String())
			}
			b2, _ := back.MarshalBinary()
			if !bytes.Equal(b, b2) {
				t.Errorf("binary differs after a round trip:\n%x\n%x", b, b2)
			}
			// The printed form compiles to the same bytes (the printer's
			// output is valid input).
			again := mustCompile(t, tc.want)
			if b3, _ := again.MarshalBinary(); !bytes.Equal(b, b3) {
				t.Errorf("printed form compiles differently:\n%x\n%x", b, b3)
			}
		})
	}
}

// TestRequirementBytes checks the encoding against a hand-assembled blob
// (requirement.h: opcodes and data as big-endian words, data padded to 4
// bytes, and-chains nested to the left as csreq builds them).
func TestRequirementBytes(t *testing.T) {
	t.Parallel()
	w := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = binary.BigEndian.AppendUint32(b, x)
		}
		return b
	}
	var want []byte
	want = append(want, w(magicRequirement, 0, 1)...)
	want = append(want, w(opAnd, opIdent, 7)...)
	want = append(want, "foo.bar\x00"...)
	want = append(want, w(opCertField, 0, 10)...)
	want = append(want, "subject.OU\x00\x00"...)
	want = append(want, w(matchEqual, 5)...)
	want = append(want, "ABCDE\x00\x00\x00"...)
	binary.BigEndian.PutUint32(want[4:], uint32(len(want)))
	b, err := mustCompile(t, `identifier "foo.bar" and certificate leaf[subject.OU] = ABCDE`).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("got  %x\nwant %x", b, want)
	}
	// OID content octets: 1.2.840.113635.100.6.2.6 is 2a864886f763640602 06.
	r := mustCompile(t, `certificate 1[field.1.2.840.113635.100.6.2.6]`)
	b, _ = r.MarshalBinary()
	if !bytes.Contains(b, []byte{0, 0, 0, 10, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x06, 0x02, 0x06, 0, 0}) {
		t.Errorf("OID not encoded as DER content octets: %x", b)
	}
}

// TestRequirementUnknownOpcodes: opcodes from later releases with a size
// are skipped (generic-skip) or false (generic-false); without a size they
// are errors.
func TestRequirementUnknownOpcodes(t *testing.T) {
	t.Parallel()
	blob := func(expr ...uint32) []byte {
		b := binary.BigEndian.AppendUint32(nil, magicRequirement)
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, 1)
		for _, x := range expr {
			b = binary.BigEndian.AppendUint32(b, x)
		}
		binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
		return b
	}
	ctx := &reqContext{identifier: "x"}
	skip, err := ParseRequirement(blob(opGenericSkip|99, 4, 0xdeadbeef, opTrue))
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := skip.evaluate(ctx); res != signing.RequirementSatisfied {
		t.Errorf("generic-skip then always: %s", res)
	}
	fals, err := ParseRequirement(blob(opGenericFalse|99, 0))
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := fals.evaluate(ctx); res != signing.RequirementUnsatisfied {
		t.Errorf("generic-false: %s", res)
	}
	if _, err := ParseRequirement(blob(99)); err == nil {
		t.Error("an unknown opcode without a size parsed")
	}
	if _, err := ParseRequirement(blob(opTrue, 7)); err == nil {
		t.Error("a requirement with data after its expression parsed")
	}
}

// TestRequirementHostile: deep nesting, huge lengths, truncation and too
// many operators give errors, not panics or unbounded work.
func TestRequirementHostile(t *testing.T) {
	t.Parallel()
	wrap := func(expr []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, magicRequirement)
		b = binary.BigEndian.AppendUint32(b, uint32(12+len(expr)))
		b = binary.BigEndian.AppendUint32(b, 1)
		return append(b, expr...)
	}
	words := func(n int, v uint32, tail ...uint32) []byte {
		var b []byte
		for range n {
			b = binary.BigEndian.AppendUint32(b, v)
		}
		for _, x := range tail {
			b = binary.BigEndian.AppendUint32(b, x)
		}
		return b
	}
	good, _ := mustCompile(t, `identifier "com.example.app" and anchor apple generic`).MarshalBinary()
	for name, b := range map[string][]byte{
		"deep not":         wrap(words(5000, opNot, opTrue)),
		"deep and":         wrap(words(5000, opAnd, opTrue)),
		"many ops":         wrap(append(words(maxReqOps, opAnd), words(maxReqOps+1, opTrue)...)),
		"huge data length": wrap(words(1, opIdent, 0xfffffff0)),
		"length past end":  wrap(words(1, opIdent, 16, 0x41414141)),
		"truncated match":  wrap(words(1, opInfoKeyField, 1, 0x41000000)),
		"truncated date":   wrap(words(1, opInfoKeyField, 1, 0x41000000, matchBefore, 0)),
		"truncated slot":   wrap(words(1, opCertField)),
		"bad OID":          wrap(words(1, opCertGeneric, 0, 1, 0x80000000, matchExists)),
		"empty":            wrap(nil),
		"blob too short":   good[:8],
		"blob length lies": append(append([]byte{}, good[:4]...), 0xff, 0xff, 0xff, 0xff),
		"wrong kind":       append(append(append([]byte{}, good[:8]...), 0, 0, 0, 3), good[12:]...),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseRequirement(b)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FormatError", err)
			}
			if fe.Offset < 0 || fe.Offset > int64(len(b)) {
				t.Errorf("offset %d outside the %d-byte blob", fe.Offset, len(b))
			}
		})
	}
	for _, cut := range []int{0, 1, 11, 12, 13, len(good) - 1} {
		if _, err := ParseRequirement(good[:cut]); err == nil {
			t.Errorf("blob cut to %d bytes parsed", cut)
		}
	}
	// A Requirements set whose entry offsets and lengths lie.
	set := reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, "always")})
	for name, mutate := range map[string]func(b []byte){
		"count huge":   func(b []byte) { binary.BigEndian.PutUint32(b[8:], 0x10000000) },
		"offset huge":  func(b []byte) { binary.BigEndian.PutUint32(b[16:], 0xfffffff0) },
		"offset index": func(b []byte) { binary.BigEndian.PutUint32(b[16:], 4) },
		"inner length": func(b []byte) { binary.BigEndian.PutUint32(b[24:], 0xfffffff0) },
	} {
		b := append([]byte(nil), set...)
		mutate(b)
		s, err := parseRequirementSet(b)
		if err == nil && (s.find(reqTypeDesignated) == nil || s.find(reqTypeDesignated).err == nil) {
			t.Errorf("%s: a lying requirements set parsed cleanly", name)
		}
	}
	// Deep nesting in the text form.
	if _, err := CompileRequirement(strings.Repeat("(", 3000) + "always" + strings.Repeat(")", 3000)); err == nil {
		t.Error("3000 nested parentheses compiled")
	}
	if _, err := CompileRequirement(strings.Repeat("! ", 3000) + "always"); err == nil {
		t.Error("3000 nested ! compiled")
	}
}

// TestCompileRequirementErrors: text the compiler refuses, with the byte
// offset of the problem.
func TestCompileRequirementErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in  string
		off int64
	}{
		{`identifier`, 10},
		{`anchor apple generic and`, 24},
		{`certificate leaf[subject.OU] = `, 31},
		{`certificate leaf[timestamp.1.2.3] < timestamp "2020"`, 17},
		{`certificate banana[subject.OU]`, 12},
		{`identifier "unterminated`, 11},
		{`(always`, 7},
		{`always always`, 7},
		{`cdhash H"zz"`, 7},
		{`info[x] @ 3`, 8},
		{`certificate leaf[field.99.1]`, 17},
	} {
		_, err := CompileRequirement(tc.in)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%q: err = %v, want a *FormatError", tc.in, err)
			continue
		}
		if fe.Offset != tc.off {
			t.Errorf("%q: offset %d, want %d (%v)", tc.in, fe.Offset, tc.off, err)
		}
	}
}

// evalCtx is a context with the fixture PKI's Developer ID chain, whose
// root stands in for Apple's.
func evalCtx(t testing.TB) (*reqContext, *machofile.PKI) {
	p := machofile.NewPKI()
	chain := []*x509.Certificate{p.Leaf.Cert, p.CA.Cert, p.Root.Cert}
	root := p.Root.Cert
	return &reqContext{
		identifier:   "com.example.app",
		cdhash:       bytes.Repeat([]byte{0xab}, 20),
		chain:        chain,
		chainTrusted: true,
		info:         map[string]any{"CFBundleIdentifier": "com.example.app", "CFBundleVersion": "1.10", "LSUIElement": false, "Tags": []any{"a", "b"}},
		infoKnown:    true,
		ents:         map[string]any{"com.apple.security.cs.allow-jit": true},
		entsKnown:    true,
		appleRoot:    func(c *x509.Certificate) bool { return bytes.Equal(c.Raw, root.Raw) },
	}, p
}

// TestRequirementEvaluate: each operator decides true or false against the
// facts, and terms that cannot be decided offline are unknown.
func TestRequirementEvaluate(t *testing.T) {
	t.Parallel()
	ctx, p := evalCtx(t)
	rootSHA1 := sha1.Sum(p.Root.Cert.Raw)
	leafSHA1 := sha1.Sum(p.Leaf.Cert.Raw)
	team := machofile.TeamID
	sat, unsat, unknown := signing.RequirementSatisfied, signing.RequirementUnsatisfied, signing.RequirementUnknown
	for _, tc := range []struct {
		req  string
		want signing.RequirementResult
	}{
		{`always`, sat},
		{`never`, unsat},
		{`identifier "com.example.app"`, sat},
		{`identifier "com.example.other"`, unsat},
		{`anchor apple generic`, sat},
		{`anchor apple`, unsat}, // the CA is no Apple Code Signing CA
		{`certificate root = H"` + hex.EncodeToString(rootSHA1[:]) + `"`, sat},
		{`anchor = H"` + hex.EncodeToString(leafSHA1[:]) + `"`, unsat},
		{`certificate leaf = H"` + hex.EncodeToString(leafSHA1[:]) + `"`, sat},
		{`certificate 5 = H"` + hex.EncodeToString(leafSHA1[:]) + `"`, unsat},
		{`cdhash H"abababababababababababababababababababab"`, sat},
		{`cdhash H"abababababababababababababababababababac"`, unsat},
		{`certificate leaf[subject.OU] = ` + team, sat},
		{`certificate leaf[subject.OU] = ABCDE12345`, unsat},
		{`certificate leaf[subject.OU] absent`, unsat},
		{`certificate leaf[subject.STREET] absent`, unsat}, // Apple: a missing DN field fails whatever the match
		{`certificate leaf[subject.CN] = "Developer ID Application: "*`, sat},
		{`certificate leaf[subject.CN] = *"(` + team + `)"`, sat},
		{`certificate leaf[subject.CN] ~ Example`, sat},
		{`certificate leaf[subject.CN] ~ Mallory`, unsat},
		{`certificate leaf[bogus.field] exists`, unsat},
		{`certificate 1[field.1.2.840.113635.100.6.2.6]`, sat},
		{`certificate leaf[field.1.2.840.113635.100.6.2.6]`, unsat},
		{`certificate leaf[field.1.2.840.113635.100.6.1.13] exists`, sat},
		{`certificate leaf[field.1.2.840.113635.100.6.2.6] absent`, sat},
		{`certificate 7[field.1.2.840.113635.100.6.2.6] absent`, unsat},
		{`certificate leaf[policy.1.2.840.113635.100.5.1]`, unsat},
		{`info[CFBundleIdentifier] = "com.example.app"`, sat},
		{`info[CFBundleVersion] >= "1.9"`, sat}, // numeric: 10 > 9
		{`info[CFBundleVersion] < "1.9"`, unsat},
		{`info[CFBundleVersion] <= "1.10"`, sat},
		{`info[CFBundleVersion] > "1.10"`, unsat},
		{`info[LSUIElement] exists`, unsat}, // false does not exist
		{`info[Missing] absent`, sat},
		{`info[Missing] exists`, unsat},
		{`info[Tags] = b`, sat},
		{`entitlement["com.apple.security.cs.allow-jit"] exists`, sat},
		{`entitlement["com.apple.security.get-task-allow"] absent`, sat},
		{`platform = 0`, sat},
		{`notarized`, unknown},
		{`legacy`, unknown},
		{`anchor trusted`, unknown},
		{`certificate leaf trusted`, unknown},
		{`anchor apple Named`, unknown},
		{`notarized and never`, unsat},
		{`notarized or always`, sat},
		{`notarized and always`, unknown},
		{`! notarized`, unknown},
		{`! never`, sat},
		{`identifier "com.example.app" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ` + team, sat},
		{`identifier "com.example.app" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ABCDE12345`, unsat},
	} {
		got, why := mustCompile(t, tc.req).evaluate(ctx)
		if got != tc.want {
			t.Errorf("%s: %s, want %s (%v)", tc.req, got, tc.want, why)
		}
		if got == unknown && len(why) == 0 {
			t.Errorf("%s: unknown without a reason", tc.req)
		}
	}
	// Without the Info.plist (a Mach-O outside its bundle) info terms are
	// unknown; without a chain anchor apple is unknown (trust cache) and
	// certificate terms are false.
	bare := &reqContext{identifier: "x", entsKnown: false}
	for req, want := range map[string]signing.RequirementResult{
		`info[CFBundleVersion] exists`:              unknown,
		`entitlement[a] exists`:                     unknown,
		`anchor apple`:                              unknown,
		`anchor apple generic`:                      unsat,
		`certificate leaf[subject.OU] = ABCDE12345`: unsat,
	} {
		if got, _ := mustCompile(t, req).evaluate(bare); got != want {
			t.Errorf("bare %s: %s, want %s", req, got, want)
		}
	}
}

// TestDesignatedRequirementFixture signs a Mach-O whose designated
// requirement names its own team (satisfied) and one naming another team
// (codesign/designated-requirement-unsatisfied), and one whose requirement
// needs notarization (unknown, a note, still valid).
func TestDesignatedRequirementFixture(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	trust := testTrust(t)
	root := p.Root.Cert
	opts := Options{Trust: trust, Time: checkTime, appleRoot: func(c *x509.Certificate) bool { return bytes.Equal(c.Raw, root.Raw) }}
	dr := func(team string) string {
		return `identifier "com.example.dr" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ` + team
	}
	sign := func(text string) *Result {
		spec := p.DeveloperIDSpec("com.example.dr")
		spec.Requirements = reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, text), 1: mustCompile(t, "always")})
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 3}), spec)
		if err != nil {
			t.Fatal(err)
		}
		return verifyBytes(t, b, opts)
	}
	t.Run("satisfied", func(t *testing.T) {
		r := sign(dr(machofile.TeamID))
		if r.Status() != signing.StatusValid || len(r.Findings) != 0 {
			t.Fatalf("status %s\n%s", r.Status(), dump(r))
		}
		d := r.Signatures[0].DesignatedRequirement
		if d == nil || d.Result != signing.RequirementSatisfied || d.Text != dr(machofile.TeamID) || d.Implicit {
			t.Errorf("designated requirement %+v", d)
		}
		// The same slice against a policy requirement.
		if res, _ := r.Slices[0].Satisfies(mustCompile(t, `certificate leaf[subject.OU] = ABCDE12345`)); res != signing.RequirementUnsatisfied {
			t.Errorf("policy requirement naming another team: %s", res)
		}
		if res, _ := r.Slices[0].Satisfies(mustCompile(t, `anchor apple generic and certificate leaf[subject.OU] = `+machofile.TeamID)); res != signing.RequirementSatisfied {
			t.Errorf("policy requirement naming the team: %s", res)
		}
	})
	t.Run("other team", func(t *testing.T) {
		r := sign(dr("ABCDE12345"))
		if r.Status() != signing.StatusInvalid {
			t.Errorf("status %s, want invalid\n%s", r.Status(), dump(r))
		}
		if len(r.Findings) != 1 || r.Findings[0].Rule != RuleDesignatedRequirementUnsatisfied || r.Findings[0].Offset == nil {
			t.Fatalf("findings:\n%s", dump(r))
		}
		if !strings.Contains(r.Findings[0].Message, "ABCDE12345") {
			t.Errorf("message does not name the requirement: %s", r.Findings[0].Message)
		}
	})
	t.Run("real Apple anchor needed", func(t *testing.T) {
		// Without the test hook the fixture root is no Apple root: anchor
		// apple generic fails.
		spec := p.DeveloperIDSpec("com.example.dr")
		spec.Requirements = reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, dr(machofile.TeamID))})
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 3}), spec)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyBytes(t, b, Options{Trust: trust, Time: checkTime})
		if r.Signatures[0].DesignatedRequirement.Result != signing.RequirementUnsatisfied {
			t.Errorf("result %s", r.Signatures[0].DesignatedRequirement.Result)
		}
	})
	t.Run("undecided", func(t *testing.T) {
		r := sign(dr(machofile.TeamID) + " and notarized")
		if r.Status() != signing.StatusValid || len(r.Findings) != 1 || r.Findings[0].Rule != RuleDesignatedRequirementUndecided || r.Findings[0].Severity != signing.SeverityNote {
			t.Fatalf("status %s\n%s", r.Status(), dump(r))
		}
		if d := r.Signatures[0].DesignatedRequirement; d.Result != signing.RequirementUnknown || len(d.Undecided) != 1 {
			t.Errorf("designated requirement %+v", d)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		spec := p.DeveloperIDSpec("com.example.dr")
		set := reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, "always")})
		binary.BigEndian.PutUint32(set[len(set)-4:], 0x00000063) // opcode 99 without a size
		spec.Requirements = set
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 3}), spec)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyBytes(t, b, opts)
		if r.Status() != signing.StatusInvalid || len(r.Findings) != 1 || r.Findings[0].Rule != RuleDesignatedRequirementUnsatisfied {
			t.Fatalf("status %s\n%s", r.Status(), dump(r))
		}
	})
	t.Run("lightweight", func(t *testing.T) {
		spec := p.DeveloperIDSpec("com.example.dr")
		set := reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, "always")})
		binary.BigEndian.PutUint32(set[28:], 2) // kind 2: a lightweight code requirement
		spec.Requirements = set
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 3}), spec)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyBytes(t, b, opts)
		if r.Status() != signing.StatusValid || len(r.Findings) != 1 || r.Findings[0].Rule != RuleDesignatedRequirementUndecided {
			t.Fatalf("status %s\n%s", r.Status(), dump(r))
		}
		if d := r.Signatures[0].DesignatedRequirement; d.Result != signing.RequirementUnknown {
			t.Errorf("designated requirement %+v", d)
		}
	})
	t.Run("untrusted chain", func(t *testing.T) {
		// The anchor of a chain that does not verify proves nothing:
		// anchor apple generic and the intermediate's marker are
		// undecided (the chain is as its signer claims), the leaf's terms
		// still decide.
		spec := p.DeveloperIDSpec("com.example.dr")
		spec.Requirements = reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, dr(machofile.TeamID))})
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 3}), spec)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyBytes(t, b, Options{Time: checkTime, appleRoot: opts.appleRoot}) // trusts nothing
		if d := r.Signatures[0].DesignatedRequirement; d.Result != signing.RequirementUnknown || len(d.Undecided) != 2 || !strings.Contains(d.Undecided[0], "trusted root") || !strings.Contains(d.Undecided[1], "trusted root") {
			t.Errorf("designated requirement %+v", d)
		}
		spec.Requirements = reqSet(t, map[uint32]*Requirement{reqTypeDesignated: mustCompile(t, dr("ABCDE12345"))})
		b, _, err = machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 3}), spec)
		if err != nil {
			t.Fatal(err)
		}
		r = verifyBytes(t, b, Options{Time: checkTime, appleRoot: opts.appleRoot})
		if d := r.Signatures[0].DesignatedRequirement; d.Result != signing.RequirementUnsatisfied {
			t.Errorf("other team, untrusted chain: %+v", d)
		}
	})
	t.Run("implicit", func(t *testing.T) {
		spec := p.DeveloperIDSpec("com.example.dr")
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 3}), spec)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyBytes(t, b, opts)
		// Reported as codesign -d -r- prints the requirement macOS derives.
		if d := r.Signatures[0].DesignatedRequirement; d == nil || !d.Implicit || d.Result != signing.RequirementSatisfied || d.Text != dr(machofile.TeamID) || len(r.Findings) != 0 {
			t.Errorf("designated requirement %+v", d)
		}
	})
}

// FuzzParseRequirement: requirement blobs and texts never panic, and
// whatever parses prints text that compiles back to the same bytes.
func FuzzParseRequirement(f *testing.F) {
	for _, s := range []string{
		`always`,
		`identifier "com.example.app" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ABCDE12345`,
		`(identifier a or cdhash H"00112233445566778899aabbccddeeff00112233") and ! info[X] >= "1.2"`,
		`entitlement["a-b"] = *x* and certificate root = H"0123456789abcdef0123456789abcdef01234567" and notarized and platform = 2`,
	} {
		r, err := CompileRequirement(s)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := r.MarshalBinary()
		f.Add(b, s)
	}
	p := machofile.NewPKI()
	set := machofile.DesignatedRequirements("com.example.tool", p.Root.Cert.Raw, machofile.TeamID)
	f.Add(set[20:], "designated => "+string(set[32:40]))
	f.Add(set, "")
	f.Fuzz(func(t *testing.T, b []byte, text string) {
		if r, err := ParseRequirement(b); err == nil {
			_ = r.String()
			r.evaluate(&reqContext{})
		}
		_, _ = parseRequirementSet(b)
		r, err := CompileRequirement(text)
		if err != nil {
			return
		}
		enc, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseRequirement(enc)
		if err != nil {
			t.Fatalf("%q compiled to bytes that do not parse: %v", text, err)
		}
		if back.String() != r.String() {
			t.Fatalf("%q: %q after a round trip, %q before", text, back.String(), r.String())
		}
	})
}

// TestRequirementInfoPlistInBundle: info[…] terms are decided for a
// bundle's main executable, whose Info.plist the signature binds, and
// unknown for other code of the bundle.
func TestRequirementInfoPlistInBundle(t *testing.T) {
	t.Parallel()
	res, err := VerifyBundle(os.DirFS(fixtureDir), "Example.app", Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]signing.RequirementResult{
		"Example.app/Contents/MacOS/Example": signing.RequirementSatisfied,
		"Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib": signing.RequirementUnknown,
	}
	seen := 0
	for _, it := range res.Items {
		w, ok := want[it.Path]
		if !ok {
			continue
		}
		seen++
		got, why := it.Result.Slices[0].Satisfies(mustCompile(t, `info[CFBundleExecutable] = Example and info[CFBundlePackageType] = APPL and info[NoSuchKey] absent`))
		if got != w {
			t.Errorf("%s: %s, want %s (%v)", it.Path, got, w, why)
		}
	}
	if seen != len(want) {
		t.Fatalf("found %d of %d items", seen, len(want))
	}
}

// TestCompileRequirementLongChain: a chain of more and-operators than the
// binary parser nests is refused when compiled, so every compiled
// requirement parses back.
func TestCompileRequirementLongChain(t *testing.T) {
	t.Parallel()
	if _, err := CompileRequirement(strings.Repeat("always and ", 1200) + "always"); err == nil {
		t.Fatal("a chain of 1200 ands compiled")
	}
	r := mustCompile(t, strings.Repeat("always and ", 500)+"always")
	b, _ := r.MarshalBinary()
	if _, err := ParseRequirement(b); err != nil {
		t.Fatal(err)
	}
}
