package signing_test

import (
	"crypto/x509/pkix"
	"fmt"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// ExampleClassifyApple tells a Developer ID Application leaf from an Apple
// Development one, and refuses a Developer ID leaf hung from the wrong CA.
func ExampleClassifyApple() {
	root := testpki.NewRoot(testpki.Spec{CommonName: "example root", KeyN: 20})
	devIDCA := root.Issue(testpki.Spec{CommonName: "Developer ID Certification Authority", CA: true, KeyN: 21,
		ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(6)}})
	wwdr := root.Issue(testpki.Spec{CommonName: "Apple Worldwide Developer Relations Certification Authority", CA: true, KeyN: 22,
		ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(1)}})
	devID := devIDCA.Issue(testpki.Spec{CommonName: "Developer ID Application: Example (ABCDE12345)", KeyN: 23,
		ExtraExtensions: []pkix.Extension{testpki.AppleLeafMarker(13)}})
	dev := wwdr.Issue(testpki.Spec{CommonName: "Apple Development: Example (ABCDE12345)", KeyN: 24,
		ExtraExtensions: []pkix.Extension{testpki.AppleLeafMarker(12)}})
	fmt.Println(signing.ClassifyApple(devID.Cert, devIDCA.Cert))
	fmt.Println(signing.ClassifyApple(dev.Cert, wwdr.Cert))
	fmt.Println(signing.ClassifyApple(devID.Cert, wwdr.Cert))
	fmt.Printf("%q\n", signing.ClassifyApple(root.Cert, nil))
	// Output:
	// developer-id-application
	// apple-development
	// unknown
	// ""
}
