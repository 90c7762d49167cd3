package codesign

import (
	"fmt"

	"github.com/shipgate/shipgate/signing"
)

// sha1OnlySeal judges the files2 entry rel (the file at p) that holds only
// a SHA-1 hash (hash, no hash2). Security's ResourceSeal::hash looks up
// the hash of each CodeDirectory hash type ("hash2" for SHA-256) and falls
// back to "hash" when it is missing ("pre-agility fallback",
// libsecurity_codesigning resources.cpp); SecStaticCode::validateResource
// then checks the file with every hash type of the signature's
// CodeDirectories. So with only SHA-1 directories the SHA-1 hash binds the
// file, which a chosen-prefix collision can defeat (a warning), and with a
// SHA-256 (or stronger) directory macOS compares a 32-byte digest with the
// 20-byte SHA-1 and rejects the file (an error). A bundle whose seal has no
// files2 at all is codesign/weak-resource-envelope instead (sealed.sha1).
func (b *bundleCheck) sha1OnlySeal(p, rel string) {
	if b.seal == nil || b.seal.sha1 {
		return
	}
	if strong := b.mainStrongHash(); strong != "" {
		b.add(RuleMalformed, signing.SeverityError, p, fmt.Sprintf("CodeResources files2 seals %q with SHA-1 only (no hash2): macOS checks it with the main executable's %s CodeDirectory, finds only the 20-byte SHA-1, and rejects the bundle", rel, strong))
		return
	}
	b.add(RuleMalformed, signing.SeverityWarning, p, fmt.Sprintf("CodeResources files2 seals %q with SHA-1 only (no hash2): SHA-1 chosen-prefix collisions are practical, so the seal may not bind the file against its signer", rel))
}

// mainStrongHash returns the name of a CodeDirectory hash type other than
// SHA-1 among the main executable's slices, or "" when there is none (or no
// verified main executable).
func (b *bundleCheck) mainStrongHash() string {
	if b.mainItem < 0 || b.mainItem >= len(b.out.Items) || b.out.Items[b.mainItem].Result == nil {
		return ""
	}
	for _, s := range b.out.Items[b.mainItem].Result.Slices {
		for _, cd := range s.CodeDirectories {
			if cd.HashType != HashSHA1 {
				return cd.HashType.String()
			}
		}
	}
	return ""
}
