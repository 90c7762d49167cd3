package codesign

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// llvmTool finds an LLVM tool, plain or with a version suffix.
func llvmTool(t *testing.T, name string) string {
	t.Helper()
	for _, n := range []string{name, name + "-18", name + "-17", name + "-16", name + "-15", name + "-14"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Skipf("%s is not installed; skipping the cross-check against LLVM's Mach-O tools", name)
	return ""
}

// TestCrossCheckLLVMLipo builds universal files with llvm-lipo, an
// independent fat writer with its own alignment choices, from our signed
// thin files, and checks that every slice verifies and that the
// architectures agree with llvm-lipo -info.
func TestCrossCheckLLVMLipo(t *testing.T) {
	t.Parallel()
	lipo := llvmTool(t, "llvm-lipo")
	dir := t.TempDir()
	p := machofile.NewPKI()
	var inputs []string
	for _, cpu := range []uint32{machofile.CPUARM64, machofile.CPUX86_64} {
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: cpu, Seed: uint64(cpu)}), p.DeveloperIDSpec("com.example.lipo"))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, strconv.Itoa(int(cpu)))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, path)
	}
	fat := filepath.Join(dir, "fat")
	if out, err := exec.Command(lipo, append([]string{"-create", "-output", fat}, inputs...)...).CombinedOutput(); err != nil {
		t.Fatalf("llvm-lipo -create: %v\n%s", err, out)
	}
	r, err := Open(fat, Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Universal || r.Status() != signing.StatusValid || len(r.Findings) != 0 {
		t.Fatalf("llvm-lipo universal file: %s", dump(r))
	}
	info, err := exec.Command(lipo, "-info", fat).CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-lipo -info: %v\n%s", err, info)
	}
	var ours []string
	for _, s := range r.Slices {
		ours = append(ours, s.Arch)
	}
	for _, a := range ours {
		if !strings.Contains(string(info), a) {
			t.Errorf("llvm-lipo -info %q does not list %s", info, a)
		}
	}
}

// TestCrossCheckLLVMObjdump compares where LC_CODE_SIGNATURE points, as
// llvm-objdump reads it, with the slices Verify reports.
func TestCrossCheckLLVMObjdump(t *testing.T) {
	t.Parallel()
	objdump := llvmTool(t, "llvm-objdump")
	re := regexp.MustCompile(`cmd LC_CODE_SIGNATURE\s+cmdsize \d+\s+dataoff (\d+)\s+datasize (\d+)`)
	for _, name := range []string{"devid.macho", "adhoc-linker-signed.macho", "universal.macho", "universal64.macho"} {
		path := filepath.Join(fixtureDir, name)
		out, err := exec.Command(objdump, "--macho", "--private-headers", "--arch=all", path).CombinedOutput()
		if err != nil {
			if name == "universal64.macho" {
				continue // older llvm-objdump releases do not read 64-bit fat headers
			}
			t.Fatalf("%s: llvm-objdump: %v\n%s", name, err, out)
		}
		r, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := re.FindAllStringSubmatch(string(out), -1)
		if len(m) != len(r.Slices) {
			t.Fatalf("%s: llvm-objdump found %d code signatures, Verify %d slices", name, len(m), len(r.Slices))
		}
		for i, s := range r.Slices {
			if m[i][1] != strconv.FormatInt(s.SignatureOffset, 10) || m[i][2] != strconv.FormatInt(s.SignatureSize, 10) {
				t.Errorf("%s slice %d: llvm-objdump dataoff %s datasize %s, ours %d %d", name, i, m[i][1], m[i][2], s.SignatureOffset, s.SignatureSize)
			}
		}
	}
}
