package walk

import (
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/dmg"
)

// volumeExtras reports the bytes of the HFS+ volume of partition idx
// that no file's data carries and no tolerated structure explains
// (hfsplus.Volume.Extras): a non-empty resource fork (dmg/resource-fork),
// an extended attribute outside the tolerated list
// (dmg/extended-attribute), allocated blocks no structure references,
// fork slack and a startup file (dmg/unreferenced-blocks), data in free
// blocks (dmg/free-block-data), in B-tree and bitmap slack
// (dmg/metadata-slack): warnings, the bytes are not verified; and blocks
// referenced twice, or referenced but marked free
// (dmg/allocation-mismatch): an error, readers may disagree on what the
// volume holds. At most maxSkippedFindings, then a count.
func volumeExtras(vol *hfsplus.Volume, idx int, add func(signing.Rule, signing.Severity, string, int64, string, ...any)) {
	for i, e := range vol.Extras {
		if i == maxSkippedFindings {
			add(dmg.RuleUnreferencedBlocks, signing.SeverityWarning, "", -1, "%d more resource forks, extended attributes or block runs of the HFS+ volume were not verified", len(vol.Extras)-i+vol.ExtrasLeftOut)
			return
		}
		switch e.Kind {
		case hfsplus.ExtraResourceFork:
			add(dmg.RuleResourceFork, signing.SeverityWarning, e.Path, -1, "resource fork of %d bytes (%s; at volume offset %#x of partition %d): its bytes were not verified", e.Size, e.Detail, e.Offset, idx)
		case hfsplus.ExtraAttribute:
			add(dmg.RuleExtendedAttribute, signing.SeverityWarning, e.Path, -1, "extended attribute %q of %d bytes (%s; record at volume offset %#x of partition %d) is not one tolerated: its bytes were not verified", e.Name, e.Size, e.Detail, e.Offset, idx)
		case hfsplus.ExtraForkSlack:
			add(dmg.RuleUnreferencedBlocks, signing.SeverityWarning, e.Path, -1, "%d bytes of allocation blocks past the end of a fork (%s; from volume offset %#x of partition %d): their bytes were not verified", e.Size, e.Detail, e.Offset, idx)
		case hfsplus.ExtraFreeData:
			add(dmg.RuleFreeBlockData, signing.SeverityWarning, "", -1, "the HFS+ volume of partition %d holds %d bytes of data in blocks its allocation bitmap marks free (%s; the first byte other than zero at volume offset %#x): their bytes were not verified", idx, e.Size, e.Detail, e.Offset)
		case hfsplus.ExtraMetadataSlack:
			add(dmg.RuleMetadataSlack, signing.SeverityWarning, "", -1, "the HFS+ volume of partition %d holds data where its special files keep no record (%s; %d bytes, the first byte other than zero at volume offset %#x): their bytes were not verified", idx, e.Detail, e.Size, e.Offset)
		case hfsplus.ExtraAllocation:
			add(dmg.RuleAllocationMismatch, signing.SeverityError, e.Path, -1, "the HFS+ volume of partition %d allocates blocks inconsistently (%s; %d bytes from volume offset %#x): readers that trust the bitmap and readers that trust the extents see different bytes", idx, e.Detail, e.Size, e.Offset)
		case hfsplus.ExtraStartupFile:
			add(dmg.RuleUnreferencedBlocks, signing.SeverityWarning, "", -1, "the HFS+ volume of partition %d has a startup file of %d bytes (%s, at volume offset %#x): its bytes were not verified", idx, e.Size, e.Detail, e.Offset)
		default:
			add(dmg.RuleUnreferencedBlocks, signing.SeverityWarning, "", -1, "the HFS+ volume of partition %d marks %d bytes allocated that no file, fork, attribute, B-tree or journal references (%s; from volume offset %#x): their bytes were not verified", idx, e.Size, e.Detail, e.Offset)
		}
	}
	if vol.ExtrasLeftOut > 0 {
		add(dmg.RuleUnreferencedBlocks, signing.SeverityWarning, "", -1, "%d more resource forks, extended attributes or block runs of the HFS+ volume were not verified", vol.ExtrasLeftOut)
	}
}
