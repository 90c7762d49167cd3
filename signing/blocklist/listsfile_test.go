package blocklist

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestListsFileSHA256: ListsFileSHA256 names exactly the file SHA-256
// entries (listed in upper case, kept in normal form), not a SHA-256 listed
// as another kind, and a nil or empty list names none.
func TestListsFileSHA256(t *testing.T) {
	t.Parallel()
	const listed = "c485674ee63ec8d4e8fde9800788175a8b02d3f9416d0e763360fff7f8eb4e02"
	const other = "00a0a09e08abca816857c446f88972ea78a3cee9833980df48b069f9612ba727"
	l := New()
	if err := l.Add(Entry{Kind: KindFileSHA256, Value: strings.ToUpper(listed), Reason: ReasonUnspecified}); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(Entry{Kind: KindAuthentihash, Value: other, Reason: ReasonUnspecified}); err != nil {
		t.Fatal(err)
	}
	sum := func(s string) (d [32]byte) {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		copy(d[:], b)
		return d
	}
	if !l.ListsFileSHA256(sum(listed)) {
		t.Error("the listed file SHA-256 is not found")
	}
	if l.ListsFileSHA256(sum(other)) {
		t.Error("an Authenticode hash is found as a file SHA-256")
	}
	if len(l.MatchFile(FileHashes{SHA256: listed})) != 1 {
		t.Error("MatchFile does not match the file ListsFileSHA256 names")
	}
	var none *List
	if none.ListsFileSHA256(sum(listed)) || New().ListsFileSHA256(sum(listed)) {
		t.Error("a nil or empty list names a file")
	}
}
