package authenticode

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackSecurityDirectoryAddressWithoutTable: the image digest skips
// the security directory entry whatever it holds, so an unsigned PE file
// (one a catalog lists by that digest) whose entry gives Size 0 and a
// made-up VirtualAddress keeps its digest: four bytes of the attacker's
// choosing (an IPv4 address, a switch) that a catalog still vouches for.
// With CheckSum 0, as Go's and many linkers leave it, no finding named
// them. They are reported now (a warning, as other small regions no digest
// covers are); an entry of zeros stays silent, and the digest is the
// clean file's either way, as Windows computes it.
func TestAttackSecurityDirectoryAddressWithoutTable(t *testing.T) {
	clean := bytes.Clone(fixtureNamed(t, "unsigned.exe"))
	in, err := pefile.Parse(clean)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(clean[in.ChecksumOff:], 0)
	opts := Options{Trust: fixtureTrust(t), Time: fixtures.Now}
	want := verifyBytes(t, clean, opts)
	if want.Status != signing.StatusUnsigned || len(want.Findings) != 0 {
		t.Fatalf("clean file: %s %+v", want.Status, want.Findings)
	}
	for _, va := range []uint32{0xc0a80001, uint32(len(clean))} {
		b := bytes.Clone(clean)
		binary.LittleEndian.PutUint32(b[in.SecDirOff:], va)
		res := verifyBytes(t, b, opts)
		if res.Authentihash["sha256"] != want.Authentihash["sha256"] {
			t.Fatalf("VirtualAddress 0x%x changed the image digest", va)
		}
		if res.Status != signing.StatusUnsigned || len(res.Findings) != 1 || res.Findings[0].Rule != RuleCertTableInvalid ||
			res.Findings[0].Severity != signing.SeverityWarning || res.Findings[0].Offset == nil || *res.Findings[0].Offset != int64(in.SecDirOff) {
			t.Errorf("VirtualAddress 0x%x, Size 0: %s %+v, want unsigned with one %s warning at the entry", va, res.Status, res.Findings, RuleCertTableInvalid)
		}
	}
}
