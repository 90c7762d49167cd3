package container

import "io"

// PEResources keeps a PE's resources as they were read once (the resource
// directory parsed, each resource's first bytes looked at, the data
// resources' starts searched for a wrapped installer: see resourceZips),
// for [DetectScanned] and [Walk] of the same file to share: telling a PE's
// container and walking its resources read them otherwise twice. It is
// for one file: the caller hands the same one to both for the same bytes,
// and a fresh one (or Reset) for the next file. A nil *PEResources keeps
// nothing; the zero value is ready to use.
type PEResources struct {
	read bool
	size int64
	rs   []resource
	err  error
}

// get returns resourceZips of the PE file of size bytes at r, read on the
// first call only (a nil p reads every time). A call for another size
// reads again.
func (p *PEResources) get(r io.ReaderAt, size int64) ([]resource, error) {
	if p == nil {
		return resourceZips(r, size)
	}
	if !p.read || p.size != size {
		p.rs, p.err = resourceZips(r, size)
		p.read, p.size = true, size
	}
	return p.rs, p.err
}

// Reset forgets the resources read.
func (p *PEResources) Reset() { *p = PEResources{} }
