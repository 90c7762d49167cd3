package verify

import (
	"slices"
	"testing"
)

// TestAttackSquirrelDeltaPatch: a Squirrel.Windows release folder holds
// App-1.0.1-full.nupkg, which verify checks, and App-1.0.1-delta.nupkg,
// which clients updating from 1.0.0 download instead: Update.exe applies
// its lib/net45/App.exe.bsdiff (or an MSDelta App.exe.diff) to the
// installed App.exe and keeps the result when it matches the SHA-1 of the
// .shasum beside it, in the same package. The patch was an unremarkable
// data file, so the App.exe it builds, whatever the full package holds,
// passed unseen. Each patch is now file/unchecked-archive; the empty
// .diff of an unchanged file and the "1" Squirrel writes beside a .bsdiff
// are not.
func TestAttackSquirrelDeltaPatch(t *testing.T) {
	f := getFixtures(t)
	full := makeZip(t, []zipEntry{{name: "lib/net45/App.exe", data: f.peValid}})
	delta := makeZip(t, []zipEntry{
		{name: "lib/net45/App.exe.bsdiff", data: append([]byte("BSDIFF40"), make([]byte, 40)...)},
		{name: "lib/net45/App.exe.diff", data: []byte("1")},
		{name: "lib/net45/App.exe.shasum", data: []byte("0123456789012345678901234567890123456789 App.exe 1536")},
		{name: "lib/net45/ffmpeg.dll.diff", data: append([]byte("PA30"), make([]byte, 40)...)},
		{name: "lib/net45/ffmpeg.dll.shasum", data: []byte("0123456789012345678901234567890123456789 ffmpeg.dll 1536")},
		{name: "lib/net45/same.dll.diff"},
		{name: "lib/net45/same.dll.shasum"},
	})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"App-1.0.1-full.nupkg": full, "App-1.0.1-delta.nupkg": delta})
	r := run(t, Options{Policy: requireValid()}, dir)
	var got []string
	for _, fd := range r.Findings {
		got = append(got, fd.Severity.String()+" "+string(fd.Rule)+" "+fd.Path)
	}
	slices.Sort(got)
	want := []string{
		"warning file/unchecked-archive App-1.0.1-delta.nupkg/lib/net45/App.exe.bsdiff",
		"warning file/unchecked-archive App-1.0.1-delta.nupkg/lib/net45/ffmpeg.dll.diff",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

// TestAttackSquirrelDeltaLegacyPatch: Update.exe applies a delta
// package's .diff with MSDelta's ApplyDelta and ApplyFlags.AllowLegacy
// (DELTA_APPLY_FLAG_ALLOW_PA19), so a legacy PatchAPI delta, "PA19"
// rather than "PA30", builds the installed file just the same. Only PA30
// was known as a patch: the PA19 .diff was a data file, and the App.exe
// it builds passed unseen. It is now file/unchecked-archive too.
func TestAttackSquirrelDeltaLegacyPatch(t *testing.T) {
	delta := makeZip(t, []zipEntry{
		{name: "lib/net45/App.exe.diff", data: append([]byte("PA19"), make([]byte, 40)...)},
		{name: "lib/net45/App.exe.shasum", data: []byte("0123456789012345678901234567890123456789 App.exe 1536")},
	})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"App-1.0.1-delta.nupkg": delta})
	r := run(t, Options{Policy: requireValid()}, dir)
	var got []string
	for _, fd := range r.Findings {
		got = append(got, fd.Severity.String()+" "+string(fd.Rule)+" "+fd.Path)
	}
	want := []string{"warning file/unchecked-archive App-1.0.1-delta.nupkg/lib/net45/App.exe.diff"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
