package verify

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/shipgate/shipgate/signing"
)

// namePins records the signatures that policy signers entries naming a
// subject and issuer only let through (see checkNamePins).
type namePins struct {
	mu   sync.Mutex
	uses map[string]*namePinUse // by Signer.String()
}

// namePinUse is what one name-only signers entry allowed.
type namePinUse struct {
	pin   Signer
	files map[string]bool
	roots map[string]string // SHA-256 of each root the chains ended at, to its subject
}

// nameOnly reports whether s names its signer by subject and issuer only:
// no thumbprint, root or team ID (which is Apple's word under Apple's
// roots only) binds it to one certificate or hierarchy.
func (s Signer) nameOnly() bool {
	return s.Subject != "" && s.Thumbprint == "" && s.Root == "" && s.TeamID == ""
}

// note records that the name-only entry a allowed the signature sig of
// the file at p.
func (n *namePins) note(a Signer, p string, sig signing.Signature) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.uses == nil {
		n.uses = map[string]*namePinUse{}
	}
	k := a.String()
	u := n.uses[k]
	if u == nil {
		u = &namePinUse{pin: a, files: map[string]bool{}, roots: map[string]string{}}
		n.uses[k] = u
	}
	u.files[p] = true
	if len(sig.Chain) > 0 {
		r := sig.Chain[len(sig.Chain)-1]
		u.roots[r.SHA256] = r.Subject
	}
}

// checkNamePins reports each signers entry of the policy that allowed a
// signature by its subject and issuer alone (policy/signer-name-only, a
// warning). Names are what a CA writes: any root the trust store holds
// (one in trust.roots, any of the system's) can issue an intermediate and
// a leaf with the vendor's subject and issuer, and the pin lets them
// through, as docs/policy.md says. The finding names the roots the
// allowed chains ended at, so that the entry can be bound to the vendor's
// with `root`, and says when they were more than one.
func (e *engine) checkNamePins() {
	n := &e.namePins
	keys := make([]string, 0, len(n.uses))
	for k := range n.uses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var finds []signing.Finding
	for _, k := range keys {
		u := n.uses[k]
		files := make([]string, 0, len(u.files))
		for p := range u.files {
			files = append(files, p)
		}
		sort.Strings(files)
		roots := make([]string, 0, len(u.roots))
		for h, s := range u.roots {
			roots = append(roots, fmt.Sprintf("%q (SHA-256 %s)", s, h))
		}
		sort.Strings(roots)
		fix := "add `root:` with the vendor's root"
		if len(roots) > 1 {
			fix = "the chains it allowed end at different roots: find out which is the vendor's, and add `root:` with it"
		}
		finds = append(finds, finding(RuleSignerNameOnly, signing.SeverityWarning, "", fmt.Sprintf(
			"the policy's signers entry {%s} pins its signer by name only, and allowed %d file(s) (first: %s) whose chains end at %s: any CA the trust store holds can issue a certificate with these names, which the entry allows too; %s (or a thumbprint) to bind it to the vendor's hierarchy",
			u.pin, len(files), files[0], strings.Join(roots, ", "), fix)))
	}
	e.addFindings(finds...)
}
