package dmg

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// TestBzip2BlockBufferCharged: a one-sector bzip2 chunk written by bzip2
// -9 costs its decoder a 3.6 MB block buffer, and the expansion budget is
// charged that, not 512 bytes: under a 1 MiB budget it is not decoded
// (dmg/expansion-limit naming the buffer), while the same sector at -1
// (400 kB) is, and its checksums verify.
func TestBzip2BlockBufferCharged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		level int
		limit bool
	}{{9, true}, {1, false}} {
		b, _ := dmgfile.Build(dmgfile.Spec{Bzip2Level: tc.level})
		res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{MaxExpanded: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		var msg string
		for _, f := range res.Findings {
			if f.Rule == RuleExpansionLimit {
				msg = f.Message
			}
		}
		if (msg != "") != tc.limit {
			t.Errorf("bzip2 -%d: expansion limit %q, want one: %t; rules %v", tc.level, msg, tc.limit, rules(res))
		}
		if tc.limit && !strings.Contains(msg, "3600000-byte bzip2 block buffer") {
			t.Errorf("bzip2 -%d: the finding does not name the buffer: %s", tc.level, msg)
		}
		if !tc.limit && slices.Contains(rules(res), string(RuleChecksumMismatch)) {
			t.Errorf("bzip2 -%d: rules %v", tc.level, rules(res))
		}
	}
}

// TestPartitionBzip2BlockBufferCharged: a PartitionReader charges Take a
// bzip2 chunk's block buffer too.
func TestPartitionBzip2BlockBufferCharged(t *testing.T) {
	t.Parallel()
	img, _ := dmgfile.Build(dmgfile.Spec{HFS: volume(64 << 10), HFSBzip2: true})
	var most int64
	pr, err := openFS(t, img, PartitionOptions{Take: func(n int64) bool {
		most = max(most, n)
		return true
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.ReadAt(make([]byte, 512), 0); err != nil {
		t.Fatal(err)
	}
	if most != 3_600_000 {
		t.Errorf("the bzip2 chunk was charged %d bytes, want its 3600000-byte block buffer", most)
	}
}
