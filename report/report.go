package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// SchemaVersion is the version of the JSON report this package describes.
const SchemaVersion = 1

// Report is the outcome of a run, in the shape of the JSON report (schema
// version 1; verify/report/schema/report.schema.json).
type Report struct {
	// SchemaVersion is [SchemaVersion].
	SchemaVersion int `json:"schemaVersion"`
	// Tool names the producer.
	Tool Tool `json:"tool"`
	// Input is what the run verified; nil when the producer does not
	// record it (a diff and a git audit name theirs in their own sections).
	Input *Input `json:"input,omitempty"`
	// Policy says which policy judged the release; nil when the producer
	// applies none of its own.
	Policy *Policy `json:"policy,omitempty"`
	// Files lists every file checked, sorted by path.
	Files []File `json:"files"`
	// Findings lists every finding, in the order of [CompareFindings].
	Findings []signing.Finding `json:"findings"`
	// Summary counts files and findings and gives the verdict.
	Summary Summary `json:"summary"`
	// Diff is a release diff (shipgate diff); nil otherwise.
	Diff *Diff `json:"diff,omitempty"`
	// Commits are the commits of a git history audit (shipgate git-audit)
	// that change protected paths, newest first. Nil (left out of the
	// JSON) for other reports; an audit with no such commit has an empty,
	// non-nil list.
	Commits []Commit `json:"commits,omitzero"`
	// Git describes the audited range of a git history audit; nil
	// otherwise.
	Git *GitAudit `json:"git,omitempty"`
}

// Tool names the program that made a report.
type Tool struct {
	// Name is the program's name, "shipgate" for the CLI.
	Name string `json:"name"`
	// Version is the program's version: a module version, "0.0.0-" and a VCS
	// revision, or empty when the build recorded neither.
	Version string `json:"version"`
}

// Kind is a file's kind as identified by its magic bytes.
type Kind string

const (
	// KindPE is a Windows Portable Executable (MZ header and a PE signature).
	KindPE Kind = "pe"
	// KindMachO is a thin Mach-O file (32- or 64-bit, either byte order).
	KindMachO Kind = "macho"
	// KindMachOUniversal is a universal ("fat") Mach-O file.
	KindMachOUniversal Kind = "macho-universal"
	// KindAsar is an Electron asar archive.
	KindAsar Kind = "asar"
	// KindMSI is a Windows Installer database, patch, transform or merge
	// module: an OLE compound file named .msi, .msp, .mst or .msm, or
	// whose root storage has an MSI class identifier.
	KindMSI Kind = "msi"
	// KindCAB is a cabinet ("MSCF", any version).
	KindCAB Kind = "cab"
	// KindCatalog is a Windows security catalog: a file named .cat holding
	// a PKCS#7 SignedData whose content is a certificate trust list.
	KindCatalog Kind = "catalog"
	// KindMSIX is an MSIX or APPX package or bundle: a zip archive holding
	// AppxSignature.p7x or AppxBlockMap.xml, or named .msix, .appx,
	// .msixbundle or .appxbundle.
	KindMSIX Kind = "msix"
	// KindPowerShell is a PowerShell script, module or data file (.ps1,
	// .psm1, .psd1), XML file (.ps1xml, .cdxml, .psc1) or MOF file (.mof),
	// by name.
	KindPowerShell Kind = "powershell"
	// KindJScript is a Windows Script Host JScript file: a .js carrying a
	// "// SIG // Begin signature block" line anywhere in it. Other
	// .js files (web and Node.js code) are KindOther.
	KindJScript Kind = "jscript"
	// KindVBScript is a Windows Script Host VBScript file (.vbs), by name.
	KindVBScript Kind = "vbscript"
	// KindWSF is a Windows Script File (.wsf), by name.
	KindWSF Kind = "wsf"
	// KindEncodedScript is a Script Encoder file (.vbe, .jse), by name:
	// VBScript or JScript the Windows Script Host decodes and runs. No
	// script signature format covers it (Scripting.Signer signs .vbs, .js
	// and .wsf), so it is unsigned unless a catalog lists it.
	KindEncodedScript Kind = "encoded-script"
	// KindBatch is a Windows batch file (.bat, .cmd), by name: cmd.exe runs
	// it. Windows has no signature format for it, so it is unsigned unless
	// a catalog lists it.
	KindBatch Kind = "batch"
	// KindScriptComponent is a Windows Script Component (.wsc, or .sct, the
	// same scriptlet file to Windows), by name:
	// COM code the Windows Script Host runs (regsvr32 /i:…, GetObject
	// "script:…"). Microsoft documents no signature format for it
	// (Scripting.Signer signs .vbs, .js and .wsf), so it is unsigned unless
	// a catalog lists it.
	KindScriptComponent Kind = "script-component"
	// KindTerminalScript is a macOS Terminal shell script (.command,
	// .tool, in any case), by name, or a disk image's file with an execute
	// bit, no extension and a "#!" line, outside an Apple bundle's seal:
	// Finder opens it in Terminal, which runs it. macOS keeps a script's code
	// signature in its extended attributes, which shipgate does not read,
	// so it is unsigned.
	KindTerminalScript Kind = "terminal-script"
	// KindHTMLApplication is an HTML Application (.hta), by name:
	// mshta.exe runs its scripts with the user's full rights, outside the
	// browser's sandbox. Windows has no signature format for it, so it is
	// unsigned unless a catalog lists it.
	KindHTMLApplication Kind = "html-application"
	// KindPkg is a macOS flat installer package: a xar archive ("xar!").
	KindPkg Kind = "pkg"
	// KindDMG is a macOS disk image (UDIF): a file ending with a version 4
	// koly trailer, or any file named .dmg (which, without one, is
	// reported as malformed).
	KindDMG Kind = "dmg"
	// KindOther is any other file.
	KindOther Kind = "other"
)

// kinds lists every Kind, KindOther last.
var kinds = []Kind{KindPE, KindMachO, KindMachOUniversal, KindAsar, KindMSI, KindCAB, KindCatalog, KindMSIX, KindPowerShell, KindJScript, KindVBScript, KindWSF, KindEncodedScript, KindBatch, KindScriptComponent, KindTerminalScript, KindHTMLApplication, KindPkg, KindDMG, KindOther}

// Kinds returns every file kind a report can name, in a fixed order.
func Kinds() []Kind { return slices.Clone(kinds) }

// Native reports whether files of kind k carry code signatures: Windows
// Authenticode (PE, MSI, cabinets, catalogs, MSIX packages and scripts), Apple code
// signatures (Mach-O), Apple code signatures of disk images, or Apple
// installer signatures (flat packages). Policy requirements (`require`, signer rules, unsigned code)
// apply to these kinds.
func (k Kind) Native() bool {
	switch k {
	case KindPE, KindMachO, KindMachOUniversal, KindMSI, KindCAB, KindCatalog, KindMSIX, KindPowerShell, KindJScript, KindVBScript, KindWSF, KindEncodedScript, KindBatch, KindScriptComponent, KindTerminalScript, KindHTMLApplication, KindPkg, KindDMG:
		return true
	}
	return false
}

// File is one file of a release.
type File struct {
	// Path is relative to the input, "/"-separated.
	Path string `json:"path"`
	// Size is the file's length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the SHA-256 of the whole file (lowercase hex in JSON).
	SHA256 Digest `json:"sha256"`
	// Kind is the file's kind.
	Kind Kind `json:"kind"`
	// Signatures are the file's signatures in index order; empty for files
	// that carry none.
	Signatures []signing.Signature `json:"signatures,omitempty"`
}

// Signed reports whether f carries at least one signature.
func (f *File) Signed() bool {
	for _, s := range f.Signatures {
		if s.Status != signing.StatusUnsigned {
			return true
		}
	}
	return false
}

// Summary counts a report's files and findings.
type Summary struct {
	// Files is the number of files checked.
	Files int `json:"files"`
	// Signed is the number of files carrying at least one signature.
	Signed int `json:"signed"`
	// Errors and Warnings count findings by severity.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	// Passed reports whether no finding reached the failOn threshold.
	Passed bool `json:"passed"`
}

// FailOn is the lowest finding severity that fails the gate.
type FailOn string

const (
	// FailOnError fails the gate on any error finding (the default).
	FailOnError FailOn = "error"
	// FailOnWarning fails the gate on any warning or error finding.
	FailOnWarning FailOn = "warning"
	// FailOnNote fails the gate on any finding at all.
	FailOnNote FailOn = "note"
	// FailOnNever never fails the gate on findings.
	FailOnNever FailOn = "never"
)

// ParseFailOn returns the FailOn named s; the empty string means FailOnError.
func ParseFailOn(s string) (FailOn, error) {
	switch FailOn(s) {
	case "":
		return FailOnError, nil
	case FailOnError, FailOnWarning, FailOnNote, FailOnNever:
		return FailOn(s), nil
	}
	return "", fmt.Errorf("unknown failOn %q (want error, warning, note or never)", s)
}

// Fails reports whether a finding of severity s fails the gate.
func (f FailOn) Fails(s signing.Severity) bool {
	switch f {
	case FailOnNever:
		return false
	case FailOnNote:
		return true
	case FailOnWarning:
		return s >= signing.SeverityWarning
	}
	return s >= signing.SeverityError
}

// Finalize sorts r's files and findings into report order, makes empty lists
// non-nil (so JSON shows []) and recomputes the summary with threshold
// failOn (empty means FailOnError). It sets SchemaVersion when zero.
func (r *Report) Finalize(failOn FailOn) {
	if r.SchemaVersion == 0 {
		r.SchemaVersion = SchemaVersion
	}
	if r.Files == nil {
		r.Files = []File{}
	}
	if r.Findings == nil {
		r.Findings = []signing.Finding{}
	}
	// The two sorts run at once. Neither needs to be stable: files and
	// findings that compare equal print the same.
	done := make(chan struct{})
	go func() {
		slices.SortFunc(r.Files, func(a, b File) int {
			if c := strings.Compare(a.Path, b.Path); c != 0 {
				return c
			}
			return bytes.Compare(a.SHA256[:], b.SHA256[:])
		})
		close(done)
	}()
	SortFindings(r.Findings)
	<-done
	s := Summary{Files: len(r.Files), Passed: true}
	for i := range r.Files {
		if r.Files[i].Signed() {
			s.Signed++
		}
	}
	for _, f := range r.Findings {
		switch f.Severity {
		case signing.SeverityError:
			s.Errors++
		case signing.SeverityWarning:
			s.Warnings++
		}
		if failOn.Fails(f.Severity) {
			s.Passed = false
		}
	}
	r.Summary = s
}
