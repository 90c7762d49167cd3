package dmg

import "github.com/shipgate/shipgate/signing"

// Rule IDs of the findings this package produces, documented in
// docs/rules/dmg.md. Problems of the embedded code signature itself carry
// package codesign's rules (codesign/page-hash-mismatch…).
const (
	// RuleMalformed reports a koly trailer, plist or block table (mish)
	// that is inconsistent: counts or offsets out of range, chunks outside
	// the data fork or overlapping, sectors that do not add up.
	RuleMalformed signing.Rule = "dmg/malformed"
	// RuleChecksumMismatch reports a CRC-32 of the koly trailer or a block
	// table that does not match the bytes it covers.
	RuleChecksumMismatch signing.Rule = "dmg/checksum-mismatch"
	// RuleUnownedData reports bytes of the file that belong to no
	// structure: not the data fork (or a chunk in it), the plist, the
	// resource fork, the code signature or the koly trailer.
	RuleUnownedData signing.Rule = "dmg/unowned-data"
	// RuleChunkNotOpened reports chunks compressed with a codec this
	// package does not decode: their content is not read and their
	// partition's checksum not verified. Every UDIF codec (LZFSE too) is
	// decoded now, so it no longer fires; it stays for policies naming it.
	RuleChunkNotOpened signing.Rule = "dmg/chunk-not-opened"
	// RuleExpansionLimit reports an image whose blocks expand to more than
	// the limit: the rest of its checksums are not verified.
	RuleExpansionLimit signing.Rule = "dmg/expansion-limit"
	// RuleSignatureOutOfRange reports koly code signature fields that point
	// outside the file or into the data fork, the plist or the trailer.
	RuleSignatureOutOfRange signing.Rule = "dmg/signature-out-of-range"
	// RuleUnsigned reports a disk image without an embedded code signature.
	RuleUnsigned signing.Rule = "dmg/unsigned"
	// RuleFilesystemNotOpened notes that the file system inside the image
	// (APFS, HFS+) was not opened, so the files it holds (an .app) were
	// not verified.
	RuleFilesystemNotOpened signing.Rule = "dmg/filesystem-not-opened"
	// RuleFilesystemMalformed reports a file system inside the image
	// (HFS+, APFS) that cannot be read as one: its volume header, B-trees or
	// records are inconsistent, an HFS+ journal holds transactions not
	// replayed (macOS replays them over what was read when it mounts the
	// volume), or a second file system sits beside it in another
	// partition, so its files are not all verified.
	RuleFilesystemMalformed signing.Rule = "dmg/filesystem-malformed"
	// RuleFileNotOpened reports a file of the image's file system whose
	// content is not read (HFS+ transparent compression, a hard link whose
	// target is missing, a directory hard link): it is not verified.
	RuleFileNotOpened signing.Rule = "dmg/file-not-opened"
	// RuleResourceFork reports a file of the image's HFS+ volume whose
	// resource fork holds bytes that are not its compressed data: they
	// are not verified.
	RuleResourceFork signing.Rule = "dmg/resource-fork"
	// RuleExtendedAttribute reports an extended attribute of the image's
	// HFS+ volume that is not tolerated Finder or download metadata of
	// bounded size (or com.apple.decmpfs of a compressed file).
	RuleExtendedAttribute signing.Rule = "dmg/extended-attribute"
	// RuleUnreferencedBlocks reports allocation blocks of the image's
	// HFS+ volume that hold no file's data: marked used but referenced by
	// no structure, allocated to a fork past its end, or a startup file;
	// and blocks of its APFS container no structure owns that are not
	// zero.
	RuleUnreferencedBlocks signing.Rule = "dmg/unreferenced-blocks"
	// RuleFreeBlockData reports allocation blocks of the image's HFS+
	// volume that the allocation bitmap marks free, and no structure
	// references, holding bytes other than zero; and blocks of its APFS
	// container that the space manager marks free, no structure owns,
	// and are not zero.
	RuleFreeBlockData signing.Rule = "dmg/free-block-data"
	// RuleMetadataSlack reports bytes of the image's HFS+ volume's
	// B-trees and allocation file that hold no record and are not zero:
	// a node's free space, a node the B-tree's map marks free, the map or
	// the bitmap past the last node or block, a special file past its
	// last node; and bytes inside its APFS container's owned metadata
	// that no structure keeps (a B-tree node's free space, an object's
	// tail past its structure, records nothing reads).
	RuleMetadataSlack signing.Rule = "dmg/metadata-slack"
	// RuleAllocationMismatch reports allocation blocks of the image's
	// HFS+ volume that a structure references but the allocation bitmap
	// marks free, or that two structures (or one twice) reference.
	RuleAllocationMismatch signing.Rule = "dmg/allocation-mismatch"
)

// Names of the checks of a disk image in a Signature's Checks, besides
// those package codesign runs on the embedded signature.
const (
	// CheckKoly: the koly trailer and the structures it locates parse.
	CheckKoly signing.CheckName = "koly"
	// CheckChecksums: the data fork and block table CRC-32s match.
	CheckChecksums signing.CheckName = "udif-checksums"
	// CheckLayout: every byte of the file belongs to a structure.
	CheckLayout signing.CheckName = "udif-layout"
)
