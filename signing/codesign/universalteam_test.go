package codesign

import (
	"bytes"
	"encoding/hex"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// evilSigner is a Developer ID Application signer of another team under the
// fixture PKI's trusted CA: what an attacker holding any Developer ID has.
func evilSigner(p *machofile.PKI) machofile.Signer {
	leaf := p.CA.Issue(testpki.Spec{
		CommonName: "Developer ID Application: Mallory Ltd (EVIL000000)", Organization: "Mallory Ltd", OrganizationalUnit: "EVIL000000",
		KeyN: 16, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
	})
	return machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{p.CA}, SigningTime: machofile.SignTime, TSA: p.TSA, TimestampAt: machofile.SignTime}
}

// evilSlice is an x86_64 slice validly signed by evilSigner.
func evilSlice(t *testing.T, p *machofile.PKI, id string) []byte {
	t.Helper()
	spec := p.DeveloperIDSpec(id)
	spec.TeamID = "EVIL000000"
	spec.CMS = evilSigner(p).CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUX86_64, Seed: 77, CodeSize: 6000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A universal file whose slices are signed by two teams: each slice's own
// signature is valid, but macOS refuses such a file (every architecture
// must carry the team of the one it validates), and a seal that binds the
// file by one slice's cdhash says nothing about the other. The second
// team's slice must not pass as the first team's code.
func TestAttackUniversalSlicesOfTwoTeams(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	opts := Options{Trust: testTrust(t), Time: checkTime}
	good, _ := signArch(t, machofile.CPUARM64, 21, p.DeveloperIDSpec("libffmpeg"))
	goodX86, _ := signArch(t, machofile.CPUX86_64, 22, p.DeveloperIDSpec("libffmpeg"))
	cases := []struct {
		name string
		x86  []byte
		want []signing.Status
	}{
		{"one-team", goodX86, []signing.Status{signing.StatusValid, signing.StatusValid}},
		{"second-team", evilSlice(t, p, "libffmpeg"), []signing.Status{signing.StatusValid, signing.StatusInvalid}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fat := machofile.Fat([]machofile.Arch{{Data: good}, {Data: c.x86}}, false)
			res, err := Verify(bytes.NewReader(fat), int64(len(fat)), opts)
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range c.want {
				if got := res.Signatures[i].Status; got != st {
					t.Errorf("slice %d: status %s, want %s\n%s", i, got, st, dump(res))
				}
			}
			mismatch := false
			for _, f := range res.Findings {
				mismatch = mismatch || f.Rule == RuleTeamIDMismatch
			}
			if mismatch != (c.name == "second-team") {
				t.Errorf("team-id-mismatch reported: %v\n%s", mismatch, dump(res))
			}
		})
	}
}

// The same attack inside a bundle: the framework's CodeResources seals
// libffmpeg.dylib by the cdhash of its one slice; the attacker makes it
// universal, keeping that slice and adding one signed by another team.
func TestAttackUniversalNestedDylibSecondTeam(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	files := machofile.ExampleBundle(p)
	m := bundleFS(files)
	lib := "Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
	m[lib].Data = machofile.Fat([]machofile.Arch{{Data: files[lib].Data}, {Data: evilSlice(t, p, "libffmpeg")}}, false)
	res, err := VerifyBundle(m, "Example.app", Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status() != signing.StatusInvalid {
		t.Errorf("bundle status %s with a second team's slice in a sealed dylib\n%s", res.Status(), dumpBundle(res))
	}
	rules := bundleRules(res)
	found := false
	for _, r := range rules {
		found = found || r == string(RuleTeamIDMismatch)
	}
	if !found {
		t.Errorf("rules %v, want %s", rules, RuleTeamIDMismatch)
	}
}

// adhocNestedApp is an app whose main executable (Developer ID) seals
// Contents/Frameworks/libhelper.dylib by the cdhash of its arm64 slice
// and the requirement req, as codesign seals ad-hoc nested code: its
// designated requirement names the cdhash of every architecture.
func adhocNestedApp(t *testing.T, p *machofile.PKI, lib []byte, sealed []byte, req string) fstest.MapFS {
	t.Helper()
	info := machofile.InfoPlist("Example", "com.example.app")
	seal := machofile.CodeResources(nil, map[string]machofile.Nested{"Frameworks/libhelper.dylib": {CDHash: sealed, Requirement: req}})
	spec := p.DeveloperIDSpec("com.example.app")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 24, CodeSize: 5000}), spec)
	if err != nil {
		t.Fatal(err)
	}
	return bundleFS(map[string]machofile.BundleFile{
		"Example.app/Contents/Info.plist":                   {Data: info},
		"Example.app/Contents/MacOS/Example":                {Data: exe, Mode: 0o755},
		"Example.app/Contents/_CodeSignature/CodeResources": {Data: seal},
		"Example.app/Contents/Frameworks/libhelper.dylib":   {Data: lib, Mode: 0o755},
	})
}

// TestAttackUniversalAdhocNestedSlice: ad-hoc slices carry no team, so
// the team check cannot tell an added one from the vendor's. CodeResources
// seals ad-hoc nested code by one cdhash and a requirement naming the
// cdhash of each architecture; a slice added beside the sealed one must
// satisfy that requirement, as macOS checks every architecture against it.
func TestAttackUniversalAdhocNestedSlice(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	adhoc := func(cpu uint32, seed uint64) ([]byte, string) {
		return signArch(t, cpu, seed, machofile.SignSpec{Identifier: "libhelper", Flags: machofile.FlagAdhoc})
	}
	arm, armHash := adhoc(machofile.CPUARM64, 31)
	x86, x86Hash := adhoc(machofile.CPUX86_64, 32)
	evil, _ := adhoc(machofile.CPUX86_64, 33)
	sealed, _ := hex.DecodeString(armHash)
	req := `cdhash H"` + armHash + `" or cdhash H"` + x86Hash + `"`
	cases := []struct {
		name string
		lib  []byte
		bad  bool
	}{
		{"vendor-slices", machofile.Fat([]machofile.Arch{{Data: arm}, {Data: x86}}, false), false},
		{"added-slice", machofile.Fat([]machofile.Arch{{Data: arm}, {Data: evil}}, false), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := VerifyBundle(adhocNestedApp(t, p, c.lib, sealed, req), "Example.app", Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			modified := false
			for _, f := range res.Findings {
				modified = modified || f.Rule == RuleResourceModified
			}
			if modified != c.bad {
				t.Errorf("resource-modified %t, want %t\n%s", modified, c.bad, dumpBundle(res))
			}
		})
	}
}
