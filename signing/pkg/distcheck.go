package pkg

import (
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// distributionName is the product archive's Distribution file, at the
// root of the archive.
const distributionName = "Distribution"

// checkDistribution reads the Distribution of a product archive, if it has
// one, and reports what it makes Installer do outside the bytes verified:
// pkg-ref elements naming packages that are not component packages of
// this archive (errors), component packages no pkg-ref names (warnings:
// OpenFS still walks them), allow-external-scripts and system.run calls
// (warnings), and its JavaScript (notes).
func (v *verifier) checkDistribution() {
	x := v.x
	var dist *Entry
	components := map[string]bool{}
	for _, e := range x.Entries {
		if e.Unsafe != "" || strings.HasPrefix(e.Path, "\x00") {
			continue
		}
		if strings.EqualFold(e.Path, distributionName) {
			// Folded siblings are unsafe names already: at most one
			// entry matches, however the volume Installer reads it
			// from compares names.
			dist = x.DataEntry(e)
			continue
		}
		dir, base, ok := strings.Cut(e.Path, "/")
		if ok && !strings.Contains(base, "/") && (base == "PackageInfo" || base == "Payload" || base == "Scripts") {
			components[dir] = true
		}
	}
	if dist == nil {
		return // a component package, or no product archive
	}
	at := int64(-1)
	if dist.Data != nil {
		at = x.HeapStart + dist.Data.Ref.Offset
	}
	b, err := v.readDistribution(dist)
	var d *Distribution
	if err == nil {
		d, err = ParseDistribution(b)
	}
	if err != nil {
		v.add(RuleDistributionMalformed, signing.SeverityError, at, "the Distribution cannot be read safely, so the packages and scripts it makes Installer run were not checked against it: %v", err)
		return
	}
	v.res.Distribution = d
	named := map[string]bool{}
	for _, r := range d.PkgRefs {
		name, ok := componentRef(r.Href)
		switch {
		case !ok:
			v.add(RuleDistributionExternalPackage, signing.SeverityError, at, "the Distribution's pkg-ref %q names %q, which is outside this archive (only \"#name.pkg\" names a component package in it): Installer installs a package shipgate never saw", r.ID, r.Href)
		case !components[name]:
			v.add(RuleDistributionExternalPackage, signing.SeverityError, at, "the Distribution's pkg-ref %q names %q, but the archive holds no component package %q (a directory at its root with a PackageInfo, Payload or Scripts): what Installer installs for it was not checked", r.ID, r.Href, name)
		default:
			named[name] = true
		}
	}
	v.checkChoices(d, at)
	var unnamed []string
	for c := range components {
		if !named[c] {
			unnamed = append(unnamed, c)
		}
	}
	sort.Strings(unnamed)
	for _, c := range unnamed {
		v.add(RuleDistributionUnreferencedComponent, signing.SeverityWarning, -1, "component package %q is named by no pkg-ref of the Distribution: Installer does not install it, yet it ships in the signed archive (its Payload and Scripts were checked)", c)
	}
	var runs []string
	for _, s := range append(append([]DistScript(nil), d.Scripts...), d.Expressions...) {
		for _, c := range RunCalls(s.Code) {
			runs = append(runs, s.Where+": "+c)
		}
	}
	if d.AllowExternalScripts {
		v.add(RuleDistributionExternalScripts, signing.SeverityWarning, at, "the Distribution's options set allow-external-scripts, so its JavaScript may run programs outside the package (system.run, system.runOnce); calls seen: %s", listOrNone(runs))
	} else if len(runs) > 0 {
		v.add(RuleDistributionExternalScripts, signing.SeverityWarning, at, "the Distribution's JavaScript calls programs (%s); without allow-external-scripts Installer refuses them, but they show intent to run code outside the package", strings.Join(runs, "; "))
	}
	for _, s := range d.Scripts {
		v.add(RuleDistributionScript, signing.SeverityNote, at, "Installer JavaScript in the Distribution's %s (%d bytes): Installer runs it before installing", s.Where, len(s.Code))
	}
}

// checkChoices reports the pkg-refs of d's choices whose id no pkg-ref
// gives a package: Installer installs what a selected choice's pkg-refs
// locate, and one that locates nothing in the archive leaves what it
// installs unknown (a package of that identifier found elsewhere, or
// nothing while the component the verified pkg-ref names is never
// installed). at is the Distribution's heap offset.
func (v *verifier) checkChoices(d *Distribution, at int64) {
	located := make(map[string]bool, len(d.PkgRefs))
	for _, r := range d.PkgRefs {
		located[r.ID] = true
	}
	for _, c := range d.Choices {
		for _, id := range c.PkgRefs {
			if !located[id] {
				v.add(RuleDistributionChoiceWithoutPackage, signing.SeverityError, at, "the Distribution's choice %q refers to pkg-ref %q, which names no package (no pkg-ref of that id reads \"#name.pkg\" or any location): what Installer installs for the choice is not a component package shipgate checked", c.ID, id)
			}
		}
	}
}

// readDistribution decodes the Distribution's bytes, at most
// MaxDistribution of them.
func (v *verifier) readDistribution(e *Entry) ([]byte, error) {
	if e.Data == nil {
		return nil, nil
	}
	if e.Data.Size > MaxDistribution {
		return nil, distErr(-1, "%d bytes is over the %d-byte limit", e.Data.Size, MaxDistribution)
	}
	r, err := v.x.Open(e)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxDistribution+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxDistribution {
		return nil, distErr(MaxDistribution, "decodes to more than the %d-byte limit", MaxDistribution)
	}
	return b, nil
}

// componentRef returns the component package a pkg-ref's text names:
// "#name" with name percent-decoded, a single path element. ok is false
// for anything else (a URL with a scheme, a relative or absolute path,
// "#" followed by a path).
func componentRef(href string) (name string, ok bool) {
	rest, found := strings.CutPrefix(href, "#")
	if !found {
		return "", false
	}
	name, err := url.PathUnescape(rest)
	if err != nil || name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") {
		return "", false
	}
	return name, true
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none by a literal name (a call through another name is not seen)"
	}
	return strings.Join(s, "; ")
}
