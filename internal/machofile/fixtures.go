package machofile

import (
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// PKI is a test stand-in for Apple's code-signing hierarchy: a root, a
// Developer ID CA with the 1.2.840.113635.100.6.2.6 marker, a Developer ID
// Application leaf for team TEAM123456, and a time-stamping authority.
type PKI struct {
	Root, CA, Leaf, TSA *testpki.Cert
	// Other is a leaf of a root nobody trusts.
	OtherRoot, Other *testpki.Cert
}

// TeamID is the team of PKI.Leaf.
const TeamID = "TEAM123456"

// SignTime is when fixtures are signed and timestamped.
var SignTime = testpki.Epoch

// NewPKI mints the fixture PKI (deterministic).
func NewPKI() *PKI {
	root := testpki.NewRoot(testpki.Spec{CommonName: "shipgate Test Apple Root CA", Organization: "shipgate test", KeyN: 10})
	ca := root.Issue(testpki.Spec{CommonName: "shipgate Test Developer ID Certification Authority", Organization: "shipgate test", CA: true, KeyN: 11, ExtraExtensions: DeveloperIDCAExtensions()})
	leaf := ca.Issue(testpki.Spec{
		CommonName: "Developer ID Application: Example Corp (" + TeamID + ")", Organization: "Example Corp", OrganizationalUnit: TeamID,
		KeyN: 12, ExtraExtensions: DeveloperIDLeafExtensions(),
	})
	tsa := root.Issue(testpki.Spec{CommonName: "shipgate Test Timestamp Authority", Organization: "shipgate test", KeyN: 13, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	other := testpki.NewRoot(testpki.Spec{CommonName: "Untrusted Root", KeyN: 14})
	otherLeaf := other.Issue(testpki.Spec{CommonName: "Developer ID Application: Mallory (" + TeamID + ")", OrganizationalUnit: TeamID, KeyN: 15, ExtraExtensions: DeveloperIDLeafExtensions()})
	return &PKI{Root: root, CA: ca, Leaf: leaf, TSA: tsa, OtherRoot: other, Other: otherLeaf}
}

// Signer returns the Developer ID signer of p with a timestamp.
func (p *PKI) Signer() Signer {
	return Signer{Leaf: p.Leaf, Chain: []*testpki.Cert{p.CA}, SigningTime: SignTime, TSA: p.TSA, TimestampAt: SignTime}
}

// Entitlements is the XML entitlements payload of the Developer ID fixtures.
var Entitlements = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>com.apple.security.cs.allow-jit</key>
	<true/>
</dict>
</plist>
`)

// DEREntitlements is the same entitlements dictionary in Apple's DER form.
var DEREntitlements = derBoolEntitlements("com.apple.security.cs.allow-jit")

// DeveloperIDSpec is how the Developer ID fixtures are signed: SHA-256
// primary CodeDirectory with a SHA-1 alternate, hardened runtime, team ID,
// requirements, both entitlement forms, and a timestamped CMS.
func (p *PKI) DeveloperIDSpec(id string) SignSpec {
	return SignSpec{
		Identifier: id, TeamID: TeamID, Flags: FlagRuntime, HashTypes: []uint8{HashSHA256, HashSHA1},
		ExecSegFlags: 1, Requirements: EmptyRequirements, Entitlements: Entitlements, DEREntitlements: DEREntitlements,
		CMS: p.Signer().CMS,
	}
}

// Fixture is one generated file and what verifying it must show.
type Fixture struct {
	Name string
	Data []byte
	// Want is the expected status of each slice ("valid" assumes the PKI
	// root is trusted); Rules are exactly the rule IDs reported.
	Want  []string
	Rules []string
	// Note says what the fixture is.
	Note string
}

func must(b []byte, l *Layout, err error) ([]byte, *Layout) {
	if err != nil {
		panic(err)
	}
	return b, l
}

// Fixtures generates every committed codesign fixture.
func Fixtures() []Fixture {
	g := &fixtureGen{p: NewPKI(), arm: Build(Spec{CPU: CPUARM64, Seed: 1}), x86: Build(Spec{CPU: CPUX86_64, Seed: 2})}
	adhoc := g.adhocFixtures()
	g.devIDFixtures()
	g.universalFixtures(adhoc)
	g.hostileFixtures()
	g.requirementFixtures()
	g.repeatedEntryFixture()
	return g.fx
}

// fixtureGen collects Fixtures' files: the PKI, the unsigned arm64 and
// x86_64 images, and the universal slices signed Developer ID.
type fixtureGen struct {
	p          *PKI
	arm, x86   []byte
	armU, x86U []byte
	fx         []Fixture
}

func (g *fixtureGen) add(name, note, rule string, data []byte, want ...string) {
	var rules []string
	if rule != "" {
		rules = strings.Split(rule, ",")
	}
	g.fx = append(g.fx, Fixture{Name: name, Data: data, Want: want, Rules: rules, Note: note})
}

// adhocFixtures adds the linker-signed ad-hoc and unsigned files, and
// returns the ad-hoc image.
func (g *fixtureGen) adhocFixtures() []byte {
	adhoc, _ := must(Sign(g.arm, SignSpec{Flags: FlagAdhoc | FlagLinkerSigned, ExecSegFlags: 1}))
	g.add("adhoc-linker-signed.macho", "arm64, linker-signed ad-hoc as the Go linker writes it", "codesign/adhoc", adhoc, "adhoc")
	adhocFlip := append([]byte(nil), adhoc...)
	adhocFlip[0x400+5000] ^= 0x01
	g.add("adhoc-page-flip.macho", "ad-hoc with one byte flipped in page 1", "codesign/adhoc,codesign/page-hash-mismatch", adhocFlip, "invalid")
	g.add("unsigned-x86_64.macho", "x86_64 without LC_CODE_SIGNATURE", "codesign/unsigned", g.x86, "unsigned")
	return adhoc
}

// devIDFixtures adds the Developer ID file, copies of it edited after
// signing, and files signed wrongly.
func (g *fixtureGen) devIDFixtures() {
	p, arm := g.p, g.arm
	devid, lay := must(Sign(arm, p.DeveloperIDSpec("com.example.tool")))
	g.add("devid.macho", "Developer ID: SHA-256 CD + SHA-1 alternate, cdhashes attributes, team ID, entitlements, timestamp", "", devid, "valid")

	flip := append([]byte(nil), devid...)
	flip[0x400+9000] ^= 0x80
	g.add("devid-page-flip.macho", "byte flipped in the last (short) code page after signing", "codesign/page-hash-mismatch", flip, "invalid")

	swap := append([]byte(nil), devid...)
	alt, _ := lay.Blob(SlotAlternate)
	swap[alt.Off+87] ^= 0x10 // execSegFlags of the SHA-1 alternate: CS_EXECSEG_ALLOW_UNSIGNED
	g.add("devid-cd-swap.macho", "SHA-1 alternate CodeDirectory replaced after signing (pages still match; its executable segment flags now differ from the primary's)", "codesign/cdhash-mismatch,codesign/malformed", swap, "invalid")

	ent := append([]byte(nil), devid...)
	eb, _ := lay.Blob(SlotEntitlements)
	i := eb.Off + 8 + indexOf(Entitlements, "<true/>")
	copy(ent[i:], "<fals/>")
	g.add("devid-entitlements-edited.macho", "entitlements blob edited after signing", "codesign/special-slot-mismatch", ent, "invalid")

	wrongSpec := p.DeveloperIDSpec("com.example.tool")
	wrongSpec.TeamID = "WRONG12345"
	wrong, _ := must(Sign(arm, wrongSpec))
	g.add("devid-wrong-team.macho", "CodeDirectory names team WRONG12345, the certificate's OU is TEAM123456", "codesign/team-id-mismatch", wrong, "invalid")

	stripSpec := p.DeveloperIDSpec("com.example.tool")
	stripSpec.CMS, stripSpec.EmptyCMSWrapper = nil, true
	strip, _ := must(Sign(arm, stripSpec))
	g.add("devid-stripped-cms.macho", "Developer ID CodeDirectory (CS_ADHOC clear) whose CMS was stripped", "codesign/signature-invalid", strip, "invalid")

	mdSpec := p.DeveloperIDSpec("com.example.tool")
	s := p.Signer()
	s.MessageDigest = make([]byte, 32)
	mdSpec.CMS = s.CMS
	md, _ := must(Sign(arm, mdSpec))
	g.add("devid-cms-digest.macho", "CMS messageDigest does not match the primary CodeDirectory", "codesign/cms-digest-mismatch", md, "invalid")

	badSig := append([]byte(nil), devid...)
	cb, _ := lay.Blob(SlotSignature)
	sigAt := cb.Off + 8 + indexOfBytes(badSig[cb.Off+8:cb.Off+cb.Len], lastSignatureValue(p, lay))
	badSig[sigAt+10] ^= 0xff
	g.add("devid-bad-signature.macho", "a byte of the CMS signature value flipped", "codesign/signature-invalid", badSig, "invalid")

	otherSpec := p.DeveloperIDSpec("com.example.tool")
	otherSpec.CMS = Signer{Leaf: p.Other, SigningTime: SignTime}.CMS
	other, _ := must(Sign(arm, otherSpec))
	g.add("devid-untrusted.macho", "signed by a leaf of a root nobody trusts", "codesign/untrusted-chain", other, "untrusted")
}

// universalFixtures adds fat files of Developer ID slices (kept in g), one
// with bytes after its last slice, and one of an unsigned and the ad-hoc
// slice.
func (g *fixtureGen) universalFixtures(adhoc []byte) {
	g.armU, _ = must(Sign(g.arm, g.p.DeveloperIDSpec("com.example.universal")))
	g.x86U, _ = must(Sign(g.x86, g.p.DeveloperIDSpec("com.example.universal")))
	fat32 := Fat([]Arch{{Data: g.x86U, Align: 12}, {Data: g.armU, Align: 12}}, false)
	g.add("universal.macho", "fat (0xcafebabe) x86_64 + arm64, both Developer ID", "", fat32, "valid", "valid")
	fat64 := Fat([]Arch{{Data: g.x86U, Align: 12}, {Data: g.armU, Align: 12}}, true)
	g.add("universal64.macho", "fat64 (0xcafebabf) x86_64 + arm64, both Developer ID", "", fat64, "valid", "valid")
	trail := append(append([]byte(nil), fat32...), []byte("payload appended after the last slice")...)
	g.add("universal-trailing.macho", "fat file with bytes appended after the last slice", "codesign/data-outside-slices", trail, "valid", "valid")
	mixed := Fat([]Arch{{Data: g.x86, Align: 12}, {Data: adhoc, Align: 12}}, false)
	g.add("universal-mixed.macho", "fat x86_64 unsigned + arm64 linker-signed ad-hoc (like fsevents.node)", "codesign/adhoc,codesign/unsigned", mixed, "unsigned", "adhoc")
}

// hostileFixtures adds hostile signatures: bytes of the signature area no
// hash covers.
func (g *fixtureGen) hostileFixtures() {
	p, arm := g.p, g.arm
	payload := Blob(0xfade7171, []byte("https://attacker.example/stage2?key=0123456789abcdef"))
	unknownSpec := p.DeveloperIDSpec("com.example.tool")
	unknownSpec.ExtraBlobs = []ExtraBlob{{Slot: 0x20000, Data: payload}}
	unknown, _ := must(Sign(arm, unknownSpec))
	g.add("devid-unknown-slot.macho", "Developer ID with a payload blob in slot 0x20000, which Apple does not define and nothing binds", "codesign/unknown-slot", unknown, "invalid")
	unboundSpec := p.DeveloperIDSpec("com.example.tool")
	unboundSpec.Entitlements = nil
	unboundSpec.ExtraBlobs = []ExtraBlob{{Slot: SlotEntitlements, Data: Blob(0xfade7171, Entitlements)}}
	unbound, _ := must(Sign(arm, unboundSpec))
	g.add("devid-unbound-entitlements.macho", "Developer ID whose entitlements blob is present but its special slot -5 is zero", "codesign/unbound-blob", unbound, "invalid")
	dupSpec := p.DeveloperIDSpec("com.example.tool")
	dupSpec.ExtraBlobs = []ExtraBlob{{Slot: SlotRequirements, Data: payload}}
	dup, _ := must(Sign(arm, dupSpec))
	g.add("devid-duplicate-slot.macho", "Developer ID whose SuperBlob lists the requirements slot twice, the second entry a payload", "codesign/duplicate-slot,codesign/unowned-signature-data", dup, "invalid")
	trailSpec := p.DeveloperIDSpec("com.example.tool")
	trailSpec.Trailer = []byte("stage2 payload after the SuperBlob")
	sigTrail, _ := must(Sign(arm, trailSpec))
	g.add("devid-signature-trailer.macho", "Developer ID with data after the SuperBlob inside LC_CODE_SIGNATURE's datasize", "codesign/unowned-signature-data", sigTrail, "invalid")
}

// requirementFixtures adds designated requirements: one the signature
// satisfies, one naming another team's OU.
func (g *fixtureGen) requirementFixtures() {
	p := g.p
	drSpec := p.DeveloperIDSpec("com.example.tool")
	drSpec.Requirements = DesignatedRequirements("com.example.tool", p.Root.Cert.Raw, TeamID)
	dr, _ := must(Sign(g.arm, drSpec))
	g.add("devid-designated-requirement.macho", "Developer ID with a designated requirement (identifier, anchor hash, Developer ID markers, team OU) it satisfies", "", dr, "valid")
	drOtherSpec := p.DeveloperIDSpec("com.example.tool")
	drOtherSpec.Requirements = DesignatedRequirements("com.example.tool", p.Root.Cert.Raw, "ABCDE12345")
	drOther, _ := must(Sign(g.arm, drOtherSpec))
	g.add("devid-dr-other-team.macho", "Developer ID whose designated requirement names team ABCDE12345, not its signer's", "codesign/designated-requirement-unsatisfied", drOther, "invalid")
}

// repeatedEntryFixture adds a fat file whose entry repeats another's offset
// and size: verified once, and the repeat is reported.
func (g *fixtureGen) repeatedEntryFixture() {
	rep := Fat([]Arch{{Data: g.x86U, Align: 12}, {Data: g.armU, Align: 12}, {CPU: CPUARM64, Align: 4, Data: make([]byte, 16)}}, false)
	e2, e3 := rep[8+20:], rep[8+40:]
	copy(e3[8:16], e2[8:16])
	end := binary.BigEndian.Uint32(e2[8:]) + binary.BigEndian.Uint32(e2[12:])
	rep = rep[:end]
	g.add("universal-repeated.macho", "fat x86_64 + arm64 whose third entry repeats the arm64 slice", "codesign/malformed", rep, "valid", "valid", "invalid")
}

func indexOf(b []byte, s string) int { return indexOfBytes(b, []byte(s)) }

func indexOfBytes(b, s []byte) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == string(s) {
			return i
		}
	}
	panic(fmt.Sprintf("machofile: %d-byte pattern not found", len(s)))
}

// lastSignatureValue re-creates the CMS signer's signature value of the
// layout's primary CodeDirectory (RSA PKCS#1 v1.5 is deterministic).
func lastSignatureValue(p *PKI, lay *Layout) []byte {
	c, err := p.Signer().CMS(lay.CDs)
	if err != nil {
		panic(err)
	}
	sd, err := cms.Parse(c)
	if err != nil {
		panic(err)
	}
	return sd.Signers[0].Signature
}
