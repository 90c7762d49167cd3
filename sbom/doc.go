// Package sbom inventories Electron application releases and compares them.
//
// [Open] reads a release — a Windows or Linux layout directory, a macOS .app
// bundle, a zip or tarball of one, an npm package, an installer (MSI,
// cabinet, .pkg, NSIS or Squirrel Setup.exe, .7z: opened by internal/container, the walker verify opens
// installers with, so that its files have the names and limits verify
// gives them), a lone executable, or a bare app.asar — into an
// [Inventory]: the application, the Electron runtime (version, fuse wires,
// the asar integrity claim checked against the archive's real header
// hash), every npm package found from the package.json files really
// present (inside app.asar, in app.asar.unpacked, in resources/app), with
// a content digest over its files, and every native
// binary (PE, Mach-O, ELF, .node) with its SHA-256, architecture, version
// resource and signature summary. A zip appended to a file of any kind
// (a self-extractor's PE, or any other bytes) is opened wherever it is —
// the release itself, a file of a folder or an archive, a file an
// installer carries — and so is a zip appended to an NSIS or Squirrel
// Setup.exe: the zip's files are listed under the file's path as verify
// checks them, found by the rule verify finds them by
// (internal/container's FindAppended: for a PE every archive a tool could
// extract there, the signed one an archive planted in the signature hides
// and one concatenated before the last included), each once, their end
// structures checked as verify checks them (release.CheckZipEnds). An
// asar other than the release's own — loose in a release folder, or inside
// an installer, an archive or a disk image — is opened as verify opens it:
// its files and npm packages are listed under its path. Every asar is
// itself a file of the inventory, as verify lists it, and the files of its
// unpacked folder are listed at their paths on disk
// (resources/app.asar.unpacked/x.node), where verify checks them and a
// user finds them, compared with the integrity the archive's header
// records; they belong to the asar's npm packages all the same. An asar
// given alone is the exception: its unpacked folder lies outside the
// release, and its unpacked files are its entries (app.asar/x.node).
//
// [Diff] compares two inventories of one application and reports, as
// findings, what a release gate should stop: bytes that changed while the
// declared version stayed the same (3CX's trojanized ffmpeg.dll), a changed
// or worse signature, new native code, new install scripts and weakened
// fuses.
//
// The package verifies no signature itself: [Options.Signatures] supplies
// them (verify.InventorySignatures wires signing/authenticode and
// signing/codesign, as the CLI does).
package sbom
