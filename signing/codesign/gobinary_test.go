package codesign

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// buildGo cross-compiles a tiny Go program for darwin/goarch
// (machofile.GoHello). Go's linker signs darwin/arm64 output ad-hoc
// (linker-signed) and leaves darwin/amd64 unsigned, so these are real
// Mach-O files made by an independent writer.
func buildGo(t *testing.T, goarch string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("cross-compiling Go programs is skipped in -short mode")
	}
	b, err := machofile.GoHello(t.TempDir(), goarch)
	if errors.Is(err, machofile.ErrNoGoTool) {
		t.Skip("the go command is not available to cross-compile fixtures")
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoLinkerBinaries(t *testing.T) {
	t.Parallel()
	arm := buildGo(t, "arm64")
	amd := buildGo(t, "amd64")
	trust := testTrust(t)
	opts := Options{Trust: trust, Time: checkTime}

	r := verifyBytes(t, arm, opts)
	s := r.Slices[0]
	if r.Signatures[0].Status != signing.StatusAdhoc || !s.Adhoc || !s.LinkerSigned || s.Identifier != "a.out" || s.CMS {
		t.Fatalf("darwin/arm64 Go binary: %+v\n%s", s, dump(r))
	}
	if cd := s.CodeDirectories[0]; cd.HashType != HashSHA256 || cd.PageSize != 4096 || cd.CodeLimit != s.SignatureOffset || cd.BadPages != 0 {
		t.Fatalf("CodeDirectory %+v", cd)
	}
	if strings.Join(rulesOf(r), ",") != string(RuleAdhoc) {
		t.Fatalf("rules %v", rulesOf(r))
	}
	flipped := bytes.Clone(arm)
	flipped[s.SignatureOffset/2] ^= 1
	if r := verifyBytes(t, flipped, opts); r.Signatures[0].Status != signing.StatusInvalid {
		t.Fatalf("flipped Go binary: %s", dump(r))
	}

	r = verifyBytes(t, amd, opts)
	if r.Signatures[0].Status != signing.StatusUnsigned || r.Slices[0].Arch != "x86_64" {
		t.Fatalf("darwin/amd64 Go binary: %s", dump(r))
	}

	// Sign both for real with the test Developer ID, replacing the linker's
	// signature on arm64, then combine them into universal files.
	p := machofile.NewPKI()
	armS, _, err := machofile.Sign(arm, p.DeveloperIDSpec("hello"))
	if err != nil {
		t.Fatal(err)
	}
	amdS, _, err := machofile.Sign(amd, p.DeveloperIDSpec("hello"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{armS, amdS} {
		if r := verifyBytes(t, b, opts); r.Status() != signing.StatusValid || len(r.Findings) != 0 {
			t.Fatalf("Developer ID signed Go binary: %s", dump(r))
		}
	}
	for _, is64 := range []bool{false, true} {
		fat := machofile.Fat([]machofile.Arch{{Data: amdS}, {Data: armS}}, is64)
		r := verifyBytes(t, fat, opts)
		if !r.Universal || strings.Join(statusesOf(r), ",") != "valid,valid" || len(r.Findings) != 0 {
			t.Fatalf("universal (64-bit header %t): %s", is64, dump(r))
		}
		if r.Slices[0].Arch != "x86_64" || r.Slices[1].Arch != "arm64" || r.Signatures[1].Signer.TeamID != machofile.TeamID {
			t.Fatalf("slices %+v", r.Slices)
		}
	}
}
