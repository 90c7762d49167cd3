package verify

import (
	"io/fs"

	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
)

// permFindings returns, for the file at report path p, an entry of a what,
// the findings its mode gives (walk.PermFindings, sbom's too; recs are a
// tar entry's pax records, or nil).
func permFindings(p, what string, mode fs.FileMode, recs map[string]string) []signing.Finding {
	return walk.PermFindings(p, what, mode, recs)
}
