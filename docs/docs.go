// Package docs holds shipgate's rule documentation (docs/rules.md) so that
// reports can carry each rule's explanation, as SARIF asks of its rules.
//
// rules.md is assembled from the fragments in docs/rules/*.md by
// `go generate ./docs` (see gen.go). Each rule is a level-two heading naming
// the rule ID, "## family/name", followed by its text: what it means, why it
// matters and how to fix it.
//
// In code, each package that reports findings declares its rule IDs as
// signing.Rule constants in its rules.go, and other code refers to those
// constants; the tests of this package fail when an ID in code is not
// documented here, or is spelled as a literal outside a rules.go.
package docs

import (
	_ "embed"
	"regexp"
	"sort"
	"strings"
)

//go:generate go run gen.go

//go:embed rules.md
var rulesMD string

// Rule is the documentation of one rule ID.
type Rule struct {
	// ID is the rule ID, "family/name".
	ID string
	// Summary is the first sentence of Text.
	Summary string
	// Text is the rule's Markdown text without its heading.
	Text string
}

var ruleID = regexp.MustCompile(`^[a-z]+/[a-z0-9-]+$`)

var parsed = parse(rulesMD)

// Rules returns every documented rule, sorted by ID.
func Rules() []Rule {
	return append([]Rule(nil), parsed...)
}

// Lookup returns the documentation of the rule with the given ID.
func Lookup(id string) (Rule, bool) {
	i := sort.Search(len(parsed), func(i int) bool { return parsed[i].ID >= id })
	if i < len(parsed) && parsed[i].ID == id {
		return parsed[i], true
	}
	return Rule{}, false
}

// parse reads "## family/name" sections. A section ends at the next heading
// of level one or two. When an ID appears twice the first section is kept.
func parse(md string) []Rule {
	var out []Rule
	seen := map[string]bool{}
	var cur *Rule
	var body []string
	flush := func() {
		if cur != nil {
			cur.Text = strings.TrimSpace(strings.Join(body, "\n"))
			cur.Summary = firstSentence(cur.Text)
			if !seen[cur.ID] {
				seen[cur.ID] = true
				out = append(out, *cur)
			}
		}
		cur, body = nil, nil
	}
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "## ") {
			flush()
			if id := strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "## ")), "`"); strings.HasPrefix(line, "## ") && ruleID.MatchString(id) {
				cur = &Rule{ID: id}
			}
			continue
		}
		if cur != nil {
			body = append(body, line)
		}
	}
	flush()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// firstSentence returns the first sentence of the first paragraph of text,
// joined onto one line.
func firstSentence(text string) string {
	para, _, _ := strings.Cut(text, "\n\n")
	para = strings.Join(strings.Fields(para), " ")
	for i := 0; i+1 < len(para); i++ {
		if para[i] == '.' && para[i+1] == ' ' {
			return para[:i+1]
		}
	}
	return para
}
