// Package verify checks a software release before it ships: it walks files,
// directories, macOS .app bundles, .zip archives and Electron app.asar
// archives, identifies every file's kind by its magic bytes, hashes every
// file once, verifies the signatures of native code (Windows PE Authenticode,
// Apple code signatures in Mach-O and universal files), matches certificates
// and files against blocklists, applies a [Policy], and returns a [Report].
//
// Facts come first and the verdict after: the Report carries every signature
// as the verifiers computed it, the findings, and a summary that says whether
// the gate passed at the chosen threshold.
//
// A malformed or unreadable file is a finding (file/malformed,
// file/unreadable); the rest of the release is still checked. Release
// returns an error only when the run itself cannot be carried out: an input
// that cannot be opened, a trust store or blocklist that cannot be loaded, a
// cancelled context.
//
// Archives: a .zip given as input is read in place, entries streamed, and
// a tarball given as input read once, front to back, its entries named by
// their paths in the archive as a zip's are (it is the release); an
// app.asar or a zip archive found anywhere (or given as input) is opened
// and its entries are checked as files below its path
// ("resources/app.asar/node_modules/x.node", "plugins/x.zip/x.dll"), down
// to four levels of nesting. A zip archive is found by its end of central
// directory record, as extractors find it, not by its first bytes: a zip
// after other data is opened too, and a self-extractor (a PE or Mach-O file
// followed by a zip) is verified as native code and its archive walked
// ("setup.exe/payload/x.dll"): every archive a PE carries at its end, the
// signed one before its certificate table that an archive planted in the
// signature hides, and one concatenated before the last, each reported;
// a zip appended to an NSIS installer is walked there, once, its bytes
// also the file setup.exe/$NSIS/trailing-data. Zip entries with unsafe or duplicate names,
// or whose data overlap another entry's (zip bombs), are findings and are
// not read; so are local entries the central directory does not list,
// entries whose local header gives another method or size than their
// central record, and deflated entries whose stream ends before their
// data does (release.ZipLocalHeaders, release.StrictDeflate): streaming
// extractors find other files there.
// Zip and tar entries that are one once extracted on Windows or macOS
// (names that differ only in case, Unicode normalization, characters HFS+
// ignores or trailing dots and spaces, or a file and a folder of such
// names: see internal/foldname) are reported too. An app.asar given on its own is checked with its unpacked entries,
// read from the app.asar.unpacked folder beside it. In a release, the files of app.asar.unpacked are checked where
// they are, as ordinary files, and then compared with the integrity app.asar's header records for them, from the
// digests their checks computed: a file that differs is asar/integrity-mismatch, one the header lists that is
// missing or of another size file/unreadable.
//
// Apple bundles (.app, .framework…) in a directory, a zip (the input or one
// found inside the release), a disk image or a package payload are verified
// as a whole as well: the main executable together with the bundle's Info.plist
// and CodeResources, every sealed resource, and nested code. Each file of a
// bundle is still one File of the report, and is read once: a Mach-O file by
// the bundle's verification, any other file by its own check, whose SHA-256
// the bundle's seal check reuses.
//
// The Report is package report's model ([Report] is an alias of
// report.Report): besides files and findings it records its input (the
// paths as given, their kinds, and a single file's size and SHA-256, which
// attestations name as the release) and its policy (the file and the
// SHA-256 of its bytes, or the built-in policy).
//
// Signer names are compared exactly. A signer whose subject only looks like
// one the policy pins or a blocklist lists (Cyrillic or Greek letters that
// look like Latin ones) is another signer, neither allowed nor blocked by
// that name, and is reported as signer/confusable-name. Look-alikes are
// found by Unicode TR39 skeleton; golang.org/x/text has none, so a small
// table of Cyrillic and Greek look-alikes stands in (confusable.go).
//
// Nothing here touches the network.
package verify
