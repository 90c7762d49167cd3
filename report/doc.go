// Package report is shipgate's one report model: the typed form of the JSON
// report (schema version 1, DESIGN.md) that every producer fills and every
// consumer reads. verify.Release fills Files, Findings, Inputs and Policy;
// sbom.DiffReleases fills Diff; git's audit fills Commits and Git;
// signing/attest reads a Report to make a verification summary; package
// verify/report writes a Report as text, JSON or SARIF.
//
// A producer fills the sections it has and calls [Report.Finalize], which
// sorts files and findings into report order (see [CompareFindings]) and
// computes the summary. Sections a producer does not fill are nil and are
// left out of the JSON; the required keys (schemaVersion, tool, files,
// findings, summary) are always written.
//
// The package imports only the standard library and package signing, so
// that signing/attest may use it without depending on verify, sbom or git.
package report
