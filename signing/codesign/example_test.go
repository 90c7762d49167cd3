package codesign_test

import (
	"fmt"
	"os"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// Verify a universal file and print who signed each slice. The test root
// stands in for Apple's roots (signing.EmbeddedApple in production).
func ExampleOpen() {
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEMFiles: []string{"../../testdata/codesign/test-root.pem"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := codesign.Open("../../testdata/codesign/universal.macho", codesign.Options{
		Trust: trust,
		Time:  time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, sig := range res.Signatures {
		fmt.Printf("%s %s team=%s cdhash=%s\n", sig.Arch, sig.Status, sig.Signer.TeamID, res.Slices[i].CDHashes[0])
	}
	// Output:
	// x86_64 valid team=TEAM123456 cdhash=7476a961b61a8cbd508945b44f6bc6edea8233ce
	// arm64 valid team=TEAM123456 cdhash=ca29fb8dbd99d84340467418b60a7e7ba70ae655
}

// Check a bundle and every piece of code nested in it.
func ExampleVerifyBundle() {
	res, err := codesign.VerifyBundle(os.DirFS("../../testdata/codesign"), "Example.app", codesign.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range res.Items {
		fmt.Println(it.Path, it.Result.Status())
	}
	fmt.Println(len(res.Findings), "bundle findings")
	// Output:
	// Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Example Framework untrusted
	// Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib untrusted
	// Example.app/Contents/MacOS/Example untrusted
	// Example.app/Contents/Resources/addon.node adhoc
	// 0 bundle findings
}
