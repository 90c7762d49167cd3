package verify

import (
	"io/fs"
	"os"

	"github.com/shipgate/shipgate/internal/walk"
)

// testHooks are the stand-ins a test sets on one Release call through
// Options.hooks, so that tests changing them can run in parallel. The zero
// value is the production behaviour.
type testHooks struct {
	// maxRunCatalogMembers, when positive, replaces
	// defaultMaxRunCatalogMembers.
	maxRunCatalogMembers int
	// zipChunkLen, when positive, replaces walk.ZipChunkLen as the number
	// of central directory records in a chunk of a large zip archive, so
	// that a test can compare both walks on a small archive.
	zipChunkLen int
	// systemRootFiles, when non-nil, stands in for the operating system's
	// roots (signing.TrustStoreOptions.SystemFiles) in the policy's trust
	// stores; nil means defaultSystemRootFiles.
	systemRootFiles []string
	// readWhole, when non-nil, replaces readWholeFile to read a small file
	// of the release whole, so that a test can count or fail reads.
	readWhole func(name string, buf []byte) (int, bool, int64, fs.FileMode)
	// dirFS, when non-nil, replaces os.DirFS to open a directory of the
	// release, so that a test can count or interrupt its reads.
	dirFS func(root string) fs.FS
	// openFile, when non-nil, replaces os.Open to open a file of the
	// release, so that a test can count or fail reads.
	openFile func(name string) (diskFile, error)
}

// maxRunCatalogMembers returns the bound on the members of the release's
// catalogs the run holds.
func (e *engine) maxRunCatalogMembers() int {
	if n := e.opts.hooks.maxRunCatalogMembers; n > 0 {
		return n
	}
	return defaultMaxRunCatalogMembers
}

// zipChunkLen returns the number of records in a chunk of a zip archive's
// central directory that a large archive is walked by (walk.ZipChunks;
// walk.ZipChunkLen, as sbom reads one).
func (e *engine) zipChunkLen() int {
	if n := e.opts.hooks.zipChunkLen; n > 0 {
		return n
	}
	return walk.ZipChunkLen
}

// readWhole reads a small file whole (see readWholeFile).
func (e *engine) readWhole(dirs *dirCache, name string, dirLen int, buf []byte) (int, bool, int64, fs.FileMode) {
	if f := e.opts.hooks.readWhole; f != nil {
		return f(name, buf)
	}
	return readWholeFile(dirs, name, dirLen, buf)
}

// dirFS opens the directory root of the release on disk.
func (e *engine) dirFS(root string) fs.FS {
	if f := e.opts.hooks.dirFS; f != nil {
		return f(root)
	}
	return os.DirFS(root)
}

// openFile opens the file name of the release on disk.
func (e *engine) openFile(name string) (diskFile, error) {
	if f := e.opts.hooks.openFile; f != nil {
		return f(name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}
