package blocklist

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// testPKI is a root, a code-signing leaf and a time-stamping authority,
// valid from 2020 to 2030 so that timestamps across the test windows verify.
type testPKI struct {
	root, leaf, tsa *testpki.Cert
	trust           *signing.TrustStore
}

var (
	pkiFrom = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	pkiTo   = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
)

func newTestPKI(t testing.TB, leafName string, serial *big.Int) *testPKI {
	t.Helper()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Blocklist Test Root", NotBefore: pkiFrom, NotAfter: pkiTo})
	leaf := root.Issue(testpki.Spec{CommonName: leafName, Organization: leafName, Serial: serial, NotBefore: pkiFrom, NotAfter: pkiTo, KeyN: 1})
	tsa := root.Issue(testpki.Spec{CommonName: "Blocklist Test TSA", NotBefore: pkiFrom, NotAfter: pkiTo, KeyN: 2,
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	trust.AddCertificate(root.Cert)
	return &testPKI{root: root, leaf: leaf, tsa: tsa, trust: trust}
}

// sign makes a CMS signature by the leaf over content, with an RFC 3161
// timestamp at ts when ts is not zero.
func (p *testPKI) sign(content []byte, ts time.Time) []byte {
	spec := testpki.CMSSpec{Content: content, ContentIsOctetString: true, Signer: p.leaf,
		Certs: []*testpki.Cert{p.leaf, p.root}, Hash: crypto.SHA256}
	plain := testpki.SignCMS(spec)
	if ts.IsZero() {
		return plain
	}
	// RSA PKCS#1 v1.5 with a fixed key is deterministic: signing again with an
	// unsigned attribute added keeps the signature value the token stamps.
	sd, err := cms.Parse(plain)
	if err != nil {
		panic(err)
	}
	token := p.tsa.TimestampToken(crypto.SHA256, sd.Signers[0].Signature, ts, p.root)
	spec.Unsigned = []testpki.Attr{{Type: cms.OIDAttrTimeStampToken, Values: [][]byte{token}}}
	return testpki.SignCMS(spec)
}

// verified is what a verifier learns from a signature: the chain and, when
// a timestamp verified, its time.
type verified struct {
	chain       []signing.Identity
	timestamped bool
	time        time.Time
}

// verify checks sig as package verify would, so that the blocklist is fed
// the facts of a real signature.
func (p *testPKI) verify(t testing.TB, sig []byte, now time.Time) verified {
	t.Helper()
	sd, err := cms.Parse(sig)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	chk := cms.VerifySigner(si, sd.Certificates, nil, sd.Content)
	if chk.Err != nil {
		t.Fatalf("fixture signature does not verify: %v", chk.Err)
	}
	v := verified{chain: []signing.Identity{signing.NewIdentity(chk.Cert), signing.NewIdentity(p.root.Cert)}, time: now}
	if a := si.UnsignedAttr(cms.OIDAttrTimeStampToken); a != nil {
		ts := cms.VerifyTimestampToken(a.Values[0], si.Signature, cms.TimestampOptions{Trust: p.trust})
		if !ts.Verified {
			t.Fatalf("fixture timestamp does not verify: %s", ts.Detail)
		}
		v.timestamped, v.time = true, ts.Time
	}
	return v
}

func tp(t time.Time) *time.Time { return &t }

// TestPolicyTable checks every entry shape against signatures made before,
// at, inside and after its date or window, timestamped and not, under each
// policy.
func TestPolicyTable(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Example Signer Ltd", big.NewInt(0x5eed))
	leafID := signing.NewIdentity(pki.leaf.Cert)
	revoked := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	windowEnd := revoked.AddDate(0, 1, 0)
	times := []struct {
		name string
		ts   time.Time // zero: not timestamped
		now  time.Time
	}{
		{"ts-before", revoked.AddDate(0, 0, -10), pkiTo.AddDate(-1, 0, 0)},
		{"ts-at", revoked, pkiTo.AddDate(-1, 0, 0)},
		{"ts-inside", revoked.AddDate(0, 0, 10), pkiTo.AddDate(-1, 0, 0)},
		{"ts-after", windowEnd.AddDate(0, 1, 0), pkiTo.AddDate(-1, 0, 0)},
		{"no-ts-now-later", time.Time{}, pkiTo.AddDate(-1, 0, 0)},
		{"no-ts-now-earlier", time.Time{}, revoked.AddDate(0, 0, -10)},
	}
	issuerSerial := func(reason Reason) Entry {
		return Entry{Kind: KindIssuerSerial, Value: leafID.Serial, IssuerDER: pki.leaf.Cert.RawIssuer, RevokedAt: &revoked, Reason: reason}
	}
	entries := []struct {
		name  string
		entry Entry
		// want, per policy, one letter per time above: B blocked, - not.
		windows, strict, any string
	}{
		{"revoked superseded", issuerSerial(ReasonSuperseded), "-BBBB-", "-BBBB-", "BBBBBB"},
		{"revoked cessationOfOperation", issuerSerial(ReasonCessationOfOperation), "-BBBB-", "-BBBB-", "BBBBBB"},
		{"revoked keyCompromise", issuerSerial(ReasonKeyCompromise), "-BBBB-", "BBBBBB", "BBBBBB"},
		{"revoked cACompromise", issuerSerial(ReasonCACompromise), "-BBBB-", "BBBBBB", "BBBBBB"},
		{"revoked without reason", issuerSerial(ReasonUnspecified), "-BBBB-", "BBBBBB", "BBBBBB"},
		{"window, keyCompromise: window wins", Entry{Kind: KindSerial, Value: leafID.Serial, NotBefore: &revoked, NotAfter: &windowEnd, Reason: ReasonKeyCompromise}, "-BB-B-", "-BB-B-", "-BB-B-"},
		{"window open-ended", Entry{Kind: KindCertSHA1, Value: leafID.SHA1, NotBefore: &revoked}, "-BBBB-", "-BBBB-", "-BBBB-"},
		{"window up to a date", Entry{Kind: KindCertSHA256, Value: leafID.SHA256, NotAfter: &revoked}, "BB--BB", "BB--BB", "BB--BB"},
		{"no date, superseded", Entry{Kind: KindSPKISHA256, Value: leafID.SPKISHA256, Reason: ReasonSuperseded}, "BBBBBB", "BBBBBB", "BBBBBB"},
		{"no date, no reason", Entry{Kind: KindTBS, Value: leafID.TBS.SHA256}, "BBBBBB", "BBBBBB", "BBBBBB"},
	}
	// Sign once per time: the fixtures are real signatures.
	facts := make([]verified, len(times))
	for i, tm := range times {
		facts[i] = pki.verify(t, pki.sign([]byte("release payload"), tm.ts), tm.now)
		if facts[i].timestamped != !tm.ts.IsZero() || (facts[i].timestamped && !facts[i].time.Equal(tm.ts)) {
			t.Fatalf("%s: fixture timestamp %v %v", tm.name, facts[i].timestamped, facts[i].time)
		}
	}
	for _, ec := range entries {
		l := New()
		e := ec.entry
		e.Source = "policy-table"
		if err := l.Add(e); err != nil {
			t.Fatalf("%s: %v", ec.name, err)
		}
		for _, pc := range []struct {
			p    Policy
			want string
		}{{PolicyWindows, ec.windows}, {PolicyStrict, ec.strict}, {PolicyAny, ec.any}} {
			for i, tm := range times {
				t.Run(ec.name+"/"+pc.p.String()+"/"+tm.name, func(t *testing.T) {
					f := facts[i]
					hits := l.MatchChain(f.chain, f.time, f.timestamped, pc.p)
					got := len(hits) > 0
					want := pc.want[i] == 'B'
					all := l.ExplainChain(f.chain, f.time, f.timestamped, pc.p)
					if got != want {
						why := ""
						if len(all) > 0 {
							why = all[0].Explanation
						}
						t.Fatalf("blocked = %v, want %v (%s)", got, want, why)
					}
					if len(all) != 1 || all[0].Blocked != want || all[0].Certificate != &f.chain[0] {
						t.Fatalf("ExplainChain = %+v", all)
					}
					if got && hits[0].Finding().Rule != RuleSignerBlocklisted {
						t.Fatalf("rule %s", hits[0].Finding().Rule)
					}
				})
			}
		}
	}
}

// TestDefault3CX checks the built-in list against a stand-in for the 3CX Ltd
// certificate (same serial, test CA): builds signed before the compromise
// window pass, builds inside it are revoked, whatever the policy.
func TestDefault3CX(t *testing.T) {
	t.Parallel()
	serial, _ := new(big.Int).SetString("1b6611df9c9a4d6ecc8ed50c9b917873", 16)
	pki := newTestPKI(t, "3CX Ltd", serial)
	l := Default()
	if l.Len() < 9 {
		t.Fatalf("default list has %d entries", l.Len())
	}
	for _, e := range l.Entries() {
		if e.Source != DefaultSource || e.Line == 0 || e.Reference == "" {
			t.Errorf("entry %s lacks source, line or reference: %+v", e.String(), e)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		ts   time.Time
		want bool
	}{
		{"legitimate build 2022-10", time.Date(2022, 10, 3, 9, 0, 0, 0, time.UTC), false},
		{"trojanized build 2023-03-13", time.Date(2023, 3, 13, 6, 41, 52, 0, time.UTC), true},
		{"last day of window", time.Date(2023, 3, 29, 23, 0, 0, 0, time.UTC), true},
		{"after the window", time.Date(2023, 4, 20, 0, 0, 0, 0, time.UTC), false},
		{"untimestamped", time.Time{}, true},
	} {
		for _, p := range []Policy{PolicyWindows, PolicyStrict, PolicyAny} {
			t.Run(c.name+"/"+p.String(), func(t *testing.T) {
				f := pki.verify(t, pki.sign([]byte("3CXDesktopApp"), c.ts), now)
				hits := l.MatchChain(f.chain, f.time, f.timestamped, p)
				if (len(hits) > 0) != c.want {
					t.Fatalf("blocked = %v, want %v", len(hits) > 0, c.want)
				}
				if c.want {
					fd := hits[0].Finding()
					for _, s := range []string{"1b6611df9c9a4d6ecc8ed50c9b917873", DefaultSource + ":5", "window 2022-11-29T00:00:00Z to 2023-03-29T23:59:59Z", "Nextron"} {
						if !strings.Contains(fd.Message, s) {
							t.Errorf("finding %q lacks %q", fd.Message, s)
						}
					}
					if fd.Severity != signing.SeverityError {
						t.Errorf("severity %s", fd.Severity)
					}
				}
			})
		}
	}
	for _, h := range []string{
		"c485674ee63ec8d4e8fde9800788175a8b02d3f9416d0e763360fff7f8eb4e02", // ffmpeg.dll
		"11be1803e2e307b647a8a7e02d128335c448ff741bf06bf52b332e0bbf423b03", // d3dcompiler_47.dll
		"a64fa9f1c76457ecc58402142a8728ce34ccba378c17318b3340083eeb7acc67", // libffmpeg.dylib
		"aa124a4b4df12b34e74ee7f6c683b2ebec4ce9a8edcf9be345823b4fdcf5d868", // MSI 18.12.407
	} {
		hits := l.MatchFile(FileHashes{SHA256: strings.ToUpper(h)})
		if len(hits) != 1 || hits[0].Finding().Rule != RuleFileKnownBad {
			t.Errorf("%s: hits %v", h, hits)
		}
	}
	if s1, m5 := l.NeedsHashes(); s1 || m5 {
		t.Errorf("default list needs SHA-1 %v / MD5 %v", s1, m5)
	}
	if hits := l.MatchFile(FileHashes{SHA256: strings.Repeat("0", 64)}); len(hits) != 0 {
		t.Errorf("clean file hit: %v", hits)
	}
}

// TestIssuerBinding: an issuer-serial entry does not block a certificate
// with the same serial from another CA; a serial-only entry does.
func TestIssuerBinding(t *testing.T) {
	t.Parallel()
	serial := big.NewInt(0x1234567)
	a := newTestPKI(t, "Signer A", serial)
	otherRoot := testpki.NewRoot(testpki.Spec{CommonName: "Other Root", KeyN: 3})
	other := otherRoot.Issue(testpki.Spec{CommonName: "Signer B", Serial: serial, KeyN: 1})
	chainA := []signing.Identity{signing.NewIdentity(a.leaf.Cert), signing.NewIdentity(a.root.Cert)}
	chainB := []signing.Identity{signing.NewIdentity(other.Cert), signing.NewIdentity(otherRoot.Cert)}
	now := testpki.Epoch
	cases := []struct {
		name   string
		e      Entry
		blockA bool
		blockB bool
	}{
		{"issuer DER", Entry{Kind: KindIssuerSerial, Value: "01234567", IssuerDER: a.root.Cert.RawSubject}, true, false},
		{"issuer RFC 4514", Entry{Kind: KindIssuerSerial, Value: "0x1234567", Issuer: "CN=Blocklist Test Root"}, true, false},
		{"issuer OpenSSL slash form", Entry{Kind: KindIssuerSerial, Value: "01:23:45:67", Issuer: "/CN=Other Root"}, false, true},
		{"issuer CN", Entry{Kind: KindIssuerSerial, Value: "1234567", Issuer: "other root"}, false, true},
		{"serial alone", Entry{Kind: KindSerial, Value: "00:01:23:45:67"}, true, true},
		{"subject and issuer", Entry{Kind: KindSubject, Value: "O=Signer A, CN=Signer A", Issuer: "CN=Blocklist Test Root"}, true, false},
		{"publisher CN and issuer", Entry{Kind: KindSubject, Value: "Signer B", Issuer: "CN=Other Root"}, false, true},
		{"publisher under CA TBS", Entry{Kind: KindSubject, Value: "Signer A", ChainTBS: chainA[1].TBS.SHA1}, true, false},
		{"CA TBS blocks everything below", Entry{Kind: KindTBS, Value: chainB[1].TBS.SHA256}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := New()
			if err := l.Add(c.e); err != nil {
				t.Fatal(err)
			}
			gotA := len(l.MatchChain(chainA, now, false, PolicyStrict)) > 0
			gotB := len(l.MatchChain(chainB, now, false, PolicyStrict)) > 0
			if gotA != c.blockA || gotB != c.blockB {
				t.Fatalf("blocks A %v B %v, want %v %v", gotA, gotB, c.blockA, c.blockB)
			}
		})
	}
	if err := New().Add(Entry{Kind: KindSubject, Value: "CN=Signer A"}); err == nil {
		t.Error("subject without issuer accepted")
	}
	if err := New().Add(Entry{Kind: KindIssuerSerial, Value: "01"}); err == nil {
		t.Error("issuer-serial without issuer accepted")
	}
}

// TestTeamIDAndCDHash covers the Apple identifiers.
func TestTeamIDAndCDHash(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Apple Test Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "Developer ID Application: 3CX (33CF4654HL)", OrganizationalUnit: "33CF4654HL",
		ExtraExtensions: []pkix.Extension{{Id: []int{1, 2, 840, 113635, 100, 6, 1, 13}, Value: []byte{0x05, 0x00}}}})
	id := signing.NewIdentity(leaf.Cert)
	if id.TeamID != "33CF4654HL" {
		t.Fatalf("test leaf team ID %q", id.TeamID)
	}
	l, err := Parse(strings.NewReader(`version: 1
entries:
  - kind: team-id
    value: 33cf4654hl
    notBefore: 2023-03-01T00:00:00Z
    notAfter: 2023-03-31
  - kind: cdhash
    value: 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
`), "apple.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	chain := []signing.Identity{id}
	if hits := l.MatchChain(chain, time.Date(2023, 3, 13, 6, 41, 52, 0, time.UTC), true, PolicyAny); len(hits) != 1 || hits[0].Entry.Line != 3 {
		t.Errorf("team ID inside window: %v", hits)
	}
	if hits := l.MatchChain(chain, time.Date(2022, 3, 13, 0, 0, 0, 0, time.UTC), true, PolicyAny); len(hits) != 0 {
		t.Errorf("team ID before window: %v", hits)
	}
	// A CA with the same OU is not a team.
	if hits := l.MatchChain([]signing.Identity{signing.NewIdentity(root.Cert), id}, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
		t.Errorf("team ID matched beyond the leaf: %v", hits)
	}
	hits := l.MatchFile(FileHashes{CDHashes: []string{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}})
	if len(hits) != 1 || hits[0].Entry.Kind != KindCDHash {
		t.Errorf("cdhash: %v", hits)
	}
	hits = l.MatchFile(FileHashes{CDHashes: []string{"0123456789abcdef0123456789abcdef01234567"}})
	if len(hits) != 1 {
		t.Errorf("truncated cdhash: %v", hits)
	}
}

// TestMatchTimestamp checks that a time-stamping authority's chain is
// matched with the time rule of an untimestamped signature made up to now,
// and that its hits become signer/tsa-blocklisted warnings.
func TestMatchTimestamp(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Example Signer Ltd", big.NewInt(0x7a))
	sig := pki.sign([]byte("payload"), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	sd, err := cms.Parse(sig)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	ts := cms.VerifyTimestampToken(si.UnsignedAttr(cms.OIDAttrTimeStampToken).Values[0], si.Signature, cms.TimestampOptions{Trust: pki.trust})
	if !ts.Verified || len(ts.AuthorityChain()) != 2 {
		t.Fatalf("fixture timestamp: verified %t, chain %d: %s", ts.Verified, len(ts.AuthorityChain()), ts.Detail)
	}
	tsaID := signing.NewIdentity(pki.tsa.Cert)
	rootID := signing.NewIdentity(pki.root.Cert)
	revoked := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		entry Entry
		now   time.Time
		index int // chain index of the hit; -1 for none
	}{
		{"tsa-revoked-before-now", Entry{Kind: KindCertSHA256, Value: tsaID.SHA256, RevokedAt: &revoked, Reason: ReasonSuperseded}, revoked.AddDate(1, 0, 0), 0},
		{"tsa-revoked-after-now", Entry{Kind: KindCertSHA256, Value: tsaID.SHA256, RevokedAt: &revoked, Reason: ReasonSuperseded}, revoked.AddDate(0, 0, -1), -1},
		{"tsa-root-listed", Entry{Kind: KindCertSHA256, Value: rootID.SHA256}, revoked, 1},
		{"other-certificate", Entry{Kind: KindCertSHA256, Value: strings.Repeat("ab", 32)}, revoked, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := New()
			if err := l.Add(tc.entry); err != nil {
				t.Fatal(err)
			}
			hits := l.MatchTimestamp(ts, tc.now, PolicyWindows)
			if tc.index < 0 {
				if len(hits) != 0 {
					t.Fatalf("hits %+v, want none", hits)
				}
				return
			}
			if len(hits) != 1 || hits[0].ChainIndex != tc.index || !hits[0].Authority {
				t.Fatalf("hits %+v, want one authority hit at %d", hits, tc.index)
			}
			f := hits[0].Finding()
			if f.Rule != RuleTSABlocklisted || f.Severity != signing.SeverityWarning || !strings.Contains(f.Message, "time-stamping authority") {
				t.Errorf("finding %+v", f)
			}
			// The same entry on the signer's side stays signer/blocklisted.
			if sh := l.MatchChain(ts.AuthorityChain(), tc.now, false, PolicyWindows); len(sh) != 1 || sh[0].Finding().Rule != RuleSignerBlocklisted {
				t.Errorf("MatchChain hits %+v", sh)
			}
		})
	}
	if hits := New().MatchTimestamp(nil, revoked, PolicyStrict); hits != nil {
		t.Errorf("nil timestamp: %+v", hits)
	}
}

// TestUntimestampedZeroTimeIsTheClock: a zero "now" for an untimestamped
// signature means the clock, and the explanation names it "the verification
// time" instead of printing the clock, so repeated runs give identical
// findings.
func TestUntimestampedZeroTimeIsTheClock(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Clock Test Signer", nil)
	leaf := signing.NewIdentity(pki.leaf.Cert)
	l, err := Parse(strings.NewReader(`{"version":1,"entries":[{"kind":"cert-sha256","value":"`+leaf.SHA256+`","notBefore":"2001-01-01T00:00:00Z"}]}`), "list.json", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := l.MatchChain([]signing.Identity{leaf}, time.Time{}, false, PolicyWindows)
	second := l.MatchChain([]signing.Identity{leaf}, time.Time{}, false, PolicyWindows)
	if len(first) != 1 || len(second) != 1 {
		t.Fatalf("hits %+v / %+v, want one each (window opened before the clock)", first, second)
	}
	a, b := first[0].Finding().Message, second[0].Finding().Message
	if a != b || !strings.Contains(a, "the verification time") || strings.Contains(a, fmt.Sprint(time.Now().Year())) {
		t.Errorf("messages differ or print the clock:\n%s\n%s", a, b)
	}
	if hits := l.MatchChain([]signing.Identity{leaf}, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), false, PolicyWindows); len(hits) != 0 {
		t.Errorf("a given time before the window still blocks: %+v", hits)
	}
}
