// Package atomicfile replaces files so that a reader sees the old content
// or the new, never a part: the new bytes go to a temporary file in the
// same directory, which is synced and then renamed over the old one.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile replaces the file at name with b, mode 0644.
func WriteFile(name string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
