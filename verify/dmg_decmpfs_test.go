package verify

import (
	"bytes"
	"sort"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/decmpfs"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/machofile"
)

// compressedBundle returns bundle's regular files stored with HFS+
// transparent compression, their data in the resource fork, the types
// 4 (zlib), 8 (LZVN) and 12 (LZFSE) in turn; and the paths in order.
func compressedBundle(bundle map[string]machofile.BundleFile) (map[string]hfsplus.BuildFile, []string) {
	var paths []string
	for p, f := range bundle {
		if f.Link == "" && len(f.Data) > 0 {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	out := map[string]hfsplus.BuildFile{}
	for i, p := range paths {
		f := bundle[p]
		out[p] = hfsplus.BuildFile{Data: f.Data, Mode: f.Mode, Compressed: true, CompressType: []uint32{4, 8, 12}[i%3]}
	}
	return out, paths
}

// TestDMGCompressedAppVerifies: an app whose every file is compressed
// with its data in the resource fork (zlib, LZVN and LZFSE chunks) is
// decoded and verifies like a plain one.
func TestDMGCompressedAppVerifies(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	files, _ := compressedBundle(bundle)
	r := runDMG(t, hfsDMG(t, bundle, files, false, nil))
	if !r.Summary.Passed {
		t.Errorf("failed: %v", errorRules(r))
	}
}

// TestAttackDMGCompressedChunkTampered: one byte changed in a
// compressed chunk of each file of the app's resource-fork compressed
// files fails the release, whichever the method: a zlib or LZFSE chunk
// no longer decodes, an LZVN one (no checksum) decodes to bytes the
// seal does not match.
func TestAttackDMGCompressedChunkTampered(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	files, paths := compressedBundle(bundle)
	for i, p := range paths[:min(3, len(paths))] {
		t.Run(p, func(t *testing.T) {
			_, fork := decmpfs.Encode(files[p].CompressType, files[p].Data)
			r := runDMG(t, hfsDMG(t, bundle, files, false, func(v []byte) {
				at := bytes.Index(v, fork)
				if at < 0 {
					t.Fatalf("fork %d not found", i)
				}
				end := at + len(fork)
				if files[p].CompressType == 4 {
					end -= 50 // the empty resource map after the chunks
				}
				v[end-12] ^= 0x21
			}))
			if r.Summary.Passed {
				t.Error("release passed")
			}
		})
	}
}

// TestDMGAPFSCompressedAppVerifies: on an APFS volume, an app whose
// every file is compressed with its data in the resource fork (inline
// or in a data stream) verifies; a changed byte of a chunk fails it.
func TestDMGAPFSCompressedAppVerifies(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	hfs, paths := compressedBundle(bundle)
	files := map[string]apfs.BuildFile{}
	for p, f := range hfs {
		files[p] = apfs.BuildFile{Data: f.Data, Mode: f.Mode, Compressed: true, CompressType: f.CompressType}
	}
	if r := runDMG(t, apfsDMG(t, bundle, files)); !r.Summary.Passed {
		t.Errorf("failed: %v", errorRules(r))
	}
	f := files[paths[0]]
	f.Data = bytes.Clone(f.Data)
	f.Data[len(f.Data)/2] ^= 1 // as if a chunk decoded to other bytes
	files[paths[0]] = f
	if r := runDMG(t, apfsDMG(t, bundle, files)); r.Summary.Passed {
		t.Error("a changed file passed")
	}
}
