package attest_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/shipgate/shipgate/signing/attest"
	"github.com/sigstore/sigstore/pkg/signature"
)

// A pipeline signs the summary of a gated release; the next stage checks it
// and that the file it received is one the gate saw.
func Example() {
	app := []byte("contents of app.exe")
	sum := sha256.Sum256(app)
	report := fmt.Appendf(nil, `{"schemaVersion":1,"tool":{"name":"shipgate","version":"v1.0.0"},
		"files":[{"path":"app.exe","size":%d,"sha256":"%x","kind":"pe"}],
		"findings":[],"summary":{"files":1,"signed":1,"errors":0,"warnings":0,"passed":true}}`, len(app), sum)

	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) // use attest.LoadSigner in real life
	sv, err := signature.LoadED25519SignerVerifier(key)
	if err != nil {
		panic(err)
	}
	envelope, err := attest.Sign(report, sv, attest.SignOptions{})
	if err != nil {
		panic(err)
	}

	v, err := attest.Verify(envelope, sv, attest.VerifyOptions{
		Subjects: []attest.Subject{{SHA256: hex.EncodeToString(sum[:])}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Predicate.Result, v.Matched[0].Name, v.PredicateType)
	// Output: PASSED app.exe https://slsa.dev/verification_summary/v1
}
