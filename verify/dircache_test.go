package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestFolderFilesOpenedInDirectory checks that opening a folder's small
// files by name in their directory (dirCache, for a directory of at least
// manyDirFiles files) changes nothing in the report: the JSON is that of
// a run that opens every file by its path, with a directory whose files
// are interleaved with a subdirectory's (the worker's directory changes
// back and forth), a signed PE, a setuid and a world-writable file, a
// symbolic link and a file that cannot be read among them.
func TestFolderFilesOpenedInDirectory(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	files := map[string][]byte{"app.exe": f.peValid, "lib/app.exe": f.peValid}
	for i := range 3 * manyDirFiles {
		files[fmt.Sprintf("lib/f%02d.js", i)] = []byte(fmt.Sprintf("module.exports = %d\n", i))
		files[fmt.Sprintf("lib/g%02d/x.js", i%3)] = []byte("x")
	}
	writeTree(t, dir, files)
	lib := filepath.Join(dir, "lib")
	os.Chmod(filepath.Join(lib, "f01.js"), 0o4755)
	os.Chmod(filepath.Join(lib, "f02.js"), 0o666)
	os.Chmod(filepath.Join(lib, "f03.js"), 0)
	if err := os.Symlink("f04.js", filepath.Join(lib, "f05.link.js")); err != nil {
		t.Fatal(err)
	}
	byPath := Options{hooks: testHooks{readWhole: func(name string, buf []byte) (int, bool, int64, fs.FileMode) {
		return readWholeFile(nil, name, 0, buf)
	}}}
	var outs [][]byte
	for _, opts := range []Options{{}, byPath, {Workers: 1}} {
		b, err := json.Marshal(run(t, opts, dir))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Errorf("report %d differs from the first:\n%s\n%s", i, outs[0], outs[i])
		}
	}
	if !bytes.Contains(outs[0], []byte(`"lib/f31.js"`)) {
		t.Errorf("lib/f31.js not reported: %s", outs[0])
	}
}
