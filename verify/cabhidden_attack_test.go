package verify

import (
	"bytes"
	"compress/flate"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
)

// TestAttackCabMSZIPHiddenBlock: a cabinet whose first MSZIP block hides,
// after its deflate stream's final block, a second "CK" stream that
// cabextract extracts as the next block's data (a harmful line where the
// checked file has a benign one) is an error at the cabinet, not a pass.
func TestAttackCabMSZIPHiddenBlock(t *testing.T) {
	t.Parallel()
	a1 := bytes.Repeat([]byte("benign first frame "), 2000)[:32<<10]
	a2, b2 := []byte("benign second block\n"), []byte("HARMFUL second block")
	deflate := func(data, dict []byte) []byte {
		var b bytes.Buffer
		b.WriteString("CK")
		w, _ := flate.NewWriterDict(&b, flate.BestSpeed, dict)
		w.Write(data)
		w.Close()
		return b.Bytes()
	}
	c := cab.Build([]cab.BuildFile{{Name: "readme.txt", Data: append(append([]byte{}, a1...), a2...)}}, cab.BuildOptions{Method: cab.MethodMSZIP,
		Encode: func([]byte) ([][]byte, []int) {
			return [][]byte{append(deflate(a1, nil), deflate(b2, a1)...), deflate(a2, a1)}, []int{len(a1), len(a2)}
		}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.cab": c})
	r := run(t, Options{}, dir)
	var errs []string
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Path, "app.cab") && f.Severity.String() == "error" {
			errs = append(errs, f.Path+" "+string(f.Rule)+": "+f.Message)
		}
	}
	if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "after its deflate stream's final block") {
		t.Errorf("findings at app.cab %q, want an error naming the bytes after the final block", errs)
	}
}
