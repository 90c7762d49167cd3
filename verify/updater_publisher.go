package verify

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// electron-builder writes resources/app-update.yml into a Windows
// application: the update settings electron-updater's NsisUpdater reads.
// Its publisherName (a name or a list) is the Authenticode signer an
// update must have: NsisUpdater.verifySignature runs
// Get-AuthenticodeSignature on the downloaded installer and keeps it only
// when, for one of the names, every attribute of the name read as a
// distinguished name (builder-util-runtime's parseDn) equals the signer
// subject's, or, for a name that reads as none, the name is the subject's
// CN. With no publisherName (or a null one) it checks no signature at all:
// whoever serves the update feed installs any installer of the feed's
// SHA-512.

// isAppUpdateYAML reports whether report path p is an application's
// app-update.yml in its resources folder (a macOS bundle's
// Contents/Resources), in any case: Windows and macOS file systems find
// "Resources/App-Update.yml" by the name electron-updater asks for.
func isAppUpdateYAML(p string) bool {
	dir := path.Dir(p)
	return strings.EqualFold(path.Base(p), "app-update.yml") && !strings.Contains(strings.ToLower(p), "node_modules/") &&
		strings.EqualFold(path.Base(dir), "resources")
}

// appSigners returns the signer subjects of the Authenticode-signed
// executables of the Windows application whose resources folder holds the
// app-update.yml at p (the .exe files beside that folder), sorted and
// without repeats, and whether the folder holds any executable.
func appSigners(p string, files map[string]*File) (subjects []string, exes bool) {
	app := path.Dir(path.Dir(p))
	for q, f := range files {
		if path.Dir(q) != app || !strings.EqualFold(path.Ext(q), ".exe") || f.Kind != KindPE {
			continue
		}
		exes = true
		for _, s := range f.Signatures {
			if s.Format == signing.FormatAuthenticode && s.Signer != nil {
				subjects = append(subjects, s.Signer.Subject)
				break
			}
		}
	}
	slices.Sort(subjects)
	return slices.Compact(subjects), exes
}

// appUpdateFindings returns the file/update-publisher and
// file/update-insecure-url findings of the app-update.yml fd.
func appUpdateFindings(fd squirrelFeed, files map[string]*File) []signing.Finding {
	subjects, exes := appSigners(fd.path, files)
	var cfg map[string]any
	if err := loadUpdaterYAML(fd.data, &cfg); err != nil {
		rule := RuleUpdateInsecureURL
		if exes {
			rule = RuleUpdatePublisher
		}
		return []signing.Finding{finding(rule, signing.SeverityWarning, fd.path,
			"electron-updater's settings are not plain YAML ("+err.Error()+"), as electron-builder writes them: the update server and publisherName electron-updater reads were not checked")}
	}
	finds := updateURLFindings(fd.path, cfg)
	if exes { // a Windows application: NsisUpdater
		if msg, sev := publisherProblem(cfg["publisherName"], subjects); msg != "" {
			finds = append(finds, finding(RuleUpdatePublisher, sev, fd.path, msg))
		}
	}
	return finds
}

// publisherProblem says why NsisUpdater, given publisherName names, does
// not take exactly the updates signed by the signers of the release's
// executables (subjects), with the severity; "" when it does.
func publisherProblem(names any, subjects []string) (string, signing.Severity) {
	signer := "the release's executables are not signed"
	if len(subjects) > 0 {
		signer = "the release's executables are signed by " + strings.Join(subjects, "; ")
	}
	if names == nil {
		sev := signing.SeverityError
		if len(subjects) == 0 {
			sev = signing.SeverityWarning
		}
		return "electron-updater's settings give no publisherName: NsisUpdater installs an update without checking its Authenticode signature, so whoever serves the update feed installs any installer (" + signer + ")", sev
	}
	list, ok := names.([]any)
	if !ok {
		list = []any{names}
	}
	for _, s := range subjects {
		if !slices.ContainsFunc(list, func(n any) bool { return publisherMatches(n, s) }) {
			return fmt.Sprintf("electron-updater's publisherName %s names no signer of the release: NsisUpdater refuses an update signed as this release is, and installs one signed by the publisher it names (%s)", jsonish(names), signer), signing.SeverityError
		}
	}
	return "", 0
}

// jsonish is v (a YAML scalar or list) as a message quotes it.
func jsonish(v any) string {
	if l, ok := v.([]any); ok {
		q := make([]string, len(l))
		for i, x := range l {
			q[i] = fmt.Sprintf("%q", jsString(x))
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	return fmt.Sprintf("%q", jsString(v))
}

// publisherMatches reports whether NsisUpdater takes a signer of subject
// (an RFC 4514 string, as Identity.Subject spells it) for the publisher
// name n: every attribute of n read as a distinguished name is the
// subject's as .NET spells it for PowerShell (S for ST, E for the e-mail
// address, OID.x for other types), or n reads as none and is the subject's
// CN.
func publisherMatches(n any, subject string) bool {
	name, ok := n.(string)
	if !ok {
		return false // parseDn of a number or list throws: no match
	}
	sub := dotnetSubject(subject)
	dn := parseDN(name)
	if len(dn) == 0 {
		cn, ok := sub["CN"]
		return ok && cn == name
	}
	for k, v := range dn {
		if w, ok := sub[k]; !ok || w != v {
			return false
		}
	}
	return true
}
