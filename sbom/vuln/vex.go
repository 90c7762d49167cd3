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
	why    string
	when   time.Time
	order  int
	source string
}

type product struct {
	name    string // npm name, "@scope/name" for scoped packages
	version string // empty: every version
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
		st := statement{status: s.Status, source: name, order: len(v.statements), when: docTime}
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
				st.addProducts(po)
			default:
				return fmt.Errorf("%w: %s: statements[%d]: a product is neither a string nor an object", ErrVEX, name, i)
			}
		}
		v.statements = append(v.statements, st)
	}
	return nil
}

func (st *statement) addProducts(p vexProduct) {
	st.addProduct(p.ID)
	st.addProduct(p.Identifiers.PURL)
	for _, s := range p.Subcomponents {
		st.addProducts(s)
	}
}

// addProduct adds an npm package URL; anything else is ignored.
func (st *statement) addProduct(s string) {
	if !strings.HasPrefix(s, "pkg:npm/") {
		return
	}
	p, err := packageurl.FromString(s)
	if err != nil || p.Type != "npm" {
		return
	}
	name := p.Name
	if p.Namespace != "" {
		name = p.Namespace + "/" + p.Name
	}
	st.products = append(st.products, product{name: name, version: p.Version})
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
// aliases) for the npm package name@version: the latest by timestamp, the
// later in input order on a tie; nil when none applies.
func (v *VEX) decide(ids []string, name, version string) *statement {
	if v == nil {
		return nil
	}
	var best *statement
	for i := range v.statements {
		st := &v.statements[i]
		if !st.names(ids) || !st.covers(name, version) {
			continue
		}
		if best == nil || !st.when.Before(best.when) {
			best = st
		}
	}
	return best
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

func (st *statement) covers(name, version string) bool {
	for _, p := range st.products {
		if p.name == name && (p.version == "" || p.version == version) {
			return true
		}
	}
	return false
}
