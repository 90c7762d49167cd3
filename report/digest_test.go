package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// TestDigestJSONIsHexString checks that a File's digest is written as the
// lowercase hex string the report had when it was a string, and read back.
func TestDigestJSONIsHexString(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	h := hex.EncodeToString(sum[:])
	type old struct {
		Path   string `json:"path"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
		Kind   Kind   `json:"kind"`
	}
	want, _ := json.Marshal(old{"a", 1, h, KindOther})
	got, err := json.Marshal(File{Path: "a", Size: 1, SHA256: sum, Kind: KindOther})
	if err != nil || string(got) != string(want) {
		t.Fatalf("got %s, %v; want %s", got, err, want)
	}
	var f File
	if err := json.Unmarshal(got, &f); err != nil || f.SHA256 != Digest(sum) || f.SHA256.String() != h {
		t.Fatalf("read back %x, %v", f.SHA256, err)
	}
}

// TestParseDigestRejectsNonCanonicalHex checks that only 64 lowercase hex
// digits (or the empty string, no digest) parse.
func TestParseDigestRejectsNonCanonicalHex(t *testing.T) {
	for _, s := range []string{strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 66), strings.Repeat("g", 64), " " + strings.Repeat("a", 63)} {
		if _, err := ParseDigest(s); err == nil {
			t.Errorf("ParseDigest(%q) succeeded", s)
		}
	}
	if d, err := ParseDigest(""); err != nil || !d.IsZero() {
		t.Errorf(`ParseDigest("") = %x, %v`, d, err)
	}
	var f File
	if err := json.Unmarshal([]byte(`{"sha256":"`+strings.Repeat("A", 64)+`"}`), &f); err == nil {
		t.Error("a report with an upper-case digest was read")
	}
}
