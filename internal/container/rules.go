package container

import "github.com/shipgate/shipgate/signing"

// Rule IDs of opening cabinets and Windows Installer databases, documented
// in docs/rules/cab.md, docs/rules/msi.md and docs/rules/verify.md; verify
// exports them under the same names. The walker's other findings use the
// rules of every container (release.RuleMalformed…).
const (
	// RuleCABNotOpened: files of a cabinet that shipgate does not
	// decompress (Quantum folders, files continued across a set whose
	// cabinets are not all beside it, or disagree).
	RuleCABNotOpened signing.Rule = "cab/not-opened"
	// RuleCABVersion: a cabinet whose header gives a version other than
	// 1.3, the only one defined; it is read as a 1.3 cabinet.
	RuleCABVersion signing.Rule = "cab/unknown-version"
	// RuleMSIMissingStream: a table of an MSI refers to a stream (an
	// embedded cabinet, a Binary table entry) or a storage (a type 7
	// custom action's nested database) the database does not hold.
	RuleMSIMissingStream signing.Rule = "msi/missing-stream"
	// RuleMSIUnreferencedData: data in an MSI that Windows Installer does
	// not install: a stream no table refers to, a cabinet file the File
	// table does not list.
	RuleMSIUnreferencedData signing.Rule = "msi/unreferenced-data"
	// RuleMSICabinetTrailing: bytes of an MSI's embedded cabinet stream
	// past the cabinet's length (and outside its signature), which
	// Windows Installer does not extract; they are checked as a file.
	RuleMSICabinetTrailing signing.Rule = "msi/cabinet-trailing-data"
	// RuleMSIMissingCabinet: an MSI's Media table names an external
	// cabinet the release does not hold beside the MSI.
	RuleMSIMissingCabinet signing.Rule = "msi/missing-cabinet"
	// RuleMSIFileTableMismatch: a file of an MSI's cabinet whose size is
	// not the File table's FileSize, or whose MD5 is not the MsiFileHash
	// table's.
	RuleMSIFileTableMismatch signing.Rule = "msi/file-table-mismatch"
	// RuleUncheckedArchive: a container format that shipgate does not open,
	// so that the files inside it are not checked.
	RuleUncheckedArchive signing.Rule = "file/unchecked-archive"
)

// Rule IDs of opening installers that are PE files (NSIS, Squirrel),
// documented in docs/rules/nsis.md; verify exports them under the same
// names.
const (
	// RuleNSISNotOpened: an NSIS installer whose data shipgate does not
	// decompress (NSIS's bzip2, LZMA behind the x86 branch filter).
	RuleNSISNotOpened signing.Rule = "nsis/not-opened"
	// RuleNSISSharedData: an NSIS installer extracts one data block to
	// more than one path; it is checked under the first.
	RuleNSISSharedData signing.Rule = "nsis/shared-data"
	// RuleNSISTrailingData: bytes after an NSIS installer's data, which
	// the installer does not read.
	RuleNSISTrailingData signing.Rule = "nsis/trailing-data"
	// RuleNSISHiddenData: an NSIS instruction extracts from an offset
	// where no data block starts, inside another block's bytes.
	RuleNSISHiddenData signing.Rule = "nsis/hidden-data"
	// RuleNSISDownload: an NSIS installer carries a plugin that downloads
	// files while it installs (NSISdl, inetc as electron-builder's
	// nsis-web uses it, NScurl, InetLoad); what it downloads is not in the
	// installer and was not checked.
	RuleNSISDownload signing.Rule = "nsis/download"
	// RuleBurnDownload: a WiX Burn bundle's manifest names payloads
	// (packages) the engine downloads while it installs; what it
	// downloads is not in the bundle and was not checked.
	RuleBurnDownload signing.Rule = "burn/download"
	// RuleSFXCommand: a command line a 7-Zip self-extractor's
	// configuration runs once its archive is extracted (RunProgram,
	// ExecuteFile, AutoInstall), noted so that a review sees what runs.
	RuleSFXCommand signing.Rule = "sfx/command"
)

// Rule IDs of opening IExpress self-extractors, documented in
// docs/rules/iexpress.md; verify exports them under the same names.
const (
	// RuleIExpressCommand: a command line an IExpress self-extractor runs
	// once its cabinet is extracted (its RUNPROGRAM or POSTRUNPROGRAM
	// resource), noted so that a review sees what runs at install.
	RuleIExpressCommand signing.Rule = "iexpress/command"
	// RuleIExpressFileSizes: an IExpress stub's FILESIZES resource that
	// wextract refuses (missing, not 36 bytes, a total of 0), or whose
	// total is not the sum of its cabinet's file sizes.
	RuleIExpressFileSizes signing.Rule = "iexpress/file-sizes"
	// RuleIExpressCabinetTrailing: bytes of an IExpress stub's CABINET
	// resource past the cabinet's own length, which wextract does not
	// extract.
	RuleIExpressCabinetTrailing signing.Rule = "iexpress/cabinet-trailing-data"
	// RuleIExpressUpdatedFile: a file an IExpress stub carries in an
	// UPDFILE resource, outside its cabinet, which wextract writes after
	// the cabinet's files: a warning, an error when it replaces a cabinet
	// file, when its declared size is not what the resource holds, or
	// when wextract never writes it (a gap in the numbering).
	RuleIExpressUpdatedFile signing.Rule = "iexpress/updated-file"
)

// Rule IDs of the storages of a Windows Installer database, documented in
// docs/rules/msi.md; verify exports them under the same names.
const (
	// RuleMSIEmbeddedTransform: a storage of an MSI that is an embedded
	// transform, listed; its streams are checked as files, the changes
	// it makes to the tables are not.
	RuleMSIEmbeddedTransform signing.Rule = "msi/embedded-transform"
	// RuleMSIUnknownStorage: a storage of an MSI that is neither a
	// database nor a transform and that no custom action installs; its
	// streams are checked as files.
	RuleMSIUnknownStorage signing.Rule = "msi/unknown-storage"
)
