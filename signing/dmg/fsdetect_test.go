package dmg

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// TestDetectFileSystem: each foreign volume's first bytes are named, and
// so are HFS+ and APFS; a partition map's sectors (a protective MBR, a
// GPT header, an Apple driver descriptor map), zeros and short reads are
// no file system.
func TestDetectFileSystem(t *testing.T) {
	t.Parallel()
	for _, name := range dmgfile.ForeignVolumes {
		if got := DetectFileSystem(bytes.NewReader(dmgfile.ForeignVolume(name))); got != name {
			t.Errorf("%s: got %q", name, got)
		}
	}
	img, _ := dmgfile.Build(dmgfile.Spec{})
	pr, err := openFS(t, img, PartitionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := DetectFileSystem(pr); got != FSAPFS {
		t.Errorf("APFS partition: got %q", got)
	}
	if got := DetectFileSystem(bytes.NewReader(volume(64 << 10))); got != FSHFSPlus {
		t.Errorf("HFS+: got %q", got)
	}
	hfs := make([]byte, 4096)
	copy(hfs[1024:], "BD")
	binary.BigEndian.PutUint32(hfs[1024+20:], 4096)
	if got := DetectFileSystem(bytes.NewReader(hfs)); got != FSHFS {
		t.Errorf("HFS: got %q", got)
	}
	mbr := make([]byte, 64<<10)
	mbr[510], mbr[511] = 0x55, 0xAA
	mbr[446+4] = 0xEE // a protective entry
	gpt := make([]byte, 64<<10)
	copy(gpt[512:], "EFI PART\x00\x00\x01\x00\x5c\x00\x00\x00")
	copy(gpt, mbr[:512])
	ddm := make([]byte, 64<<10)
	copy(ddm, []byte{'E', 'R', 2, 0, 0, 0, 0x10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1})
	udfTorn := dmgfile.ForeignVolume("UDF")
	copy(udfTorn[32768+2048+1:], "XXXXX") // NSR02 gone
	fatBad := dmgfile.ForeignVolume("FAT")
	binary.LittleEndian.PutUint16(fatBad[11:], 513) // not a sector size
	for name, b := range map[string][]byte{
		"zeros": make([]byte, 64<<10), "mbr": mbr, "gpt": gpt, "ddm": ddm, "short": []byte("NX"),
		"empty": nil, "udf without nsr": udfTorn, "fat bad sector size": fatBad,
	} {
		if got := DetectFileSystem(bytes.NewReader(b)); got != "" {
			t.Errorf("%s: got %q", name, got)
		}
	}
}

// FuzzDetectFileSystem probes arbitrary bytes: DetectFileSystem returns
// one of its names or "", the same twice, and never panics.
func FuzzDetectFileSystem(f *testing.F) {
	for _, name := range dmgfile.ForeignVolumes {
		f.Add(dmgfile.ForeignVolume(name))
	}
	f.Add(volume(4096))
	names := []string{"", FSAPFS, FSHFSPlus, FSHFS, FSFAT, FSExFAT, FSNTFS, FSUDF, FSISO9660}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := DetectFileSystem(bytes.NewReader(b))
		if !slices.Contains(names, got) || DetectFileSystem(bytes.NewReader(b)) != got {
			t.Fatalf("got %q", got)
		}
	})
}

// TestCrossCheckDetectFileSystem formats volumes with the Debian tools
// that make them (mkfs.fat, mkfs.exfat, mkntfs, mkudffs, genisoimage) and
// checks each is named; a tool not installed skips its case.
func TestCrossCheckDetectFileSystem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		want, tool string
		args       func(img, dir string) []string
		size       int64 // of the file formatted in place; 0: the tool writes it
	}{
		{FSFAT, "mkfs.fat", func(img, _ string) []string { return []string{"-F", "12", img} }, 1 << 20},
		{FSFAT, "mkfs.fat", func(img, _ string) []string { return []string{"-F", "16", img} }, 32 << 20},
		{FSFAT, "mkfs.fat", func(img, _ string) []string { return []string{"-F", "32", img} }, 40 << 20},
		{FSExFAT, "mkfs.exfat", func(img, _ string) []string { return []string{img} }, 8 << 20},
		{FSNTFS, "mkntfs", func(img, _ string) []string { return []string{"-F", "-q", "-Q", img} }, 8 << 20},
		{FSUDF, "mkudffs", func(img, _ string) []string { return []string{"--media-type=hd", img} }, 8 << 20},
		{FSUDF, "mkudffs", func(img, _ string) []string { return []string{"--media-type=hd", "--blocksize=4096", img} }, 8 << 20},
		{FSISO9660, "genisoimage", func(img, dir string) []string { return []string{"-quiet", "-o", img, dir} }, 0},
		{FSUDF, "genisoimage", func(img, dir string) []string { return []string{"-quiet", "-udf", "-o", img, dir} }, 0},
	} {
		t.Run(tc.tool+"-"+tc.want, func(t *testing.T) {
			tool, err := exec.LookPath(tc.tool)
			if err != nil {
				t.Skipf("%s is not installed (dosfstools, exfatprogs, ntfs-3g, udftools, genisoimage); cross-check skipped", tc.tool)
			}
			dir := t.TempDir()
			files := filepath.Join(dir, "files")
			if err := os.MkdirAll(files, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(files, "a.txt"), []byte("a"), 0o644); err != nil {
				t.Fatal(err)
			}
			img := filepath.Join(dir, "vol.img")
			if tc.size > 0 {
				if err := os.WriteFile(img, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(img, tc.size); err != nil {
					t.Fatal(err)
				}
			}
			if out, err := exec.Command(tool, tc.args(img, files)...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", tc.tool, err, out)
			}
			b, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			if got := DetectFileSystem(bytes.NewReader(b)); got != tc.want {
				t.Errorf("got %q", got)
			}
		})
	}
}
