package codesign

import (
	"encoding/binary"
	"testing"
)

// superBlobWithGap builds a SuperBlob with one index entry (a CodeDirectory
// slot) and an 8-byte blob placed after gap, whose bytes are fill.
func superBlobWithGap(gap []byte) []byte {
	be := binary.BigEndian
	off := uint32(20 + len(gap))
	b := be.AppendUint32(nil, magicEmbeddedSignature)
	b = be.AppendUint32(b, off+8)
	b = be.AppendUint32(b, 1)
	b = be.AppendUint32(b, 0) // slot 0: the CodeDirectory
	b = be.AppendUint32(b, off)
	b = append(b, gap...)
	b = be.AppendUint32(b, 0xfade0c02)
	return be.AppendUint32(b, 8)
}

// TestLLDSuperBlobPadLegitimate checks the SuperBlob that LLVM's linker
// writes when it signs ad hoc (as rollup's, swc's and other Rust-built npm
// native modules for macOS are): its first blob aligned to 8 bytes leaves
// 4 zero bytes after a one-entry index. They used to be a
// codesign/unowned-signature-data warning on every such binary.
func TestLLDSuperBlobPadLegitimate(t *testing.T) {
	t.Parallel()
	sb, err := parseSuperBlob(superBlobWithGap(make([]byte, 4)))
	if err != nil {
		t.Fatal(err)
	}
	if len(sb.probs) != 0 || len(sb.blobs) != 1 {
		t.Errorf("lld padding: problems %+v, %d blobs", sb.probs, len(sb.blobs))
	}
}

// TestAttackLLDSuperBlobPad keeps the bounds of that tolerance: non-zero
// bytes in the pad are an error, and zeros past the 8-byte alignment a
// warning, as any other unowned bytes.
func TestAttackLLDSuperBlobPad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		gap  []byte
		warn bool
	}{
		{"data in the pad", []byte("PAY!"), false},
		{"zeros past the alignment", make([]byte, 12), true},
	} {
		sb, err := parseSuperBlob(superBlobWithGap(tc.gap))
		if err != nil {
			t.Fatal(err)
		}
		if len(sb.probs) != 1 || sb.probs[0].rule != RuleUnownedSignatureData || sb.probs[0].warn != tc.warn {
			t.Errorf("%s: problems %+v", tc.name, sb.probs)
		}
	}
}
