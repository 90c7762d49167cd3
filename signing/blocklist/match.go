package blocklist

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/x509name"
	"github.com/shipgate/shipgate/signing"
)

const timeLayout = time.RFC3339

// Hit is one entry that matched.
type Hit struct {
	// Entry is the matching entry. It points into the List and must not be
	// modified.
	Entry *Entry
	// Certificate is the chain element that matched, pointing into the chain
	// given to MatchChain; nil for file hits.
	Certificate *signing.Identity
	// ChainIndex is the position of Certificate in the chain (0 = leaf).
	ChainIndex int
	// Authority reports that the chain is a time-stamping authority's, as
	// MatchTimestamp returns: the hit voids a timestamp, not a signer.
	Authority bool
	// Blocked reports whether the entry blocks the signature at the time
	// that counts. Hits from MatchChain and MatchFile are always blocked;
	// ExplainChain also returns listed certificates that do not block.
	Blocked bool
	// Explanation says why the time rule did or did not apply.
	Explanation string
}

// Finding returns the report finding for the hit: rule signer/blocklisted for
// a signer's certificate, file/known-bad for a file, severity error; rule
// signer/tsa-blocklisted for a time-stamping authority's certificate, severity
// warning, since what the ignored timestamp changes (the signer's blocklist
// decision, its chain's validity) is reported on its own. The message names
// the entry, its source file and line, the reason and the time rule. A hit
// that does not block is a note. The caller sets the finding's path and
// signature index.
func (h Hit) Finding() signing.Finding {
	e := h.Entry
	var b strings.Builder
	rule := RuleFileKnownBad
	if h.Certificate != nil {
		rule = RuleSignerBlocklisted
		role := "signer certificate"
		if h.ChainIndex > 0 {
			role = fmt.Sprintf("chain certificate %d", h.ChainIndex)
		}
		if h.Authority {
			rule = RuleTSABlocklisted
			role = "time-stamping authority certificate"
			if h.ChainIndex > 0 {
				role = fmt.Sprintf("time-stamping authority chain certificate %d", h.ChainIndex)
			}
		}
		fmt.Fprintf(&b, "%s %q (serial %s, sha256 %s) is blocklisted by %s at %s",
			role, h.Certificate.Subject, h.Certificate.Serial, h.Certificate.SHA256, e.String(), e.Where())
		fmt.Fprintf(&b, " (reason %s", e.Reason)
	} else {
		fmt.Fprintf(&b, "file matches known-bad %s at %s", e.String(), e.Where())
		b.WriteString(" (")
	}
	if !h.Blocked {
		b.Reset()
		fmt.Fprintf(&b, "listed but not blocked: %s at %s (reason %s", e.String(), e.Where(), e.Reason)
	}
	if e.Note != "" {
		if h.Certificate != nil || !h.Blocked {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "note %q", e.Note)
	}
	if e.Reference != "" {
		if h.Certificate != nil || e.Note != "" || !h.Blocked {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "reference %s", e.Reference)
	}
	b.WriteString(")")
	if h.Explanation != "" {
		b.WriteString(": ")
		b.WriteString(h.Explanation)
	}
	if h.Authority && h.Blocked {
		b.WriteString("; the timestamp does not count, so the signature is judged as made at any time up to the verification time")
	}
	msg := strings.Replace(b.String(), " ()", "", 1)
	sev := signing.SeverityError
	switch {
	case !h.Blocked:
		sev = signing.SeverityNote
	case h.Authority:
		sev = signing.SeverityWarning
	}
	return signing.NewFinding(rule, sev, msg)
}

// MatchChain returns the entries that block a signature made by chain (leaf
// first) at signingTime under policy p. signingTime is the verified
// timestamp's time when timestamped is true, else the "now" the caller
// verifies at (zero: the clock, named "the verification time" in
// explanations so that reports of the same input stay identical); an
// untimestamped signature may have been made at any moment up to then, so an
// entry's window blocks it once the window has opened.
//
// Every certificate of the chain is looked up by SHA-1 and SHA-256
// thumbprint, serial (alone and with its issuer), SPKI hash and TBS hashes;
// the leaf also by team ID and subject. Hits come in chain order, then entry
// load order, each entry at most once per certificate.
func (l *List) MatchChain(chain []signing.Identity, signingTime time.Time, timestamped bool, p Policy) []Hit {
	var hits []Hit
	l.matchChain(chain, signingTime, time.Time{}, timestamped, false, p, func(h Hit) {
		if h.Blocked {
			hits = append(hits, h)
		}
	})
	return hits
}

// MatchStamped is MatchChain for a signature dated by ts, a verified
// timestamp that counts: the authority places the signature anywhere from
// ts.Earliest to ts.Latest (its time within its accuracy), and the accuracy
// never favours the signature. A revocation date or a window's start blocks
// once ts.Latest has reached it; a window's end has passed only when
// ts.Earliest is after it, so that a signature stamped within its accuracy
// of a compromise window's end, which may have been made inside the window,
// stays blocked. A nil ts, or one that does not count, is matched as an
// untimestamped signature made up to now (zero: the clock).
func (l *List) MatchStamped(chain []signing.Identity, ts *signing.Timestamp, now time.Time, p Policy) []Hit {
	if !ts.Counts() {
		return l.MatchChain(chain, now, false, p)
	}
	var hits []Hit
	l.matchChain(chain, ts.Latest(), ts.Earliest(), true, false, p, func(h Hit) {
		if h.Blocked {
			hits = append(hits, h)
		}
	})
	return hits
}

// MatchTimestamp returns the entries that block the time-stamping authority
// of ts under policy p: every certificate of ts.AuthorityChain is looked up
// as MatchChain looks up a signer's chain, with the time rule applied as to
// an untimestamped signature made up to now, since nothing dates the
// authority's own signature but the time it asserts. Hits have Authority set.
//
// A hit means the timestamp must not date the signature, as Windows ignores
// a timestamp whose authority is in the Disallowed store: the caller then
// matches the signer's chain with MatchChain(chain, now, false, p) and
// re-judges the chain's validity at now. Whether ts verified is the caller's
// business; an unverified timestamp counts for nothing anyway.
//
// A zero now is the clock, as for MatchChain.
func (l *List) MatchTimestamp(ts *signing.Timestamp, now time.Time, p Policy) []Hit {
	var hits []Hit
	l.matchChain(ts.AuthorityChain(), now, time.Time{}, false, true, p, func(h Hit) {
		if h.Blocked {
			hits = append(hits, h)
		}
	})
	return hits
}

// ExplainChain is MatchChain returning every listed certificate of chain,
// including those whose entry does not block at signingTime (Hit.Blocked
// false) — a build signed before a certificate's compromise window, say.
func (l *List) ExplainChain(chain []signing.Identity, signingTime time.Time, timestamped bool, p Policy) []Hit {
	var hits []Hit
	l.matchChain(chain, signingTime, time.Time{}, timestamped, false, p, func(h Hit) { hits = append(hits, h) })
	return hits
}

// matchChain looks up every certificate of chain. t is the (latest) time
// the signature was made; earliest, when set and before t, is the earliest
// a timestamp allows (MatchStamped), zero otherwise.
func (l *List) matchChain(chain []signing.Identity, t, earliest time.Time, timestamped, authority bool, p Policy, emit func(Hit)) {
	if l == nil || len(l.entries) == 0 {
		return
	}
	label := ""
	if t.IsZero() && (!timestamped || authority) {
		t, label = time.Now(), "the verification time"
	}
	t = t.UTC()
	if label == "" {
		label = t.Format(timeLayout)
	}
	from := t
	if !earliest.IsZero() && earliest.Before(t) {
		from = earliest.UTC()
		label = fmt.Sprintf("%s to %s (its time within its accuracy)", from.Format(timeLayout), label)
	}
	for i := range chain {
		id := &chain[i]
		// Within a kind the keys looked up for one certificate differ (TBS
		// hashes by length, subject keys by prefix), and an entry has one
		// key, so no entry is found twice.
		try := func(k Kind, key string, accept func(*Entry) bool) {
			if key == "" {
				return
			}
			l.lookup(k, key, func(pos int32) bool {
				e := &l.entries[pos]
				if accept != nil && !accept(e) {
					return true
				}
				blocked, why := decide(e, from, t, label, timestamped, authority, p)
				emit(Hit{Entry: e, Certificate: id, ChainIndex: i, Authority: authority, Blocked: blocked, Explanation: why})
				return true
			})
		}
		try(KindCertSHA1, id.SHA1, nil)
		try(KindCertSHA256, id.SHA256, nil)
		if l.index[KindCertSHA1] != nil || l.index[KindCertSHA256] != nil {
			sha1s, sha256s := twins.thumbprints(id)
			for j := range sha1s {
				try(KindCertSHA1, sha1s[j], nil)
				try(KindCertSHA256, sha256s[j], nil)
			}
		}
		try(KindIssuerSerial, id.Serial, func(e *Entry) bool { return issuerMatches(e, id) })
		try(KindSerial, id.Serial, nil)
		try(KindSPKISHA256, id.SPKISHA256, nil)
		if l.index[KindSPKISHA256] != nil {
			if k := canonicalSPKISHA256(id); k != id.SPKISHA256 {
				try(KindSPKISHA256, k, nil)
			}
		}
		try(KindTBS, id.TBS.MD5, nil)
		try(KindTBS, id.TBS.SHA1, nil)
		try(KindTBS, id.TBS.SHA256, nil)
		try(KindTBS, id.TBS.SHA384, nil)
		if i == 0 {
			try(KindTeamID, id.TeamID, nil)
			if l.index[KindSubject] != nil {
				accept := func(e *Entry) bool { return subjectIssuerMatches(e, chain) }
				if id.Subject != "" {
					try(KindSubject, subjectKey(id.Subject), accept)
				}
				// Every CN, each folded key once: two CNs that fold
				// alike would find an entry twice.
				var seen []string
				for _, cn := range subjectCNs(id) {
					if k := "cn:" + x509name.Fold(cn); cn != "" && !slices.Contains(seen, k) {
						seen = append(seen, k)
						try(KindSubject, k, accept)
					}
				}
			}
		}
	}
}

// canonicalSPKISHA256 returns the SHA-256 of the DER SubjectPublicKeyInfo
// crypto/x509 writes for id's public key, or "" when there is no parsed
// key to encode. crypto/x509 reads a key from encodings it would not write
// (bytes after an RSAPublicKey, or after its exponent), so one key has more
// than one SPKI hash: the entry of a blocked key names its canonical form,
// which a certificate re-issued for the key from an odd encoding still has.
func canonicalSPKISHA256(id *signing.Identity) string {
	if id.Certificate == nil || id.Certificate.PublicKey == nil {
		return ""
	}
	der, err := x509.MarshalPKIXPublicKey(id.Certificate.PublicKey)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// nameCNs returns every CN of a certificate's name, in its order: a name
// may carry several, and crypto/x509's CommonName keeps only the last, so
// that "CN=Benign" after "CN=Revoked" would hide the revoked name. For
// blocking, any of them names the certificate.
func nameCNs(name pkix.Name) []string {
	var cns []string
	for _, atv := range name.Names {
		if s, ok := atv.Value.(string); ok && atv.Type.Equal(oidCommonName) {
			cns = append(cns, s)
		}
	}
	if len(cns) == 0 && name.CommonName != "" {
		cns = append(cns, name.CommonName) // a pkix.Name built by hand
	}
	return cns
}

// textCNs returns every CN of a name written as an RFC 4514 string, for
// identities without a certificate (see nameCNs).
func textCNs(text string) []string {
	var cns []string
	for _, p := range splitUnescaped(text) {
		if typ, val, ok := strings.Cut(p, "="); ok && dnAttrType(typ) == "cn" {
			cns = append(cns, unescapeDNValue(val))
		}
	}
	return cns
}

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// subjectCNs returns every CN of id's subject.
func subjectCNs(id *signing.Identity) []string {
	if id.Certificate != nil {
		return nameCNs(id.Certificate.Subject)
	}
	return textCNs(id.Subject)
}

// issuerCNs returns every CN of id's issuer.
func issuerCNs(id *signing.Identity) []string {
	if id.Certificate != nil {
		return nameCNs(id.Certificate.Issuer)
	}
	return textCNs(id.Issuer)
}

// issuerMatches reports whether id was issued by the issuer e names: by DER
// name when both sides have one, compared as RFC 5280 §7.1 asks (so a CRL
// whose issuer is a UTF8String still names certificates whose issuer is a
// PrintableString), else by canonical string (or issuer CN when e.Issuer is
// a bare name). When either DER name does not parse, the string comparison
// may still match: for a blocklist, matching too much is the safe side.
func issuerMatches(e *Entry, id *signing.Identity) bool {
	if len(e.IssuerDER) > 0 && id.Certificate != nil {
		if x509name.Equal(e.IssuerDER, id.Certificate.RawIssuer) {
			return true
		}
		_, okE := x509name.Canonical(e.IssuerDER)
		_, okC := x509name.Canonical(id.Certificate.RawIssuer)
		if (okE && okC) || e.Issuer == "" {
			return false
		}
	}
	if e.Issuer == "" {
		// Only a DER issuer was given and the identity has no certificate to
		// compare it with: fail closed on the side of matching, as a serial
		// from this issuer's CRL most likely names this certificate.
		return len(e.IssuerDER) > 0
	}
	if !strings.Contains(e.Issuer, "=") {
		want := x509name.Fold(e.Issuer)
		for _, cn := range issuerCNs(id) {
			if x509name.Fold(cn) == want {
				return true
			}
		}
		return false
	}
	return canonDN(e.Issuer) == canonDN(id.Issuer)
}

// subjectIssuerMatches checks a subject entry's issuer constraint against
// the chain: the leaf's issuer, or a CA certificate's TBS hash.
func subjectIssuerMatches(e *Entry, chain []signing.Identity) bool {
	if e.ChainTBS != "" {
		for j := 1; j < len(chain); j++ {
			t := &chain[j].TBS
			if e.ChainTBS == t.MD5 || e.ChainTBS == t.SHA1 || e.ChainTBS == t.SHA256 || e.ChainTBS == t.SHA384 {
				return true
			}
		}
		return false
	}
	return issuerMatches(e, &chain[0])
}

// decide applies the time rule of e to a signature made at t at the latest,
// and no earlier than from (from == t but for a timestamp's accuracy), which
// label names in the explanation; authority says the signature is a
// time-stamping authority's (never timestamped). Every time rule takes the
// side of blocking: an opening date against t, a window's end against from.
func decide(e *Entry, from, t time.Time, label string, timestamped, authority bool, p Policy) (bool, string) {
	when := fmt.Sprintf("the timestamp's time %s", label)
	switch {
	case authority:
		when = fmt.Sprintf("nothing dates the time-stamping authority's own signature, so it may have been made at any time up to %s, and", label)
	case !timestamped:
		when = fmt.Sprintf("the signature has no verified timestamp, so it may have been made at any time up to %s, and", label)
	}
	if e.hasWindow() {
		win := windowString(e)
		if !timestamped {
			if e.NotBefore == nil || !t.Before(*e.NotBefore) {
				return true, fmt.Sprintf("%s the entry's window %s had opened (an explicit window decides under every policy)", when, win)
			}
			return false, fmt.Sprintf("%s the entry's window %s had not opened", when, win)
		}
		in := (e.NotBefore == nil || !t.Before(*e.NotBefore)) && (e.NotAfter == nil || !from.After(*e.NotAfter))
		if in {
			return true, fmt.Sprintf("%s is inside the entry's window %s (an explicit window decides under every policy)", when, win)
		}
		return false, fmt.Sprintf("%s is outside the entry's window %s", when, win)
	}
	switch p {
	case PolicyAny:
		return true, "policy any blocks every listed certificate whatever the time"
	case PolicyStrict:
		if e.Reason.compromise() {
			r := "reason " + e.Reason.String()
			if e.Reason == ReasonUnspecified {
				r = "an unspecified or missing reason"
			}
			return true, fmt.Sprintf("policy strict: %s blocks regardless of time, since a timestamp cannot show who held the key", r)
		}
	}
	if e.RevokedAt == nil {
		return true, "the entry has no revocation date, so it blocks at any time"
	}
	at, date := *e.RevokedAt, "the revocation date "+e.RevokedAt.Format(timeLayout)
	if p == PolicyStrict && e.InvalidAt != nil && e.InvalidAt.Before(at) {
		// The CRL says the certificate was invalid before it was revoked.
		at = *e.InvalidAt
		date = fmt.Sprintf("the invalidity date %s (revoked %s)", at.Format(timeLayout), e.RevokedAt.Format(timeLayout))
	}
	if timestamped {
		if !t.Before(at) {
			return true, fmt.Sprintf("policy %s: %s is at or after %s", p, when, date)
		}
		return false, fmt.Sprintf("policy %s: %s is before %s, and reason %s does not void earlier timestamps", p, when, date, e.Reason)
	}
	if !t.Before(at) {
		return true, fmt.Sprintf("policy %s: %s %s has passed", p, when, date)
	}
	return false, fmt.Sprintf("policy %s: %s %s is still to come", p, when, date)
}

func windowString(e *Entry) string {
	from, to := "the beginning", "open-ended"
	if e.NotBefore != nil {
		from = e.NotBefore.Format(timeLayout)
	}
	if e.NotAfter != nil {
		to = e.NotAfter.Format(timeLayout)
	}
	return from + " to " + to
}

// FileHashes are the digests of one file, lowercase hex; empty fields were
// not computed.
type FileHashes struct {
	SHA256 string
	SHA1   string
	MD5    string
	// Authentihash maps an algorithm name ("sha1", "sha256") to the PE
	// Authenticode image hash computed with it.
	Authentihash map[string]string
	// CDHashes are the CodeDirectory hashes of an Apple code signature, full
	// or truncated to 20 bytes.
	CDHashes []string
}

// MatchFile returns the entries listing the file with hashes h, in the order
// SHA-256, SHA-1, MD5, Authenticode hashes (by algorithm name), cdhashes; and
// by load order for one hash.
func (l *List) MatchFile(h FileHashes) []Hit {
	if l == nil || len(l.entries) == 0 {
		return nil
	}
	var hits []Hit
	var seen map[int32]bool
	try := func(k Kind, v, what string) {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" {
			return
		}
		l.lookup(k, v, func(pos int32) bool {
			if seen == nil {
				seen = make(map[int32]bool)
			}
			if seen[pos] {
				return true
			}
			seen[pos] = true
			hits = append(hits, Hit{Entry: &l.entries[pos], Blocked: true, Explanation: what + " is listed"})
			return true
		})
	}
	try(KindFileSHA256, h.SHA256, "the file's SHA-256")
	try(KindFileSHA1, h.SHA1, "the file's SHA-1")
	try(KindFileMD5, h.MD5, "the file's MD5")
	if len(h.Authentihash) > 0 {
		algs := make([]string, 0, len(h.Authentihash))
		for a := range h.Authentihash {
			algs = append(algs, a)
		}
		slices.Sort(algs)
		for _, a := range algs {
			try(KindAuthentihash, h.Authentihash[a], "the file's Authenticode "+a+" image hash")
		}
	}
	for _, c := range h.CDHashes {
		c = strings.ToLower(strings.TrimSpace(c))
		if len(c) >= 40 {
			try(KindCDHash, c[:40], "the CodeDirectory hash "+c[:40])
		}
	}
	return hits
}
