package hfsplus

import "fmt"

// ExtraKind says what holds an Extra's bytes.
type ExtraKind int

// Kinds of Extra.
const (
	// ExtraResourceFork is a file's non-empty resource fork that is not
	// its compressed data (com.apple.decmpfs types 4, 8, 10, 12 and 14
	// keep a compressed file's data there; such a file is in
	// Volume.Skipped instead).
	ExtraResourceFork ExtraKind = iota + 1
	// ExtraAttribute is an extended attribute (a record of the
	// attributes file) outside the tolerated list (TolerateAttribute).
	ExtraAttribute
	// ExtraForkSlack is the allocation blocks of a file's data or
	// resource fork past those its logical size needs.
	ExtraForkSlack
	// ExtraUnreferenced is allocation blocks the allocation bitmap marks
	// used that no structure references: not the volume headers, the
	// special files, the journal, a catalog record's forks or a fork
	// data attribute.
	ExtraUnreferenced
	// ExtraStartupFile is a non-empty startup file (the volume header's
	// boot loader fork), which a disk image has no use for.
	ExtraStartupFile
	// ExtraFreeData is allocation blocks the allocation bitmap marks
	// free, referenced by no structure, that hold bytes other than zero.
	ExtraFreeData
	// ExtraMetadataSlack is bytes of the volume's special files that
	// hold no record and are not zero: a B-tree node's free space, a
	// node neither the B-tree's index, leaf chain nor map reaches, a B-tree file past its last
	// node, the allocation file past the volume's last block, the
	// reserved area around the volume headers and the partition past the
	// volume's last block.
	ExtraMetadataSlack
	// ExtraAllocation is allocation blocks whose allocation is
	// inconsistent: referenced by a structure (a fork, a special file,
	// the journal) but marked free in the allocation bitmap, or
	// referenced by two structures (or twice by one).
	ExtraAllocation
)

func (k ExtraKind) String() string {
	switch k {
	case ExtraResourceFork:
		return "resource fork"
	case ExtraAttribute:
		return "extended attribute"
	case ExtraForkSlack:
		return "fork slack"
	case ExtraUnreferenced:
		return "unreferenced blocks"
	case ExtraStartupFile:
		return "startup file"
	case ExtraFreeData:
		return "free block data"
	case ExtraMetadataSlack:
		return "metadata slack"
	case ExtraAllocation:
		return "inconsistent allocation"
	}
	return fmt.Sprintf("ExtraKind(%d)", int(k))
}

// Extra is bytes of the volume that no file's data carries and no
// tolerated structure explains: the reader does not check them, so they
// are reported.
type Extra struct {
	Kind ExtraKind
	// Path is the entry the bytes belong to ("." for the root folder), or
	// "" for the volume or an entry no path reaches.
	Path string
	// Name is an attribute's name.
	Name string
	// Size is the number of bytes: a fork's or attribute's logical size,
	// or the bytes of the blocks concerned.
	Size int64
	// Offset is the first byte in the volume of the data (of the record,
	// for an attribute), -1 when unknown.
	Offset int64
	// Detail says more: the blocks concerned, the catalog ID.
	Detail string
}

func (v *Volume) extra(e Extra) {
	if len(v.Extras) < maxExtras {
		v.Extras = append(v.Extras, e)
		return
	}
	v.ExtrasLeftOut++
}

// maxExtras bounds Volume.Extras; the rest are counted.
const maxExtras = 1000
