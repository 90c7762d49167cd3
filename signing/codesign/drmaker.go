package codesign

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strconv"
)

// Apple's marker extensions DRMaker reads to tell Developer ID code.
var (
	oidDeveloperIDLeafMarker = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 13}
	oidDeveloperIDCAMarker   = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 6}
)

// implicitDesignated returns, in Apple's text form, the designated
// requirement macOS derives for a signature that carries none (the
// Security framework's DRMaker, printed by codesign -d -r- after
// "# designated =>"), for the two forms that are fixed and public: ad-hoc
// code is its cdhash (`cdhash H"…"`), and Developer ID code anchored at
// an Apple root is its identifier, Apple's generic anchor, the Developer
// ID markers of the intermediate and the leaf and the leaf's team
// (subject.OU). For other signatures (Apple Development, Mac App Store,
// Apple's own, a non-Apple anchor) it returns "": DRMaker's choice there
// depends on details not reproduced here.
func implicitDesignated(ctx *reqContext) string {
	if len(ctx.chain) == 0 {
		if len(ctx.cdhash) == 0 {
			return ""
		}
		return fmt.Sprintf(`cdhash H"%x"`, ctx.cdhash)
	}
	if len(ctx.chain) < 2 || ctx.appleRoot == nil || !ctx.appleRoot(ctx.chain[len(ctx.chain)-1]) {
		return ""
	}
	leaf := ctx.chain[0]
	if !hasExtension(leaf, oidDeveloperIDLeafMarker) || !hasExtension(ctx.chain[1], oidDeveloperIDCAMarker) || len(leaf.Subject.OrganizationalUnit) == 0 {
		return ""
	}
	text := "identifier " + strconv.Quote(ctx.identifier) +
		" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */" +
		" and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */" +
		" and certificate leaf[subject.OU] = " + strconv.Quote(leaf.Subject.OrganizationalUnit[0])
	r, err := CompileRequirement(text)
	if err != nil {
		return "" // an identifier or team the text form cannot hold
	}
	return r.String()
}

// hasExtension reports whether c carries an extension with the given OID.
func hasExtension(c *x509.Certificate, id asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(id) {
			return true
		}
	}
	return false
}
