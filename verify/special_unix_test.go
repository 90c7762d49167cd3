//go:build unix

package verify

import (
	"net"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A named pipe or a socket in a release folder was skipped without a word
// (and a pipe inside a bundle would block its seal check on open): each is
// a file/unreadable finding, and none is opened.
func TestAttackSpecialFileInFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"bin/readme.txt": []byte("hi")})
	if err := syscall.Mkfifo(filepath.Join(dir, "bin", "app.exe"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	// Unix socket paths are short: bind in a short directory, then
	// check the socket's own.
	sock := filepath.Join(dir, "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip("no unix sockets here:", err)
	}
	defer l.Close()
	done := make(chan *Report, 1)
	go func() { done <- mustFail(t, Options{}, "bin/app.exe", ruleUnreadable, dir) }()
	select {
	case r := <-done:
		found := false
		for _, f := range r.Findings {
			found = found || (f.Path == "s" && f.Rule == ruleUnreadable)
		}
		if !found {
			t.Errorf("no finding for the socket: %v", r.Findings)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run blocked on the named pipe")
	}

	clean := t.TempDir()
	writeTree(t, clean, map[string][]byte{"bin/readme.txt": []byte("hi")})
	if r := run(t, Options{}, clean); !r.Summary.Passed {
		t.Errorf("a folder of regular files fails: %v", r.Findings)
	}
}

// A named pipe inside an Apple bundle, where the bundle's seal check reads
// the bundle's files, is reported and does not block the run.
func TestAttackSpecialFileInBundle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeBundle(t, dir)
	if err := syscall.Mkfifo(filepath.Join(dir, "Example.app", "Contents", "Resources", "pipe.txt"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		mustFail(t, Options{}, "Example.app/Contents/Resources/pipe.txt", ruleUnreadable, dir)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the run blocked on the named pipe")
	}
}
