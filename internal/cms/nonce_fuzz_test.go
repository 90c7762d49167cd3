package cms_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// FuzzTimestampNonce reads hostile RFC 3161 tokens as a token that
// verified, whose TSTInfo's nonce is judged (longer than a 256-bit random
// number: room for data): no panic; every region inside the token's DER
// and its input; a nonce region an INTEGER longer than 33 bytes.
func FuzzTimestampNonce(f *testing.F) {
	p := newPKI(f)
	accuracy := testpki.TLV(0x30, mustDER(f, 1), testpki.TLV(0x80, []byte{0x01, 0xf4}))
	for _, n := range []int{8, 33, 34, 200} {
		nonce := testpki.TLV(0x02, append([]byte{0x7f}, bytes.Repeat([]byte{0xa5}, n-1)...))
		for _, tail := range [][]byte{nonce, append(append(append([]byte(nil), accuracy...), 0x01, 0x01, 0xff), nonce...)} {
			tst := tstSpec{genTime: "20240601133000Z", stamped: []byte("x"), tail: tail}.der(f)
			f.Add(tokenOver(tst, p.tsa, nil, p.root))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		regions := cms.TimestampTokenRegions(b, &signing.Timestamp{Verified: true})
		if len(regions) == 0 {
			return
		}
		sd, err := cms.Parse(b)
		if err != nil {
			t.Fatalf("%d regions in a token that does not parse: %v", len(regions), err)
		}
		for _, r := range regions {
			if r.Offset < 0 || r.Len <= 0 || r.Offset+r.Len > len(sd.DER) {
				t.Fatalf("region %+v outside the %d-byte DER", r, len(sd.DER))
			}
			if off, n := sd.InputSpan(r.Offset, r.Len); off < 0 || n <= 0 || off+n > sd.Len {
				t.Fatalf("region %+v maps to [%d, +%d), outside the %d input bytes", r, off, n, sd.Len)
			}
			if strings.Contains(r.Reason, "token's nonce holds") && (sd.DER[r.Offset] != 0x02 || r.Len < 2+34) {
				t.Fatalf("nonce region %+v: % x", r, sd.DER[r.Offset:r.Offset+min(r.Len, 8)])
			}
		}
	})
}
