package walk

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/dmg"
)

// dmgAdd adds a finding about a disk image (see OpenDMG).
type dmgAdd = func(rule signing.Rule, sev signing.Severity, p string, off int64, format string, args ...any)

// openAPFS opens the APFS container of partition idx of im, read by pr,
// as OpenDMG opens an HFS+ volume: every volume's files are walked (with
// several volumes, each under a folder named after it: apfs.Volume's
// Folders); a container that does not read is dmg/filesystem-malformed
// (an error: its files were not verified), as are entries the reader
// leaves out; data no structure owns is apfsUnreferenced's; files not opened
// are dmg/file-not-opened (an error inside a code bundle, whose seal
// then cannot be checked); extended attributes are apfsAttributes'. A
// container the reader does not support
// (encryption, a sealed volume…) returns why, for OpenDMG's
// dmg/filesystem-not-opened.
func openAPFS(im *dmg.Image, pr *dmg.PartitionReader, idx int, budget int64, take func(int64) bool, add dmgAdd) (fs.FS, string) {
	vol, err := apfs.Open(pr, pr.Size(), apfs.Options{})
	var ue *apfs.UnsupportedError
	var fe *apfs.FormatError
	switch {
	case errors.As(err, &ue):
		return nil, fmt.Sprintf("partition %d holds an APFS container the reader does not open: %s", idx, ue.Feature)
	case errors.Is(err, dmg.ErrExpansion):
		add(dmg.RuleExpansionLimit, signing.SeverityError, "", -1, "the APFS container of partition %d was not opened: %v", idx, err)
		return emptyFS{}, ""
	case err != nil:
		off := int64(-1)
		if errors.As(err, &fe) {
			off = fe.Offset
		}
		add(dmg.RuleFilesystemMalformed, signing.SeverityError, "", -1, "the APFS container of partition %d cannot be read (at container offset %#x): %v; the files it holds were not verified", idx, off, err)
		return emptyFS{}, ""
	}
	if total := vol.TotalSize(); total > uint64(budget) {
		add(dmg.RuleExpansionLimit, signing.SeverityError, "", -1, "the APFS volume of partition %d declares %d bytes of files, more than %d times the image's size (and more than %d bytes; a decompression bomb?); its files were not checked", idx, total, release.ExpansionRatio, int64(release.MinExpansion))
		return emptyFS{}, ""
	}
	otherFileSystems(im, idx, take, add)
	polyglotAPFS(pr, idx, add)
	mappedFileSystems(im, idx, take, add)
	for _, p := range vol.Problems {
		add(dmg.RuleFilesystemMalformed, signing.SeverityError, p.Path, -1, "APFS volume of partition %d: %s (record at container offset %#x); the entry was left out", idx, p.Reason, p.Offset)
	}
	skipped := make([]skippedFile, len(vol.Skipped))
	for i, p := range vol.Skipped {
		skipped[i] = skippedFile{p.Path, p.Reason, p.Special, p.Compressed}
	}
	reportSkipped(vol, "APFS", skipped, add)
	apfsAttributes(vol, idx, add)
	apfsUnreferenced(vol, idx, add)
	return vol, ""
}

// apfsUnreferenced reports the data of the APFS container of partition
// idx in blocks no structure owns (apfs.Volume's Unreferenced), as
// volumeExtras reports an HFS+ volume's unreferenced blocks:
// dmg/unreferenced-blocks warnings, dmg/free-block-data ones for
// blocks the space manager marks free, dmg/metadata-slack ones for
// bytes inside owned metadata (apfs.Run's Slack), one per run (at most
// maxSkippedFindings, then a count), saying how many bytes were not
// verified.
func apfsUnreferenced(vol *apfs.Volume, idx int, add dmgAdd) {
	var listed int64
	for i, r := range vol.Unreferenced {
		if i == maxSkippedFindings {
			break
		}
		listed += r.Size
		if r.Slack {
			add(dmg.RuleMetadataSlack, signing.SeverityWarning, "", -1, "the APFS container of partition %d holds %d bytes of data inside its metadata where no structure keeps any (unused space of a B-tree node or object, or records nothing reads; from container offset %#x): their bytes were not verified", idx, r.Size, r.Offset)
			continue
		}
		if r.Free {
			add(dmg.RuleFreeBlockData, signing.SeverityWarning, "", -1, "the APFS container of partition %d holds %d bytes of data in blocks its space manager marks free (from container offset %#x): their bytes were not verified", idx, r.Size, r.Offset)
			continue
		}
		add(dmg.RuleUnreferencedBlocks, signing.SeverityWarning, "", -1, "the APFS container of partition %d holds %d bytes of data that no structure owns (no file, attribute, tree, object map or checkpoint; from container offset %#x): their bytes were not verified", idx, r.Size, r.Offset)
	}
	if rest := vol.UnreferencedBytes - listed; rest > 0 {
		add(dmg.RuleUnreferencedBlocks, signing.SeverityWarning, "", -1, "the APFS container of partition %d holds %d more bytes of data that no structure owns (%d in all): their bytes were not verified", idx, rest, vol.UnreferencedBytes)
	}
}

// apfsAttributes reports the extended attributes of the APFS volume of
// partition idx, as volumeExtras reports an HFS+ volume's: a resource
// fork that is not a compressed file's data (dmg/resource-fork) and an
// attribute that is not tolerated Finder or download metadata
// (dmg/extended-attribute), warnings: their bytes are not verified. At
// most maxSkippedFindings, then a count.
func apfsAttributes(vol *apfs.Volume, idx int, add dmgAdd) {
	n := 0
	for _, a := range vol.Attributes {
		rsrc := a.Name == "com.apple.ResourceFork"
		if (!rsrc && hfsplus.TolerateAttribute(a.Name, a.Size)) || (rsrc && a.Size == 0) {
			continue
		}
		if n++; n > maxSkippedFindings {
			continue
		}
		if rsrc {
			add(dmg.RuleResourceFork, signing.SeverityWarning, a.Path, -1, "resource fork of %d bytes (record at container offset %#x of partition %d): its bytes were not verified", a.Size, a.Offset, idx)
			continue
		}
		add(dmg.RuleExtendedAttribute, signing.SeverityWarning, a.Path, -1, "extended attribute %q of %d bytes (record at container offset %#x of partition %d) is not one tolerated: its bytes were not verified", a.Name, a.Size, a.Offset, idx)
	}
	if n > maxSkippedFindings {
		add(dmg.RuleExtendedAttribute, signing.SeverityWarning, "", -1, "%d more resource forks or extended attributes of the APFS volume were not verified", n-maxSkippedFindings)
	}
}
