package verify

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// Links named as scripts. A script's kind, unlike native code's, comes
// from its name: Windows picks its interpreter and its signature rules by
// extension. A link (a tarball's hard link, a symbolic link) named
// install.ps1 to a file named payload.txt is a PowerShell script where it
// is installed, while the file behind it was checked as an other file,
// its signature never verified: an unsigned or tampered script passed.

// scriptKindOfName returns the script kind Windows gives a file named
// name, or KindOther. A .js is left out: only one holding a signature
// block is taken for a JScript.
func scriptKindOfName(name string) Kind { return scriptKindOfExt(windowsExt(name)) }

// scriptKindOfExt returns the script kind of the extension ext (as
// windowsExt returns it), or KindOther, a .js left out as above; windowsKind
// gives a file's kind by it too.
func scriptKindOfExt(ext string) Kind {
	switch ext {
	case ".ps1", ".psm1", ".psd1", ".ps1xml", ".cdxml", ".psc1", ".mof":
		return KindPowerShell
	case ".vbe", ".jse":
		return KindEncodedScript
	case ".bat", ".cmd":
		return KindBatch
	case ".wsc", ".sct":
		return KindScriptComponent
	case ".hta":
		return KindHTMLApplication
	case ".vbs":
		return KindVBScript
	case ".wsf":
		return KindWSF
	}
	return KindOther
}

// linkScriptKind returns the script kind a link named p is where it is
// extracted, or KindOther: a Windows script kind by its extension, or a
// terminal-script for a .command, .tool or .terminal name outside the
// Apple bundles verified as such (sealed: their seal covers it), which
// Finder runs in Terminal: a tarball's hard link Install.command to a
// file named payload passed (TestAttackTerminalScriptLinkToOtherFile).
// A folder named as a bundle is not one: a link in Foo.framework, which
// Finder opens as a folder, or in a tarball's app, whose seal is not
// checked, is judged as a file there is (TestAttackTerminalScriptLinkInFakeBundle).
func linkScriptKind(p string, sealed []string) Kind {
	if k := scriptKindOfName(p); k != KindOther {
		return k
	}
	if !isTerminalScriptName(p) || inBundles(sealed, p) {
		return KindOther
	}
	return KindTerminalScript
}

// inBundles reports whether the report path p is inside one of the
// bundles at roots ("": the input folder itself).
func inBundles(roots []string, p string) bool {
	for _, r := range roots {
		if r == "" || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// sealedBundles returns the report paths of the Apple bundles verified
// as bundles (a folder's, a zip archive's, a disk image's or an installer
// package's), whose seals cover what is in them.
func (e *engine) sealedBundles() []string {
	e.bundleMu.Lock()
	defer e.bundleMu.Unlock()
	out := make([]string, 0, len(e.bundleJobs))
	for _, j := range e.bundleJobs {
		out = append(out, j.path)
	}
	return out
}

// checkLinkKinds reports each link whose name makes it a script and that
// reaches a file checked as another kind (rule file/link-kind-mismatch).
func (e *engine) checkLinkKinds() {
	var links []link
	sealed := e.sealedBundles()
	for _, l := range e.links {
		if linkScriptKind(l.path, sealed) != KindOther {
			links = append(links, l)
		}
	}
	if len(links) == 0 {
		return
	}
	files := make([]*File, len(e.files))
	for i := range e.files {
		files[i] = &e.files[i]
	}
	x := newLinkIndex(files, e.links)
	sort.SliceStable(links, func(a, b int) bool { return links[a].path < links[b].path })
	var finds []signing.Finding
	for _, l := range links {
		want := linkScriptKind(l.path, sealed)
		reached, _ := x.resolve(l.target)
		for _, t := range reached {
			for _, f := range x.file(t) {
				if f.Kind == want {
					continue
				}
				who := "Windows runs"
				if want == KindTerminalScript {
					who = "Finder opens it in Terminal, which runs"
				}
				finds = append(finds, finding(RuleLinkKindMismatch, signing.SeverityError, l.path,
					fmt.Sprintf("link to %s, checked as %s: %s it by the link's name as a %s file, whose signature was never verified", f.Path, kindLabel(f.Kind), who, kindLabel(want))))
			}
		}
	}
	e.addFindings(finds...)
}
