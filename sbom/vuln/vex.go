package vuln

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"

	"github.com/shipgate/shipgate/signing"
)

// MaxVEXSize caps one OpenVEX document.
const MaxVEXSize = 16 << 20

// VEX holds OpenVEX statements (https://github.com/openvex/spec).
type VEX struct {
	statements []statement
}

// statement is one OpenVEX statement, reduced to what matching needs.
type statement struct {
	vulns    []string // name, @id and aliases
	products []product
	status   string
	// why is the justification and impact statement, for the finding.
	why   string
	when  time.Time
	order int
	// source is the file the statement was read from, index its position
	// in the file's statements.
	source string
	index  int
}

// VEXClockSkew is how far past the evaluation time a VEX statement may be
// dated and still rank by its date: a statement dated later (year 2099)
// would otherwise outrank every real statement forever.
const VEXClockSkew = 10 * time.Minute

type product struct {
	name    string // npm name, "@scope/name" for scoped packages
	version string // empty: every version
	// in is the product a subcomponent belongs to: the statement holds
	// for the subcomponent only inside that application. nil for a
	// product named on its own.
	in *product
}

// VEX statuses that suppress a match.
const (
	statusNotAffected = "not_affected"
	statusFixed       = "fixed"
)

// ErrVEX results when an OpenVEX document cannot be used.
var ErrVEX = errors.New("openvex")

// LoadVEX reads OpenVEX documents (v0.2.0, and v0.0.x's string forms of
// vulnerability and products). Only npm package URLs are matched; other
// products are ignored. A not_affected statement without a justification
// or impact statement is an error, as the specification requires one.
func LoadVEX(files ...string) (*VEX, error) {
	v := &VEX{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrVEX, err)
		}
		b, err := io.ReadAll(io.LimitReader(f, MaxVEXSize+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrVEX, name, err)
		}
		if len(b) > MaxVEXSize {
			return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrVEX, name, MaxVEXSize)
		}
		if err := v.parse(b, name); err != nil {
			return nil, err
		}
	}
	return v, nil
}

type vexDoc struct {
	Context    string         `json:"@context"`
	Timestamp  string         `json:"timestamp"`
	Statements []vexStatement `json:"statements"`
}

type vexStatement struct {
	Vulnerability   json.RawMessage   `json:"vulnerability"`
	Products        []json.RawMessage `json:"products"`
	Status          string            `json:"status"`
	Justification   string            `json:"justification"`
	ImpactStatement string            `json:"impact_statement"`
	Timestamp       string            `json:"timestamp"`
}

type vexVuln struct {
	ID      string   `json:"@id"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
}

type vexProduct struct {
	ID          string `json:"@id"`
	Identifiers struct {
		PURL string `json:"purl"`
	} `json:"identifiers"`
	Subcomponents []vexProduct `json:"subcomponents"`
}

func (v *VEX) parse(b []byte, name string) error {
	var doc vexDoc
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrVEX, name, err)
	}
	if !strings.HasPrefix(doc.Context, "https://openvex.dev/ns") {
		return fmt.Errorf("%w: %s: @context %q is not OpenVEX's", ErrVEX, name, doc.Context)
	}
	docTime, _ := time.Parse(time.RFC3339, doc.Timestamp)
	for i, s := range doc.Statements {
		st := statement{status: s.Status, source: name, index: i, order: len(v.statements), when: docTime}
		if t, err := time.Parse(time.RFC3339, s.Timestamp); err == nil {
			st.when = t
		}
		switch s.Status {
		case statusNotAffected:
			if s.Justification == "" && s.ImpactStatement == "" {
				return fmt.Errorf("%w: %s: statements[%d]: not_affected without a justification or impact statement", ErrVEX, name, i)
			}
		case statusFixed, "affected", "under_investigation":
		default:
			return fmt.Errorf("%w: %s: statements[%d]: unknown status %q", ErrVEX, name, i, s.Status)
		}
		st.why = strings.TrimSpace(strings.Join(nonEmpty(s.Justification, s.ImpactStatement), ": "))
		var vs string
		var vo vexVuln
		switch {
		case json.Unmarshal(s.Vulnerability, &vs) == nil && vs != "":
			st.vulns = []string{vs}
		case json.Unmarshal(s.Vulnerability, &vo) == nil:
			st.vulns = nonEmpty(append([]string{vo.Name, vo.ID}, vo.Aliases...)...)
		}
		if len(st.vulns) == 0 {
			return fmt.Errorf("%w: %s: statements[%d]: no vulnerability", ErrVEX, name, i)
		}
		for _, raw := range s.Products {
			var ps string
			var po vexProduct
			switch {
			case json.Unmarshal(raw, &ps) == nil:
				st.addProduct(ps)
			case json.Unmarshal(raw, &po) == nil:
				st.addProducts(po, nil)
			default:
				return fmt.Errorf("%w: %s: statements[%d]: a product is neither a string nor an object", ErrVEX, name, i)
			}
		}
		v.statements = append(v.statements, st)
	}
	return nil
}

// addProducts adds p and its subcomponents. A subcomponent is the
// statement's subject only inside its product: OpenVEX's "lodash is not
// affected in demo 1.0.0" says nothing of demo 2.0.0, or of lodash in
// another application. in is the product p belongs to, nil at the top; a
// product that is not an npm package URL cannot be recognised as the
// release's application, so its subcomponents are never covered.
func (st *statement) addProducts(p vexProduct, in *product) {
	st.addProductIn(p.ID, in)
	st.addProductIn(p.Identifiers.PURL, in)
	if len(p.Subcomponents) == 0 {
		return
	}
	self := npmProduct(p.ID)
	if self == nil {
		self = npmProduct(p.Identifiers.PURL)
	}
	if self == nil {
		self = &product{name: "\x00unrecognised"}
	}
	self.in = in
	for _, s := range p.Subcomponents {
		st.addProducts(s, self)
	}
}

// addProduct adds an npm package URL; anything else is ignored.
func (st *statement) addProduct(s string) { st.addProductIn(s, nil) }

func (st *statement) addProductIn(s string, in *product) {
	if p := npmProduct(s); p != nil {
		p.in = in
		st.products = append(st.products, *p)
	}
}

// npmProduct reads an npm package URL, nil for anything else.
func npmProduct(s string) *product {
	if !strings.HasPrefix(s, "pkg:npm/") {
		return nil
	}
	p, err := packageurl.FromString(s)
	if err != nil || p.Type != "npm" {
		return nil
	}
	name := p.Name
	if p.Namespace != "" {
		name = p.Namespace + "/" + p.Name
	}
	return &product{name: name, version: p.Version}
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// decide returns the statement that governs record ids (a record's ID and
// aliases) for the npm package name@version at time at: the latest by
// timestamp, the later in input order on a tie; nil when none applies. A
// statement dated after at plus VEXClockSkew (see future) outranks no
// statement that is not: among such statements the later in input order
// wins.
func (v *VEX) decide(ids []string, name, version string, app product, at time.Time) *statement {
	if v == nil {
		return nil
	}
	var best *statement
	for i := range v.statements {
		st := &v.statements[i]
		if !st.names(ids) || !st.covers(name, version, app) {
			continue
		}
		if best == nil || st.outranks(best, at) {
			best = st
		}
	}
	return best
}

// outranks reports whether st, later in input order than best, governs
// instead of it at time at.
func (st *statement) outranks(best *statement, at time.Time) bool {
	sf, bf := st.future(at), best.future(at)
	switch {
	case sf && !bf:
		return false
	case bf && !sf:
		return true
	case sf && bf:
		return true // their dates are not to be believed: input order
	}
	return !st.when.Before(best.when)
}

// future reports whether st is dated after at plus VEXClockSkew.
func (st *statement) future(at time.Time) bool {
	return st.when.After(at.Add(VEXClockSkew))
}

// FutureStatements returns a RuleVEXFutureStatement warning for each
// statement dated after at plus VEXClockSkew (at zero means now), naming
// its file and index: such a statement ranks below every statement that is
// not, whatever its date says.
func (v *VEX) FutureStatements(at time.Time) []signing.Finding {
	if v == nil {
		return nil
	}
	at = evalTime(at)
	var out []signing.Finding
	for i := range v.statements {
		st := &v.statements[i]
		if !st.future(at) {
			continue
		}
		out = append(out, signing.NewFinding(RuleVEXFutureStatement, signing.SeverityWarning,
			fmt.Sprintf("OpenVEX %s statements[%d] (%s for %s) is dated %s, after the evaluation time %s: it does not outrank statements that are not",
				st.source, st.index, st.status, strings.Join(st.vulns, ", "), st.when.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))))
	}
	return out
}

// evalTime is at, or now when at is zero.
func evalTime(at time.Time) time.Time {
	if at.IsZero() {
		return time.Now()
	}
	return at
}

func (st *statement) names(ids []string) bool {
	for _, a := range st.vulns {
		for _, b := range ids {
			if strings.EqualFold(a, b) {
				return true
			}
		}
	}
	return false
}

// covers reports whether a product of st is name@version, inside the
// application app when it is a subcomponent.
func (st *statement) covers(name, version string, app product) bool {
	for _, p := range st.products {
		if p.is(name, version) && (p.in == nil || p.in.isApp(app)) {
			return true
		}
	}
	return false
}

func (p *product) is(name, version string) bool {
	return p.name == name && (p.version == "" || p.version == version)
}

// isApp reports whether p (and the product it belongs to, if any) is the
// release's application.
func (p *product) isApp(app product) bool {
	return app.name != "" && p.is(app.name, app.version) && (p.in == nil || p.in.isApp(app))
}
