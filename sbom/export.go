package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// SBOM formats.
const (
	FormatCycloneDXJSON = "cyclonedx-json" // CycloneDX 1.6 JSON
	FormatSPDXJSON      = "spdx-json"      // SPDX 2.3 JSON
)

// ExportOptions configures [Export]. The zero value writes a document with
// no timestamp (CycloneDX) or the Unix epoch as creation time (SPDX, which
// requires one) and no serial number, so that the same inventory always
// gives the same bytes.
type ExportOptions struct {
	// Time is the document's creation time; the CLI passes SOURCE_DATE_EPOCH
	// or the input's modification time.
	Time time.Time
	// SerialNumber is the CycloneDX serialNumber ("urn:uuid:…"); empty
	// leaves it out.
	SerialNumber string
	// ToolVersion is the version of shipgate recorded as the creator.
	ToolVersion string
}

// Export writes inv as an SBOM in format (FormatCycloneDXJSON or
// FormatSPDXJSON). npm packages are libraries with package URLs; native
// binaries are file components with their SHA-256 and, as properties, their
// kind, architecture, version resource and signer identity; dependencies
// come from package.json, resolved as Node does through node_modules.
func Export(w io.Writer, inv *Inventory, format string, opts ExportOptions) error {
	g := newGraph(inv)
	switch format {
	case FormatCycloneDXJSON:
		return writeCycloneDX(w, inv, g, opts)
	case FormatSPDXJSON:
		return writeSPDX(w, inv, g, opts)
	}
	return fmt.Errorf("sbom: unknown SBOM format %q (want %s or %s)", format, FormatCycloneDXJSON, FormatSPDXJSON)
}

// graph holds the references and relations both formats share.
type graph struct {
	appRef, electronRef string
	// pkgRefs and binRefs are the refs of inv.Packages and inv.Binaries,
	// by index: each its own (uniqueRefs), though two copies of a path
	// (a zip's duplicate entries) share it.
	pkgRefs, binRefs []string
	pkgRef           map[string]string // package path → ref of its first copy
	deps             map[string][]string
}

func newGraph(inv *Inventory) *graph {
	g := &graph{appRef: "app", electronRef: "electron", pkgRef: map[string]string{}, deps: map[string][]string{}}
	paths := map[string]*Package{}
	refs := []string{g.appRef, g.electronRef}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		refs = append(refs, "npm:"+p.Path)
		paths[p.Path] = p
	}
	for _, b := range inv.Binaries {
		refs = append(refs, "file:"+b.Path)
	}
	refs = uniqueRefs(refs)[2:]
	g.pkgRefs, g.binRefs = refs[:len(inv.Packages)], refs[len(inv.Packages):]
	for i := len(inv.Packages) - 1; i >= 0; i-- {
		g.pkgRef[inv.Packages[i].Path] = g.pkgRefs[i]
	}
	root := inv.App.Root
	add := func(from, to string) { g.deps[from] = append(g.deps[from], to) }
	// resolve finds dep from folder dir as Node's module resolution does.
	resolve := func(dir, dep string) string {
		for d := dir; ; d = path.Dir(d) {
			if p := d + "/node_modules/" + dep; paths[p] != nil {
				return p
			}
			if d == root || d == "." || d == "/" || !strings.HasPrefix(d, root) {
				return ""
			}
		}
	}
	for _, dep := range inv.App.Dependencies {
		if p := resolve(root, dep); p != "" {
			add(g.appRef, g.pkgRef[p])
		}
	}
	if inv.Electron.Version != "" {
		add(g.appRef, g.electronRef)
	}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		for _, dep := range p.Dependencies {
			if q := resolve(p.Path, dep); q != "" {
				add(g.pkgRefs[i], g.pkgRef[q])
			}
		}
	}
	for i, b := range inv.Binaries {
		switch {
		case b.Package != "" && g.pkgRef[b.Package] != "":
			add(g.pkgRef[b.Package], g.binRefs[i])
		case isRuntime(inv, b.Path) && inv.Electron.Version != "":
			add(g.electronRef, g.binRefs[i])
		default:
			add(g.appRef, g.binRefs[i])
		}
	}
	for k := range g.deps {
		sort.Strings(g.deps[k])
		g.deps[k] = compactStrings(g.deps[k])
	}
	return g
}

func isRuntime(inv *Inventory, p string) bool {
	i := sort.Search(len(inv.Files), func(i int) bool { return inv.Files[i].Path >= p })
	return i < len(inv.Files) && inv.Files[i].Path == p && inv.Files[i].Component == "electron"
}

func npmPURL(name, version string) string {
	ns, n := "", name
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i > 0 {
			ns, n = name[:i], name[i+1:]
		}
	}
	return packageurl.NewPackageURL(packageurl.TypeNPM, ns, n, version, nil, "").ToString()
}

// binaryProps are a binary's facts as name/value pairs, in a fixed order.
func binaryProps(b *Binary) [][2]string {
	p := [][2]string{{"shipgate:path", b.Path}, {"shipgate:kind", b.Kind}}
	if len(b.Arch) > 0 {
		p = append(p, [2]string{"shipgate:arch", strings.Join(b.Arch, ",")})
	}
	if b.FileVersion != "" {
		p = append(p, [2]string{"shipgate:pe:file-version", b.FileVersion})
	}
	if b.ProductVersion != "" {
		p = append(p, [2]string{"shipgate:pe:product-version", b.ProductVersion})
	}
	if s := b.Signature; s != nil {
		p = append(p, [2]string{"shipgate:signature:status", s.Status.String()})
		if s.Signer != nil {
			p = append(p, [2]string{"shipgate:signer:subject", s.Signer.Subject}, [2]string{"shipgate:signer:issuer", s.Signer.Issuer},
				[2]string{"shipgate:signer:serial", s.Signer.Serial}, [2]string{"shipgate:signer:sha256", s.Signer.SHA256})
			if s.Signer.SPKISHA256 != "" {
				p = append(p, [2]string{"shipgate:signer:spki-sha256", s.Signer.SPKISHA256})
			}
			if s.Signer.TeamID != "" {
				p = append(p, [2]string{"shipgate:signer:team-id", s.Signer.TeamID})
			}
		}
	}
	return p
}

func packageProps(p *Package) [][2]string {
	out := [][2]string{{"shipgate:path", p.Path}, {"shipgate:content-digest", "sha256:" + p.Digest}, {"shipgate:files", fmt.Sprint(p.Files)}}
	for _, s := range p.Scripts {
		out = append(out, [2]string{"shipgate:script:" + s.Name, s.Command})
	}
	if p.Gypfile {
		out = append(out, [2]string{"shipgate:gypfile", "true"})
	}
	return out
}

func cdxProps(kv [][2]string) *[]cdx.Property {
	ps := make([]cdx.Property, len(kv))
	for i, p := range kv {
		ps[i] = cdx.Property{Name: p[0], Value: p[1]}
	}
	return &ps
}

func writeCycloneDX(w io.Writer, inv *Inventory, g *graph, opts ExportOptions) error {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = opts.SerialNumber
	app := &cdx.Component{BOMRef: g.appRef, Type: cdx.ComponentTypeApplication, Name: orUnknown(inv.App.Name), Version: inv.App.Version}
	appProps := [][2]string{{"shipgate:layout", inv.Layout}}
	if inv.App.Asar != "" {
		appProps = append(appProps, [2]string{"shipgate:asar", inv.App.Asar}, [2]string{"shipgate:asar-header-sha256", inv.App.AsarHeaderHash})
	}
	if inv.App.Digest != "" {
		appProps = append(appProps, [2]string{"shipgate:content-digest", "sha256:" + inv.App.Digest})
	}
	app.Properties = cdxProps(appProps)
	bom.Metadata = &cdx.Metadata{
		Component: app,
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "shipgate", Version: opts.ToolVersion}}},
	}
	if !opts.Time.IsZero() {
		bom.Metadata.Timestamp = opts.Time.UTC().Format(time.RFC3339)
	}
	var comps []cdx.Component
	if v := inv.Electron.Version; v != "" {
		c := cdx.Component{BOMRef: g.electronRef, Type: cdx.ComponentTypeFramework, Name: "electron", Version: v,
			PackageURL: npmPURL("electron", v)}
		var props [][2]string
		for _, f := range inv.Electron.Fuses {
			props = append(props, [2]string{"shipgate:fuses:" + f.Path + ":" + f.Arch, f.Wire})
		}
		props = append(props, [2]string{"shipgate:asar-integrity-enforced", fmt.Sprint(inv.Electron.IntegrityEnforced)})
		c.Properties = cdxProps(props)
		comps = append(comps, c)
	}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		c := cdx.Component{BOMRef: g.pkgRefs[i], Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version,
			PackageURL: npmPURL(p.Name, p.Version), Properties: cdxProps(packageProps(p))}
		if strings.HasPrefix(p.Name, "@") {
			if i := strings.IndexByte(p.Name, '/'); i > 0 {
				c.Group, c.Name = p.Name[:i], p.Name[i+1:]
			}
		}
		if p.License != "" {
			lc := cdx.LicenseChoice{Expression: p.License}
			if !looksLikeExpression(p.License) {
				lc = cdx.LicenseChoice{License: &cdx.License{Name: p.License}}
			}
			c.Licenses = &cdx.Licenses{lc}
		}
		comps = append(comps, c)
	}
	for i := range inv.Binaries {
		b := &inv.Binaries[i]
		comps = append(comps, cdx.Component{BOMRef: g.binRefs[i], Type: cdx.ComponentTypeFile, Name: path.Base(b.Path),
			Version: b.Version, Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: b.SHA256}},
			Properties: cdxProps(binaryProps(b))})
	}
	sort.Slice(comps, func(i, j int) bool { return comps[i].BOMRef < comps[j].BOMRef })
	bom.Components = &comps
	refs := []string{g.appRef}
	for _, c := range comps {
		refs = append(refs, c.BOMRef)
	}
	deps := make([]cdx.Dependency, 0, len(refs))
	for _, r := range refs {
		d := cdx.Dependency{Ref: r}
		if on := g.deps[r]; len(on) > 0 {
			on := append([]string(nil), on...)
			d.Dependencies = &on
		}
		deps = append(deps, d)
	}
	bom.Dependencies = &deps
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

var simpleExpression = regexp.MustCompile(`^[()A-Za-z0-9.+: -]+$`)

// looksLikeExpression keeps npm's non-licence markers ("UNLICENSED", "SEE
// LICENSE IN …") out of the expression field.
func looksLikeExpression(l string) bool {
	return simpleExpression.MatchString(l) && l != "UNLICENSED" && !strings.HasPrefix(l, "SEE LICENSE")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

var spdxIDChars = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxID makes an element ID from a ref: readable, unique by a short hash.
func spdxID(ref string) common.ElementID {
	h := sha256.Sum256([]byte(ref))
	s := spdxIDChars.ReplaceAllString(ref, "-")
	if len(s) > 80 {
		s = s[len(s)-80:]
	}
	return common.ElementID(strings.Trim(s, "-") + "-" + hex.EncodeToString(h[:4]))
}

func writeSPDX(w io.Writer, inv *Inventory, g *graph, opts ExportOptions) error {
	created := opts.Time
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	// The namespace must be unique per document: derive it from the content.
	body, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	name := orUnknown(inv.App.Name)
	if inv.App.Version != "" {
		name += "-" + inv.App.Version
	}
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      name,
		DocumentNamespace: "https://shipgate.invalid/spdx/" + spdxIDChars.ReplaceAllString(name, "-") + "-" + hex.EncodeToString(sum[:16]),
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: "shipgate-" + orUnknown(opts.ToolVersion)}},
			Created:  created.UTC().Format(time.RFC3339),
		},
	}
	ids := map[string]common.ElementID{}
	var refs []string // the ref of each of doc.Packages
	addPkg := func(ref string, p *spdx.Package) {
		p.PackageSPDXIdentifier = spdxID(ref)
		if p.PackageDownloadLocation == "" {
			p.PackageDownloadLocation = "NOASSERTION"
		}
		ids[ref] = p.PackageSPDXIdentifier
		doc.Packages = append(doc.Packages, p)
		refs = append(refs, ref)
	}
	appPkg := &spdx.Package{PackageName: orUnknown(inv.App.Name), PackageVersion: inv.App.Version, PrimaryPackagePurpose: "APPLICATION"}
	if inv.App.Digest != "" {
		appPkg.PackageComment = "shipgate:content-digest sha256:" + inv.App.Digest
	}
	addPkg(g.appRef, appPkg)
	if v := inv.Electron.Version; v != "" {
		addPkg(g.electronRef, &spdx.Package{PackageName: "electron", PackageVersion: v, PrimaryPackagePurpose: "FRAMEWORK",
			PackageExternalReferences: []*spdx.PackageExternalReference{{Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: npmPURL("electron", v)}}})
	}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		lic := "NOASSERTION"
		if p.License != "" && looksLikeExpression(p.License) {
			lic = p.License
		}
		addPkg(g.pkgRefs[i], &spdx.Package{PackageName: p.Name, PackageVersion: p.Version, PrimaryPackagePurpose: "LIBRARY",
			PackageLicenseDeclared: lic, PackageComment: propsComment(packageProps(p)),
			PackageExternalReferences: []*spdx.PackageExternalReference{{Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: npmPURL(p.Name, p.Version)}}})
	}
	for i := range inv.Binaries {
		b := &inv.Binaries[i]
		addPkg(g.binRefs[i], &spdx.Package{PackageName: path.Base(b.Path), PackageVersion: b.Version, PackageFileName: b.Path,
			PrimaryPackagePurpose: "FILE", PackageChecksums: []common.Checksum{{Algorithm: common.SHA256, Value: b.SHA256}},
			PackageComment: propsComment(binaryProps(b))})
	}
	uniqueSPDXIDs(doc.Packages, ids, refs)
	sort.SliceStable(doc.Packages[1:], func(i, j int) bool {
		return doc.Packages[1+i].PackageSPDXIdentifier < doc.Packages[1+j].PackageSPDXIdentifier
	})
	rel := func(a common.ElementID, b common.ElementID, kind string) {
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", string(a)), RefB: common.MakeDocElementID("", string(b)), Relationship: kind})
	}
	rel("DOCUMENT", ids[g.appRef], "DESCRIBES")
	froms := make([]string, 0, len(g.deps))
	for k := range g.deps {
		froms = append(froms, k)
	}
	sort.Strings(froms)
	for _, from := range froms {
		for _, to := range g.deps[from] {
			kind := "DEPENDS_ON"
			if strings.HasPrefix(to, "file:") {
				kind = "CONTAINS"
			}
			rel(ids[from], ids[to], kind)
		}
	}
	return spdxjson.Write(doc, w, spdxjson.Indent("  "))
}

func propsComment(kv [][2]string) string {
	var b strings.Builder
	for i, p := range kv {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p[0] + "=" + p[1])
	}
	return b.String()
}
