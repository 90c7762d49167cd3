package verify

import (
	"crypto"
	"fmt"
	"log/slog"
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
	list   *blocklist.List
	policy blocklist.Policy
	now    time.Time
	sha1   bool
	md5    bool
	// authAlgs are the Authenticode image hash algorithms besides SHA-256
	// (always computed) that some entry needs: SHA-1 and MD5 ones.
	authAlgs []crypto.Hash
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
			return nil, fmt.Errorf("verify: blocklist: %w", err)
		}
		for _, w := range x.Warnings() {
			log.Warn("blocklist", "warning", w.String())
		}
		l.Merge(x)
	}
	return l, nil
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

// matchChain matches a signature's chain at its verified timestamp, or at
// the run's time when it has none.
func (m *matcher) matchChain(s *signing.Signature) []signing.Finding {
	if m.list == nil || len(s.Chain) == 0 {
		return nil
	}
	at, stamped := m.now, false
	if s.Timestamp != nil && s.Timestamp.Verified {
		at, stamped = s.Timestamp.Time, true
	}
	var out []signing.Finding
	for _, hit := range m.list.MatchChain(s.Chain, at, stamped, m.policy) {
		out = append(out, hit.Finding())
	}
	return out
}
