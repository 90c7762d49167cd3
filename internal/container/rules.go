package container

import "github.com/shipgate/shipgate/signing"

// Rule IDs of opening cabinets and Windows Installer databases, documented
// in docs/rules/cab.md, docs/rules/msi.md and docs/rules/verify.md; verify
// exports them under the same names. The walker's other findings use the
// rules of every container (release.RuleMalformed…).
const (
	// RuleCABNotOpened: files of a cabinet that shipgate does not
	// decompress (LZX or Quantum folders, files continued across a set).
	RuleCABNotOpened signing.Rule = "cab/not-opened"
	// RuleCABVersion: a cabinet whose header gives a version other than
	// 1.3, the only one defined; it is read as a 1.3 cabinet.
	RuleCABVersion signing.Rule = "cab/unknown-version"
	// RuleMSIMissingStream: a table of an MSI refers to a stream (an
	// embedded cabinet, a Binary table entry) the database does not hold.
	RuleMSIMissingStream signing.Rule = "msi/missing-stream"
	// RuleMSIUnreferencedData: data in an MSI that Windows Installer does
	// not install: a stream no table refers to, a cabinet file the File
	// table does not list.
	RuleMSIUnreferencedData signing.Rule = "msi/unreferenced-data"
	// RuleUncheckedArchive: a container format that shipgate does not open,
	// so that the files inside it are not checked.
	RuleUncheckedArchive signing.Rule = "file/unchecked-archive"
)
