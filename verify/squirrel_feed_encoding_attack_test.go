package verify

import (
	"encoding/binary"
	"slices"
	"testing"
	"unicode/utf16"
)

// utf16Feed returns s as UTF-16 in byte order o behind its byte order
// mark.
func utf16Feed(s string, o binary.AppendByteOrder) []byte {
	out := o.AppendUint16(nil, 0xfeff)
	for _, u := range utf16.Encode([]rune(s)) {
		out = o.AppendUint16(out, u)
	}
	return out
}

// TestAttackSquirrelFeedUTF16: Update.exe reads the RELEASES of a local
// or UNC update folder with File.ReadAllText, which takes a UTF-16 (or
// UTF-32) byte order mark for the file's encoding; verify read the bytes
// as UTF-8 only, found no line that reads, and took the feed for one
// Update.exe refuses: a UTF-16 feed naming a package on another server
// passed. The feed is now read in the encoding its mark names.
func TestAttackSquirrelFeedUTF16(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pkg := makeZip(t, []zipEntry{{name: "lib/net45/App.exe", data: f.peValid}})
	evil := feedLineFor("https://evil.example/App-1.0.1-full.nupkg", pkg) + "\r\n"
	good := feedLineFor("App-1.0.1-full.nupkg", pkg) + "\r\n"
	utf32 := func(s string) []byte {
		out := binary.LittleEndian.AppendUint32(nil, 0xfeff)
		for _, r := range s {
			out = binary.LittleEndian.AppendUint32(out, uint32(r))
		}
		return out
	}
	for _, c := range []struct {
		name string
		feed []byte
		want []string
	}{
		{"UTF-16LE naming another server", utf16Feed(evil, binary.LittleEndian), []string{"error RELEASES"}},
		{"UTF-16BE naming another server", utf16Feed(evil, binary.BigEndian), []string{"error RELEASES"}},
		{"UTF-32LE naming another server", utf32(evil), []string{"error RELEASES"}},
		{"UTF-16LE naming the release's package", utf16Feed(good, binary.LittleEndian), nil},
	} {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"App-1.0.1-full.nupkg": pkg, "RELEASES": c.feed})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
}
