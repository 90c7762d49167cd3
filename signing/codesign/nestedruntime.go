package codesign

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// csRuntime is CS_RUNTIME, the hardened runtime flag of a CodeDirectory.
const csRuntime = 0x10000

// execSegMainBinary is CS_EXECSEG_MAIN_BINARY: the code is a main
// executable (a process can be started from it).
const execSegMainBinary = 1

// weakeningEntitlements are the entitlements that let a process under the
// hardened runtime load code its signer did not sign: unsigned or
// other-team dylibs, DYLD_INSERT_LIBRARIES, writable executable memory,
// and get-task-allow, which hands the task port (and so code injection) to
// any process of the same user; the notary service refuses it.
var weakeningEntitlements = []string{
	"com.apple.security.cs.allow-dyld-environment-variables",
	"com.apple.security.cs.allow-unsigned-executable-memory",
	"com.apple.security.cs.disable-library-validation",
	"com.apple.security.get-task-allow",
}

// checkNestedRuntime reports, for a top-level bundle whose main
// executable runs under the hardened runtime, nested executables that do
// not (a helper started without CS_RUNTIME loads any dylib), and nested
// code whose entitlements turn off library validation or allow dyld
// environment variables or unsigned executable memory: the ways an
// injected dylib gets loaded beside code that looks hardened.
func (b *bundleCheck) checkNestedRuntime() {
	if !b.top || b.mainItem < 0 || !hardened(b.out.Items[b.mainItem].Result) {
		return
	}
	for i, it := range b.out.Items {
		if i == b.mainItem || it.Result == nil {
			continue
		}
		var weak []string
		exec := it.Main
		for _, s := range it.Result.Slices {
			if len(s.CodeDirectories) > 0 && s.CodeDirectories[0].ExecSegFlags&execSegMainBinary != 0 {
				exec = true
			}
			weak = append(weak, grantedWeakening(s)...)
		}
		slices.Sort(weak)
		if exec && !hardened(it.Result) {
			b.add(RuleNestedRuntimeWeaker, signing.SeverityWarning, it.Path, fmt.Sprintf("nested executable %q is not signed with the hardened runtime (CS_RUNTIME) that the main executable has: started on its own, it loads any library", it.Path))
		}
		if weak = slices.Compact(weak); len(weak) > 0 {
			b.add(RuleNestedRuntimeWeaker, signing.SeverityWarning, it.Path, fmt.Sprintf("nested code %q is signed with %s while the main executable runs under the hardened runtime: it can load code its signer did not sign", it.Path, strings.Join(weak, ", ")))
		}
	}
}

// hardened reports whether every signed slice of r has CS_RUNTIME; false
// when r has no slice.
func hardened(r *Result) bool {
	if r == nil || len(r.Slices) == 0 {
		return false
	}
	for _, s := range r.Slices {
		if s.Flags&csRuntime == 0 {
			return false
		}
	}
	return true
}

// grantedWeakening returns the weakening entitlements slice s is signed
// with as true, in either form (XML or DER): whichever form macOS reads,
// a weakening one in the other is still reported.
func grantedWeakening(s Slice) []string {
	d := s.ents // decoded already by checkEntitlementForms
	if d == nil {
		d = decodeEntitlements(&s)
	}
	var dicts []map[string]any
	if s.Entitlements != "" && d.xmlErr == nil {
		dicts = append(dicts, d.xml)
	}
	if len(s.DEREntitlements) > 0 && d.derErr == nil {
		dicts = append(dicts, d.der)
	}
	var out []string
	for _, d := range dicts {
		for _, k := range weakeningEntitlements {
			if v, ok := d[k].(bool); ok && v {
				out = append(out, k)
			}
		}
	}
	return out
}
