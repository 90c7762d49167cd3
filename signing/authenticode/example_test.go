package authenticode_test

import (
	"fmt"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// A 3CX-style file: intact signature, payload stuffed after the PKCS#7 blob.
func ExampleOpen() {
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEMFiles: []string{"../../testdata/authenticode/root.pem"}})
	if err != nil {
		panic(err)
	}
	res, err := authenticode.Open("../../testdata/authenticode/cert-table-padding.exe", authenticode.Options{
		Trust: trust,
		Time:  time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("status:", res.Status)
	for _, s := range res.Signatures {
		fmt.Println("digest matches:", s.Digest.Match())
	}
	for _, f := range res.Findings {
		fmt.Printf("%s at 0x%x\n", f.Rule, *f.Offset)
	}
	// Output:
	// status: invalid
	// digest matches: true
	// authenticode/cert-table-padding at 0x25d6
}
