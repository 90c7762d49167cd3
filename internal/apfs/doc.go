// Package apfs reads the volumes of an APFS container (Apple File
// System Reference) as an io/fs.FS, for the files inside macOS disk
// images, and builds small containers for fixtures (Build). macOS
// mounts every volume the container lists, so every one is read: a
// container of one volume is its files; with several, each volume's
// files are under a top-level folder named after it (Volume.Folders;
// "volume N" when the name is unsafe or taken), so paths do not
// collide and an app hidden in a second volume is a file like any.
//
// The reader is our own: github.com/blacktop/go-apfs needs cgo (its
// go.mod requires github.com/blacktop/lzfse-cgo) and heavy dependencies,
// shipgate builds with CGO_ENABLED=0, and the Go module proxy this
// project builds from refuses the module (403). It reads block
// 0's container superblock (nx_superblock_t, magic NXSB), then the
// checkpoint descriptor area for the superblock of the latest checkpoint
// (highest xid) whose checkpoint map blocks check out, as macOS mounts
// it (two valid ones of that xid are refused: which is mounted is
// unknown, as is one whose ephemeral objects do not check out); the container object map (omap_phys_t and its B-tree, the latest
// entry of each oid not after the checkpoint); each volume's
// superblock (apfs_superblock_t, magic APSB) and object map; and its
// file-system B-tree: inodes (j_inode_val_t, with the data stream's size
// from its extended fields), directory records (j_drec_val_t, hashed
// keys on case- or normalization-insensitive volumes), file extents
// (j_file_extent_val_t) and the extended attributes holding a symbolic
// link's target and a compressed file's com.apple.decmpfs header.
//
// Every object read has its Fletcher-64 checksum, type, oid and xid
// checked. B-trees are walked from the root through every index entry:
// nodes must be one block, reached once (no cycle or shared child),
// levels descend by one to leaves at level 0 (at most 16), every key and
// value lies inside its node's areas, and keys increase strictly, each
// child's within its index entry's range (the ranges a lookup by macOS
// relies on). Records are bounded (Options.MaxRecords), as are folder
// entries, nesting (256) and link targets; sizes are checked before
// anything is allocated from them.
//
// Entries are left out and reported (Volume.Problems) when unsafe or
// inconsistent: names that are empty, ".", "..", hold "/" or NUL, or (on
// a case-insensitive volume) differ from a sibling's only in case or
// Unicode normalization (normalization alone on a case-sensitive one);
// directory records whose stored name hash (on case- or
// normalization-insensitive volumes: the CRC-32C of the name's code
// points, decomposed, and case folded on a case-insensitive volume) is
// not their name's, which macOS's lookup by name would not find;
// directory records whose inode is missing or whose type disagrees with
// the inode's mode; folders reached a second time (a loop, or a folder
// hard link APFS does not have); more directory records of one file than
// its link count; files larger than the largest int64; file extents
// past the container or the largest file offset, overlapping, not in
// whole blocks, or flagged. Files are io.ReaderAt over their extents
// (sparse extents and gaps read as zeros). Compressed files are decoded
// (once per inode) from com.apple.decmpfs and, for the types that keep
// their data there (zlib, LZVN, LZFSE chunks), their
// com.apple.ResourceFork, inline in its attribute record or in a data
// stream (internal/decmpfs), up to Options.MaxInline bytes for the volume,
// charged as declared before decoding; others, and special files, are
// listed in Volume.Skipped. Records keep no B-tree node alive: what
// Open holds is bounded by the records read.
//
// Refused with an UnsupportedError: encrypted volumes, sealed volumes
// (their extents are in another tree), volumes being reverted to or
// rooted in a snapshot, fusion containers, non-contiguous checkpoint
// areas, encrypted or headerless objects and hashed B-tree nodes.
// A volume oid listed twice is refused.
//
// Every block is accounted for: those a structure read owns (block 0,
// the checkpoint read's map blocks, superblock, and space manager,
// reaper and reap lists in the data area, the space manager's pool bitmap, chunk-info blocks and
// allocation bitmaps, object maps, volume superblocks, trees, the walked
// files' and attribute streams' extents up to their data's end) are
// marked, and the others that are not zero are listed
// (Volume.Unreferenced), as are the bytes owned objects leave unused (a
// B-tree node's free space, its table of contents past its entries; the
// tail of a superblock, object map, checkpoint map, chunk-info block,
// space manager, reaper or reap list past its structure) that are not zero, and the file-system records
// nothing reads (the attributes and directory entries of an inode no
// folder reaches; records of a type the reader does not use that are
// not of that type's size, or of no file-system type; inodes and
// directory records whose extended fields are not exactly fields of
// known types and sizes), and non-zero bytes past the container's last
// block; the space manager's
// chunk-info blocks and bitmaps, read when it lies in the checkpoint
// data area, tell free blocks holding stale data from allocated ones.
//
// Not read: snapshots (the live tree is read, as macOS mounts it), the
// space manager and reaper (ephemeral objects, checked but not
// interpreted), and the content of extended attributes other than the
// two above and of resource forks (listed in Volume.Attributes).
package apfs
