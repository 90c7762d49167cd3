package codesign

import (
	"fmt"
	"sort"
	"strings"
)

// allowedOmissions are the omit rules Security accepts in a bundle's
// resource rules under strict validation (BundleDiskRep::
// allowedResourceOmissions; the locversion.plist rule is relative to the
// bundle's Resources folder, none in a flat bundle).
var allowedOmissions = map[string]bool{
	`^(.*/)?\.DS_Store$`:                     true,
	`^Info\.plist$`:                          true,
	`^PkgInfo$`:                              true,
	`^Resources/.*\.lproj/locversion.plist$`: true,
	`^.*\.lproj/locversion.plist$`:           true,
}

// judgeEnvelope judges a CodeResources plist doc as Security loads and
// checks it (SecStaticCode::loadResources and hasWeakResourceRules,
// libsecurity_codesigning StaticCode.cpp). It returns bad, why macOS
// rejects the seal outright ("" when it does not): with "files2" present
// it reads "rules2" and "files2", else "rules" and "files", and refuses
// (errSecCSResourcesInvalid) when either is missing or not a dictionary,
// or a rule is neither a boolean nor a dictionary. And it returns weak,
// why strict validation rejects it, which Gatekeeper applies to every app
// it assesses (kSecCSStrictValidate unless told to allow weak code): a
// version 1 envelope (no "files2", errSecCSWeakResourceEnvelope), rules
// without their catch-all rule ("^.*", or "^Resources/" in version 1) set
// to true, or with an omit rule (a dictionary with omit, or the value
// false) other than the ones codesign writes (errSecCSWeakResourceRules).
func judgeEnvelope(doc map[string]any) (bad string, weak []string) {
	filesKey, rulesKey, catchAll := "files2", "rules2", "^.*"
	if _, v2 := doc["files2"]; !v2 {
		filesKey, rulesKey, catchAll = "files", "rules", "^Resources/"
		weak = append(weak, `it has only the version 1 resource envelope ("files", no "files2"): Gatekeeper rejects it as obsolete (errSecCSWeakResourceEnvelope)`)
	}
	_, filesOK := doc[filesKey].(map[string]any)
	rules, rulesOK := doc[rulesKey].(map[string]any)
	if !filesOK || !rulesOK {
		return fmt.Sprintf("CodeResources has no %q and %q dictionaries, which macOS reads for this envelope: it rejects the bundle (errSecCSResourcesInvalid)", filesKey, rulesKey), weak
	}
	covers := false
	var omits []string
	for k, v := range rules {
		switch x := v.(type) {
		case bool:
			if k == catchAll && x {
				covers = true
			} else if !x && !allowedOmissions[k] {
				omits = append(omits, k)
			}
		case map[string]any:
			if omit, _ := x["omit"].(bool); omit && !allowedOmissions[k] {
				omits = append(omits, k)
			}
		default:
			return fmt.Sprintf("CodeResources %s rule %q is a %T, neither a boolean nor a dictionary: macOS rejects the bundle (errSecCSResourceRulesInvalid)", rulesKey, k, v), weak
		}
	}
	if !covers {
		weak = append(weak, fmt.Sprintf("its %s lack the catch-all rule %q set to true, which codesign writes: Gatekeeper rejects such custom resource rules (errSecCSWeakResourceRules)", rulesKey, catchAll))
	}
	if len(omits) > 0 {
		sort.Strings(omits)
		weak = append(weak, fmt.Sprintf("its %s omit files by rules codesign does not write (%s): Gatekeeper rejects such custom resource rules (errSecCSWeakResourceRules)", rulesKey, quoteAll(omits)))
	}
	return "", weak
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
