package verify

import (
	"crypto"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// fileHashes are the digests blocklists match files by.
type fileHashes struct {
	SHA256, SHA1, MD5 string
	Authentihash      map[string]string
	CDHashes          []string
}

// matcher matches files and signatures against the loaded blocklists.
type matcher struct {
	list     *blocklist.List
	policy   blocklist.Policy
	now      time.Time
	nowGiven bool // now is the caller's Options.Time, not the clock
	sha1     bool
	md5      bool
	// authAlgs are the Authenticode image hash algorithms besides SHA-256
	// (always computed) that some entry needs: SHA-1 and MD5 ones.
	authAlgs []crypto.Hash
	// subjects are the list's subject entries by skeleton, built on first
	// use (confusableSubject).
	subjectsOnce sync.Once
	subjects     map[string][]string
}

// loadBlocklist loads the blocklists the policy names (and the built-in
// one unless turned off) and merges them.
func loadBlocklist(p *Policy, now time.Time, log *slog.Logger) (*blocklist.List, error) {
	l := blocklist.New()
	if p.Blocklists.Builtin == nil || *p.Blocklists.Builtin {
		l.Merge(blocklist.Default())
	}
	for _, name := range p.Blocklists.Files {
		x, err := blocklist.Load(name, blocklist.LoadOptions{Now: now, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("verify: %w", err) // err names the blocklist: "blocklist: …"
		}
		for _, w := range x.Warnings() {
			log.Warn("blocklist", "warning", w.String())
		}
		l.Merge(x)
	}
	return l, nil
}

// maxBlocklistWarnings caps the blocklist/warning findings of one run; the
// last one says how many more there were.
const maxBlocklistWarnings = 20

// blocklistWarnings reports what loading the blocklists warned about (a
// stale or future-dated list, a file its lock does not name, skipped
// entries) as findings: a gate that matched against a list it should not
// trust says so in its report, not only in a log.
func (e *engine) blocklistWarnings() {
	if e.bl == nil || e.bl.list == nil {
		return
	}
	ws := e.bl.list.Warnings()
	// The ones that say the list is not whole and current come first.
	slices.SortStableFunc(ws, func(a, b blocklist.Warning) int {
		switch {
		case a.Incomplete == b.Incomplete:
			return 0
		case a.Incomplete:
			return -1
		}
		return 1
	})
	for i, w := range ws {
		if i == maxBlocklistWarnings-1 && len(ws) > maxBlocklistWarnings {
			sev := signing.SeverityNote
			for _, r := range ws[i:] {
				if r.Incomplete {
					sev = signing.SeverityWarning
				}
			}
			e.addFindings(finding(RuleBlocklistWarning, sev, "", fmt.Sprintf("%d more blocklist warnings (a debug log lists them all)", len(ws)-i)))
			break
		}
		sev := signing.SeverityNote
		if w.Incomplete {
			sev = signing.SeverityWarning
		}
		e.addFindings(finding(RuleBlocklistWarning, sev, "", "blocklist "+w.String()))
	}
}

func newMatcher(l *blocklist.List, p *Policy, now time.Time) (*matcher, error) {
	pol := blocklist.PolicyStrict
	if p.Trust.RevocationPolicy != "" {
		var err error
		pol, err = blocklist.ParsePolicy(p.Trust.RevocationPolicy)
		if err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
	}
	m := &matcher{list: l, policy: pol, now: now}
	if l != nil {
		m.sha1, m.md5 = l.NeedsHashes()
		if sha1, md5 := l.NeedsAuthentihashes(); sha1 || md5 {
			if sha1 {
				m.authAlgs = append(m.authAlgs, crypto.SHA1)
			}
			if md5 {
				m.authAlgs = append(m.authAlgs, crypto.MD5)
			}
		}
	}
	return m, nil
}

func (m *matcher) needsHashes() (sha1, md5 bool) { return m.sha1, m.md5 }

// authentihashes returns the Authenticode image hash algorithms the lists
// need besides SHA-256.
func (m *matcher) authentihashes() []crypto.Hash { return m.authAlgs }

func (m *matcher) matchFile(h fileHashes) []signing.Finding {
	if m.list == nil {
		return nil
	}
	var out []signing.Finding
	for _, hit := range m.list.MatchFile(blocklist.FileHashes{SHA256: h.SHA256, SHA1: h.SHA1, MD5: h.MD5, Authentihash: h.Authentihash, CDHashes: h.CDHashes}) {
		out = append(out, hit.Finding())
	}
	return out
}

// matchSignature applies the blocklists to signature s and returns their
// findings; it lowers s.Status where they change the verdict. Facts first:
// a verified timestamp whose authority's chain holds a blocked certificate
// (MatchTimestamp) does not count (Timestamp.Disregarded is set, as Windows
// ignores a timestamp by an authority in its Disallowed store). The signer's
// chain is then matched as untimestamped, at the run's time, and a chain the
// verifier judged valid at the timestamp's time is re-judged at the run's
// time: a leaf that has expired since is no longer trusted. Without a
// verified timestamp the chain is matched at the run's time from the start.
func (m *matcher) matchSignature(s *signing.Signature) []signing.Finding {
	if m.list == nil {
		return nil
	}
	var out []signing.Finding
	if s.Timestamp.Counts() {
		if hits := m.list.MatchTimestamp(s.Timestamp, m.matchTime(), m.policy); len(hits) > 0 {
			ts := *s.Timestamp // the verifier's value may be shared
			ts.Disregarded = fmt.Sprintf("the time-stamping authority's chain holds blocklisted certificate %q", hits[0].Certificate.Subject)
			s.Timestamp = &ts
			for _, hit := range hits {
				out = append(out, hit.Finding())
			}
			s.AddCheck(signing.CheckTimestampAuthority, false, ts.Disregarded+": the timestamp does not count, so the signature is judged as made at any time up to "+m.when())
			if trustedChain(s) {
				if prob := signing.ValidityProblem(s.Chain, m.now, m.when()); prob != "" {
					s.AddCheck(signing.CheckChain, false, "without the timestamp the chain is checked at "+m.when()+": "+prob)
					s.Status = s.Status.Worse(signing.StatusUntrusted)
				}
			}
		}
	}
	if len(s.Chain) == 0 {
		return out
	}
	out = append(out, m.confusableSubject(s)...)
	// A timestamp that counts dates the signature within its accuracy:
	// one stamped within it of a revocation may postdate it, and one
	// stamped within it of a compromise window's end may predate that.
	for _, hit := range m.list.MatchStamped(s.Chain, s.Timestamp, m.matchTime(), m.policy) {
		out = append(out, hit.Finding())
		s.Status = s.Status.Worse(signing.StatusRevoked)
	}
	return out
}

// matchTime is the run's time as the blocklists take it: zero when the
// caller gave none, so that their explanations name "the verification time"
// rather than the clock and reports of the same input stay byte-identical.
func (m *matcher) matchTime() time.Time {
	if m.nowGiven {
		return m.now
	}
	return time.Time{}
}

// when names the run's time in check details: "the current time" when the
// caller gave none, so that reports of the same input stay byte-identical.
func (m *matcher) when() string {
	if m.nowGiven {
		return m.now.UTC().Format(time.RFC3339)
	}
	return "the current time"
}

// trustedChain reports whether the verifier found s's chain trusted at the
// time it checked it: s.Chain ends at a trust anchor.
func trustedChain(s *signing.Signature) bool {
	if len(s.Chain) == 0 {
		return false
	}
	saw := false
	for _, c := range s.Checks {
		if c.Name == signing.CheckChain {
			if !c.OK {
				return false
			}
			saw = true
		}
	}
	return saw
}

// confusableSubject warns when the signer's subject (or common name, for a
// subject entry that gives only one) looks like, but is not, the subject
// of a blocklist entry: a look-alike of a blocklisted vendor is not
// blocked (confusable.go), but a reader should know.
func (m *matcher) confusableSubject(s *signing.Signature) []signing.Finding {
	m.subjectsOnce.Do(func() {
		m.subjects = map[string][]string{}
		for _, e := range m.list.Entries() {
			if e.Kind != blocklist.KindSubject {
				continue
			}
			k := lookalikeKey(e.Value)
			if !slices.Contains(m.subjects[k], e.Value) {
				m.subjects[k] = append(m.subjects[k], e.Value)
			}
		}
	})
	if len(m.subjects) == 0 {
		return nil
	}
	leaf := s.Chain[0]
	names := []string{leaf.Subject}
	if leaf.Certificate != nil && leaf.Certificate.Subject.CommonName != "" {
		names = append(names, leaf.Certificate.Subject.CommonName)
	}
	var out []signing.Finding
	for _, name := range names {
		for _, v := range m.subjects[lookalikeKey(name)] {
			if confusable(name, v) {
				out = append(out, signing.NewFinding(RuleConfusableName, signing.SeverityWarning, fmt.Sprintf(
					"the signer's name %q looks like %q, which a blocklist lists, but differs in letters of other scripts that look like Latin ones: it is not blocked, so find out who signed", name, v)))
			}
		}
	}
	return out
}
