package verify

import (
	"bytes"
	"strings"
	"testing"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
)

// FuzzPEProductVersions feeds hostile PE files and version resources to
// the reader of installers' product versions: none may panic, and a
// version read has four numbers.
func FuzzPEProductVersions(f *testing.F) {
	pe, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: 16, ID: 1, Data: versionInfo(1, 4, 1, 0)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pe)
	f.Add(versionInfo(65535, 0, 1, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, v := range peProductVersions(bytes.NewReader(b), int64(len(b))) {
			if strings.Count(v, ".") != 3 {
				t.Fatalf("version %q", v)
			}
		}
		fixedProductVersion(b)
	})
}
