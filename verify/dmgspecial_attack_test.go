package verify

import (
	"io/fs"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/hfsplus"
)

// A special file (a FIFO, a socket, a device) in a disk image's volume,
// outside the app, was only warned about (dmg/file-not-opened), so the
// release passed; in a folder it is file/unreadable, an error. Now the
// volume's special files are reported as a folder's are, and never opened.
func TestAttackSpecialFileInDMGVolume(t *testing.T) {
	t.Parallel()
	bundle := exampleBundle(t)
	kinds := map[string]fs.FileMode{
		"fifo":   fs.ModeNamedPipe,
		"socket": fs.ModeSocket,
		"char":   fs.ModeDevice | fs.ModeCharDevice,
		"block":  fs.ModeDevice,
	}
	for name, m := range kinds {
		t.Run("HFS+/"+name, func(t *testing.T) {
			r := runDMG(t, hfsDMG(t, bundle, map[string]hfsplus.BuildFile{"extra/" + name: {Mode: m | 0o644}}, false, nil))
			if got := rulesFor(r, "Example.dmg/extra/"+name); !has(got, "error "+string(ruleUnreadable)) || r.Summary.Passed {
				t.Errorf("special file: %v (passed %v)", got, r.Summary.Passed)
			}
		})
		t.Run("APFS/"+name, func(t *testing.T) {
			r := runDMG(t, apfsDMG(t, bundle, map[string]apfs.BuildFile{"extra/" + name: {Mode: m | 0o644}}))
			if got := rulesFor(r, "Example.dmg/extra/"+name); !has(got, "error "+string(ruleUnreadable)) || r.Summary.Passed {
				t.Errorf("special file: %v (passed %v)", got, r.Summary.Passed)
			}
		})
	}
	// An ordinary file there passes.
	r := runDMG(t, hfsDMG(t, bundle, map[string]hfsplus.BuildFile{"extra/readme.txt": {Data: []byte("hi")}}, false, nil))
	if !r.Summary.Passed {
		t.Errorf("an ordinary file fails: %v", r.Findings)
	}
	r = runDMG(t, apfsDMG(t, bundle, map[string]apfs.BuildFile{"extra/readme.txt": {Data: []byte("hi")}}))
	if !r.Summary.Passed {
		t.Errorf("an ordinary file fails (APFS): %v", r.Findings)
	}
}
