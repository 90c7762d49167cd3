package asar

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
)

// checkEntrySum checks that VerifyEntrySum, given the digest of data (the
// bytes of the packed file e), says what VerifyEntryData says given the
// bytes, or declines (ok false) only for a file of several blocks.
func checkEntrySum(t *testing.T, ar *Reader, e *Entry, data []byte) {
	t.Helper()
	h := sha256.Sum256(data)
	sum, ok, err := ar.VerifyEntrySum(e, hex.EncodeToString(h[:]))
	if !ok {
		if e.Integrity == nil || unusableIntegrity(e) != nil || len(e.Integrity.Blocks) == 1 {
			t.Errorf("%s: VerifyEntrySum declined a file whose integrity it can judge", e.Path)
		}
		return
	}
	if sum2, err2 := ar.VerifyEntryData(e, data); sum != sum2 || fmt.Sprint(err) != fmt.Sprint(err2) {
		t.Errorf("%s: VerifyEntrySum = %s, %v; VerifyEntryData = %s, %v", e.Path, sum, err, sum2, err2)
	}
}
