// Package walk enumerates the entries of a release, so that every command
// that reads a release (verify, sbom and its diff) sees the same entries,
// under the same paths, with links and special files told apart the same
// way. It reports facts; what an entry means (a finding, a file to check or
// to inventory) is its caller's decision.
//
// What both walk here, one function each:
//   - a directory tree: DirTreeTypes;
//   - the file system inside an archive (an installer package's, as
//     container.OpenPkg reads it; a disk image's volume, which OpenDMG
//     opens and HasKoly tells by its trailer; an asar's): ArchiveFS,
//     verify's walk of all three and sbom's of the first two; an
//     installer package's through container.WalkPkgFS, which both make
//     (sbom through container.Walk, verify after finding the Apple
//     bundles of the Payload in the same file system);
//   - a tarball: Tar (see Tarballs);
//   - a zip archive's central directory, read by chunks, and its entries,
//     named and checked (see Zip archives).
//
// # Zip archives
//
// ZipChunks splits a large archive's central directory into chunks of
// ZipChunkLen records, each read as an archive of its own; verify walks
// its input zip by them, and sbom reads its zip release's entries through
// ZipFiles, which reads them so, so that both read the same records at
// once. Both then apply the same rules: an entry's path is its path in the
// archive, a single top folder (name-1.2.3/) included (sbom's diff pairs
// two versions' folders); the archive's checks are internal/release's
// (CheckZip, ZipOverlaps, ZipLocalHeaders…, the archive named by its file
// name); both name an entry by one function, NameZipEntry: the name
// unzip, 7-Zip and bsdtar write it under (a Unicode Path field's, cut at
// a NUL, without a leading "./"), which is what lands on disk and what a
// policy's paths must judge, the central directory's name (Go's reader's,
// as an attacker wrote it) reported where it differs (ZipName.Findings:
// file/malformed, file/insecure-path). ZipEntryChecks.Walk is the one
// loop over the records, which names each entry so; the checks of the
// entry are then made by one function both call, ZipEntryChecks.Check,
// in one order, so that a check added there is made by both; a file whose
// end cannot be read to look for a zip there is file/unreadable
// (release.ZipSearchMessage). What a walker looks up beside an entry (an
// Apple bundle's files, a Sigstore bundle, an MSI's external cabinet, a
// cabinet set's next cabinet) it looks up in ZipFS, the archive as a file
// system under those same names, so that an entry named otherwise by its
// header finds its siblings.
//
// # Rules shared by the callers' openers
//
// What the callers still open themselves (with internal/release and
// internal/container) follows one rule set, each with one function both
// call:
//   - an archive (zip, tarball, installer, asar) found release.MaxDepth
//     levels down is file/unreadable, not opened (release.TooDeepMessage);
//   - every copy of a path an installer's walk hands over is listed
//     (container.Walk), and a path that a walk and another reader (a
//     zip's) both list a file at is file/duplicate-entry
//     (release.WalkedCopyMessage);
//   - the mode an installer package's payload records for a file (its
//     set-ID bits read by volfs.SpecialBits) is a fact of the file both
//     report, as they report a tarball's or a folder's (file/setuid,
//     file/world-writable: PermFindings of a "package payload", as of a
//     tar, zip, folder or disk image entry); container.Walk hands it over
//     (Entry.Mode); a 7-Zip archive's file's mode, as bsdtar reads it,
//     container.Walk judges itself (PermFindings of a "7-Zip" entry);
//   - a special file (a device, a FIFO, a socket) is never opened and
//     is a finding at its path in both: a tarball's entry
//     file/tar-special-entry (Tar: a public rule ID, kept, which covers
//     tar's entry types extractors disagree on too); a folder's, a disk
//     image volume's (reported as the volume is opened) and an
//     installer package payload's (an ArchiveFS Special entry, which
//     container.WalkPkgFS reports for both) file/unreadable, a folder's
//     and a payload's made by one function, SpecialFinding (the last
//     two in words that name no verb, both compared by
//     walktest.SpecialCases);
//   - the zip archives a PE carries at its end are each opened, each that
//     an extractor reading from the end does not see reported
//     (container.AppendedFindings), and a later archive's unlisted local
//     headers looked for from the end of the one before on
//     (release.ZeroedBefore).
//
// # Tarballs
//
// release.OpenTar is the one reader (git-audit's --artifact uses it too),
// and Tar the one walk of its entries, which verify (a tarball given or
// found) and sbom (the tarball given, and those found in a release) make:
// the reader's problems (TarProblems), name collisions, mode and
// capability findings and special entries in one order; each caller
// only says what it does with a file (verify checks it as the stream
// passes it, sbom holds it) and with a link.
// A tarball given as input is the release, as a zip is: both name its
// entries by their paths in the archive (a.txt, not app.tar/a.txt), and
// neither lists the tarball itself (the report's input section gives its
// digest); among several inputs its entries are under its file name.
// Every copy of a name is listed by both, with file/duplicate-entry, as
// for zips and installers (a benign last copy must not hide the first).
// A hard link to an earlier file is a file of its own, at its path, with
// its target's bytes: sbom reads them again (it holds a compressed
// tarball's), verify lists it with what the target's check found (digest,
// kind, signatures), judged by the policy at the link's path; a link to
// no earlier file is file/tar-hardlink in both; a link to a name held
// twice names the last copy read.
//
// Package walktest holds the releases (zips, tarballs and folders, with
// zips, tarballs, PEs, installers and asars inside) that verify's and
// sbom's tests both walk, comparing the paths and digests of the files
// listed and the walk's file/… and asar/… findings.
//
// # Memory
//
// The two callers bound memory differently, and for a reason:
//   - verify checks an archive's entries as they are read (a tarball's,
//     a cabinet's, a compressed zip entry's), hashing them as they
//     stream by; only an entry that needs random access (native code, an
//     archive to open) is held, within the run's budget of
//     verify.Options.MaxBuffer (1 GiB) shared by the workers, and released
//     once that file is checked. An entry larger than what is left is
//     file/unreadable.
//   - sbom lists an archive's files first and reads them afterwards (to
//     hash them in batches, to read package.json files again, to pair an
//     asar with its unpacked folder), so a compressed archive's files are
//     held until the inventory is built: at most 2 GiB of them per
//     archive (sbom's maxHeld), the rest file/unreadable, "not
//     inventoried".
//
// One budget model needs sbom to inventory entries as it reads them, as
// verify checks them; until then a release whose compressed entries
// total more than 2 GiB is checked whole by verify and inventoried in
// part by sbom, with a finding for each file left out.
//
// # Symbolic links
//
// A symbolic link (of a folder, a zip, a tarball, a 7-Zip archive or an
// installer package's payload, handed over by container.Walk's
// Visitor.Link) is no file of its own in either walker: the file it
// reaches inside the release is listed at its own path (verify holds it
// to the policy of the link's path too). A link whose target points out
// of its folder or archive (a package's Payload or Scripts:
// container.PkgPayloadRoot) is file/symlink-escape and never followed
// (LinkEscape); every link is then followed in chains, as a file system
// follows them, and one that leads out through other links is
// file/symlink-escape too (LinkChains); a link to nothing inside is no
// finding. A file whose path goes through a symbolic link its archive
// holds (a tarball's link w to windows and its file w/evil.dll) is
// file/insecure-path in both (ThroughLinks), judged once every file is
// listed.
//
// # Asar archives
//
// Every asar a walker opens is itself a listed file, and its packed
// entries are listed under its path (app.asar/a.js, an asar packed in it
// opened in turn: app.asar/inner.asar/c.js). Its unpacked entries are not
// its entries: their bytes are files of the release, in the folder
// beside the archive, listed at their paths there
// (app.asar.unpacked/b.js, UnpackedPath), where a user finds them, and
// opened as any file is (an asar among them too). Once every file is
// hashed, UnpackedFindings compares each with the integrity the header
// records for it (missing or of another size: file/unreadable; other
// bytes: asar/integrity-mismatch). sbom counts such a file in the asar's
// npm package by its path as the asar's entry. An asar given alone is
// the exception: its unpacked folder lies outside the release, so its
// unpacked entries are read from there as its entries (app.asar/b.js).
//
// # Not yet shared
//
//   - An installer package's file system is read by one reader
//     (container.OpenPkg) and walked by one walk (container.WalkPkgFS),
//     but each caller opens the package itself: verify through its
//     archive openers (its open errors in its words), which keep the
//     file system to verify the Apple bundles of a Payload as bundles,
//     sbom through container.Walk (TestPkgWalkAgreesWithSbom,
//     TestPkgLinksWalkAgreesWithSbom).
//   - Installers other than packages are container.Walk's, which both
//     call; which opener a file found in a release gets is each caller's
//     decision, made by the same detector (internal/filekind,
//     release.NestedArchive).
package walk
