package git

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"

	"github.com/shipgate/shipgate/signing"
)

// Signature formats of git objects.
const (
	FormatOpenPGP = "openpgp"
	FormatSSH     = "ssh"
	FormatX509    = "x509"
)

// Signature is the verdict on the signature of a commit or tag.
type Signature struct {
	// Format is "openpgp", "ssh" or "x509"; empty when the format is unknown.
	Format string `json:"format,omitempty"`
	// Status is valid (verifies, and the key is in the allowed_signers file or
	// the keyrings), untrusted (an SSH signature that verifies against its own
	// key, which is not allowed; or an OpenPGP signature by a key not in the
	// keyrings, whose integrity could therefore not be checked; or an
	// OpenPGP signature by a key expired or revoked at the audit time,
	// which git does not accept either; or an x509
	// signature, which is not verified), invalid (does not verify, or the key
	// was expired or revoked when it signed) or malformed (cannot be parsed,
	// or holds several signatures).
	Status signing.Status `json:"status"`
	// Key identifies the signing key: an SSH "SHA256:…" fingerprint or an
	// OpenPGP fingerprint (uppercase hex), or the OpenPGP issuer key ID when
	// the key is unknown.
	Key string `json:"key,omitempty"`
	// Signer names who the trusted key belongs to: the allowed_signers
	// principals, or the OpenPGP key's primary user ID.
	Signer string `json:"signer,omitempty"`
	// Identities are every name policy Signers entries are matched against:
	// SSH principals; OpenPGP fingerprint, key IDs and user ID emails.
	Identities []string `json:"identities,omitempty"`
	// Multiple is true when the object carries more than one signature.
	Multiple bool `json:"multiple,omitempty"`
	// Detail says why the status is not valid.
	Detail string `json:"detail,omitempty"`
	// certPrincipals is true when Identities are an SSH certificate's
	// principals: literal names, never patterns.
	certPrincipals bool
	// principalLines are the principals of each allowed_signers line that
	// accepted a plain SSH key: policy signers are matched against one
	// line's patterns at a time, so that its negations hold.
	principalLines [][]string
	// sharedEmails are user ID emails of the OpenPGP key that another key
	// of the keyrings, able to sign, claims too: left out of Identities,
	// since a user ID is only its key holder's own claim.
	sharedEmails []string
}

// verifier checks signatures against the allowed keys.
type verifier struct {
	ssh AllowedSigners
	pgp openpgp.EntityList
	// now is when OpenPGP keys must still be usable (zero: time.Now()).
	now time.Time
}

// loadVerifier reads the allowed_signers file and keyrings named by p and
// adds the material given directly.
func loadVerifier(p *Policy, ssh AllowedSigners, pgp openpgp.EntityList) (*verifier, error) {
	v := &verifier{ssh: ssh, pgp: pgp}
	if p == nil {
		return v, nil
	}
	if p.AllowedSigners != "" {
		s, err := LoadAllowedSigners(p.AllowedSigners)
		if err != nil {
			return nil, fmt.Errorf("git: %w", err)
		}
		v.ssh = append(v.ssh, s...)
	}
	for _, k := range p.Keyrings {
		el, err := LoadKeyring(k)
		if err != nil {
			return nil, err
		}
		v.pgp = append(v.pgp, el...)
	}
	return v, nil
}

// LoadKeyring reads an armored (or binary) OpenPGP public keyring.
func LoadKeyring(name string) (openpgp.EntityList, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("git: keyring: %w", err)
	}
	var el openpgp.EntityList
	if bytes.Contains(b, []byte("-----BEGIN PGP")) {
		el, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(b))
	} else {
		el, err = openpgp.ReadKeyRing(bytes.NewReader(b))
	}
	if err != nil {
		return nil, fmt.Errorf("git: keyring %s: %w", name, err)
	}
	return el, nil
}

// countSigBlocks counts lines that begin a signature armor block.
func countSigBlocks(sig string) int {
	n := 0
	for line := range strings.SplitSeq(sig, "\n") {
		if isSigBegin([]byte(line)) {
			n++
		}
	}
	return n
}

// verify checks sig over payload; at is the time the object claims it was
// signed (committer or tagger date), which SSH validity windows use.
func (v *verifier) verify(sig string, payload []byte, at time.Time) *Signature {
	if n := countSigBlocks(sig); n > 1 {
		return &Signature{Format: sigFormat(sig), Status: signing.StatusMalformed, Multiple: true,
			Detail: fmt.Sprintf("%d signature blocks; git accepts exactly one", n)}
	}
	switch sigFormat(sig) {
	case FormatSSH:
		return v.verifySSH(sig, payload, at)
	case FormatOpenPGP:
		return v.verifyPGP(sig, payload)
	case FormatX509:
		return &Signature{Format: FormatX509, Status: signing.StatusUntrusted,
			Detail: "x509 (gitsign) signatures are not verified"}
	}
	return &Signature{Status: signing.StatusMalformed, Detail: "no signature armor header"}
}

func sigFormat(sig string) string {
	s := strings.TrimLeft(sig, " \n")
	switch {
	case strings.HasPrefix(s, "-----BEGIN SSH SIGNATURE-----"):
		return FormatSSH
	case strings.HasPrefix(s, "-----BEGIN PGP SIGNATURE-----"), strings.HasPrefix(s, "-----BEGIN PGP MESSAGE-----"):
		return FormatOpenPGP
	case strings.HasPrefix(s, "-----BEGIN SIGNED MESSAGE-----"), strings.HasPrefix(s, "-----BEGIN CERTIFICATE-----"):
		return FormatX509
	}
	return ""
}

func (v *verifier) verifySSH(armored string, payload []byte, at time.Time) *Signature {
	out := &Signature{Format: FormatSSH}
	s, err := unarmorSSHSig(armored)
	if err != nil {
		out.Status, out.Detail = signing.StatusMalformed, err.Error()
		return out
	}
	key := s.publicKey
	if c, ok := key.(*ssh.Certificate); ok {
		out.Key = ssh.FingerprintSHA256(c.Key)
	} else {
		out.Key = ssh.FingerprintSHA256(key)
	}
	if err := s.verify(payload, "git"); err != nil {
		out.Status, out.Detail = signing.StatusInvalid, err.Error()
		return out
	}
	m := v.ssh.lookup(key, "git", at)
	if len(m.principals) == 0 {
		out.Status = signing.StatusUntrusted
		out.Detail = "key " + out.Key + " is not in the allowed signers"
		if len(m.problems) > 0 {
			out.Detail += ": " + strings.Join(m.problems, "; ")
		}
		return out
	}
	out.Status = signing.StatusValid
	_, out.certPrincipals = key.(*ssh.Certificate)
	if !out.certPrincipals {
		out.principalLines = m.lines
	}
	out.Identities = m.principals
	out.Signer = strings.Join(m.principals, ",")
	return out
}

// maxPGPPackets bounds the packets read from one signature.
const maxPGPPackets = 16

func (v *verifier) verifyPGP(armored string, payload []byte) *Signature {
	out := &Signature{Format: FormatOpenPGP}
	if len(armored) > maxSignatureLen {
		out.Status, out.Detail = signing.StatusMalformed, "signature larger than the cap"
		return out
	}
	blk, err := armor.Decode(strings.NewReader(strings.TrimLeft(armored, " \n")))
	if err != nil {
		out.Status, out.Detail = signing.StatusMalformed, "armor: "+err.Error()
		return out
	}
	body, err := io.ReadAll(io.LimitReader(blk.Body, maxSignatureLen))
	if err != nil {
		out.Status, out.Detail = signing.StatusMalformed, "armor: "+err.Error()
		return out
	}
	// Count the signature packets: several are several signatures.
	var first *packet.Signature
	rd := packet.NewReader(bytes.NewReader(body))
	for i := 0; ; i++ {
		if i == maxPGPPackets {
			out.Status, out.Detail = signing.StatusMalformed, "too many packets"
			return out
		}
		p, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.Status, out.Detail = signing.StatusMalformed, "packet: "+err.Error()
			return out
		}
		sp, ok := p.(*packet.Signature)
		if !ok {
			out.Status, out.Detail = signing.StatusMalformed, fmt.Sprintf("packet %d is not a signature", i)
			return out
		}
		if first != nil {
			out.Status, out.Multiple, out.Detail = signing.StatusMalformed, true, "several OpenPGP signature packets; git accepts exactly one"
			return out
		}
		first = sp
	}
	if first == nil {
		out.Status, out.Detail = signing.StatusMalformed, "no signature packet"
		return out
	}
	if first.IssuerFingerprint != nil {
		out.Key = strings.ToUpper(hex.EncodeToString(first.IssuerFingerprint))
	} else if first.IssuerKeyId != nil {
		out.Key = fmt.Sprintf("%016X", *first.IssuerKeyId)
	}
	created := first.CreationTime
	cfg := &packet.Config{Time: func() time.Time { return created }}
	_, ent, err := openpgp.VerifyDetachedSignature(v.pgp, bytes.NewReader(payload), bytes.NewReader(body), cfg)
	if ent != nil {
		out.Key = strings.ToUpper(hex.EncodeToString(ent.PrimaryKey.Fingerprint))
		out.Identities, out.sharedEmails = v.unsharedIdentities(ent, pgpIdentities(ent, v.nowOrClock()))
		out.Signer = pgpSignerName(ent, v.nowOrClock())
	}
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		out.Status = signing.StatusUntrusted
		out.Detail = "key " + out.Key + " is not in the keyrings; the signature could not be checked"
	case err != nil:
		out.Status, out.Detail = signing.StatusInvalid, err.Error()
		if ent != nil {
			out.Detail = "signature verifies but the key was not usable when it signed: " + err.Error()
		}
	case !v.usableNow(ent, first):
		// As git does (gpg's EXPKEYSIG is not a good signature): a key
		// that has expired cannot vouch for anything, whatever creation
		// time its holder wrote into the signature.
		out.Status = signing.StatusUntrusted
		out.Detail = "the signature verifies but key " + out.Key + " has expired or was revoked"
	default:
		out.Status = signing.StatusValid
	}
	return out
}

// nowOrClock returns the audit time, or the clock's when none is set.
func (v *verifier) nowOrClock() time.Time {
	if v.now.IsZero() {
		return time.Now()
	}
	return v.now
}

// usableNow reports whether the key that made sig can still sign at v.now.
func (v *verifier) usableNow(ent *openpgp.Entity, sig *packet.Signature) bool {
	now := v.nowOrClock()
	var id uint64
	switch fp := sig.IssuerFingerprint; {
	case sig.IssuerKeyId != nil:
		id = *sig.IssuerKeyId
	case len(fp) == 20:
		id = binary.BigEndian.Uint64(fp[12:])
	case len(fp) == 32:
		id = binary.BigEndian.Uint64(fp[:8])
	}
	_, ok := ent.SigningKeyById(now, id)
	return ok
}

// pgpSignerName returns the name of e's primary user ID, or, when that one
// is revoked or expired at now (see pgpIdentities), the first in order of
// the user IDs in force; "" when none is.
func pgpSignerName(e *openpgp.Entity, now time.Time) string {
	if id := e.PrimaryIdentity(); id != nil && inForce(id, now) {
		return id.Name
	}
	var names []string
	for _, id := range e.Identities {
		if inForce(id, now) {
			names = append(names, id.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return slices.Min(names)
}

// inForce reports whether user ID id binds its key at now: neither
// revoked nor past its binding self-signature's expiry.
func inForce(id *openpgp.Identity, now time.Time) bool {
	return !id.Revoked(now) && (id.SelfSignature == nil || !id.SelfSignature.SigExpired(now))
}

// pgpIdentities lists the names a policy may use for an OpenPGP key at
// time now: its fingerprints and key IDs, and the email of each user ID in
// force. A user ID its owner has revoked, or whose binding self-signature
// has expired, no longer ties the key to its address (gpg marks it
// "[revoked]" or "[expired]"), so it names no one.
func pgpIdentities(e *openpgp.Entity, now time.Time) []string {
	ids := []string{
		strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint)),
		fmt.Sprintf("%016X", e.PrimaryKey.KeyId),
	}
	for _, sk := range e.Subkeys {
		ids = append(ids, strings.ToUpper(hex.EncodeToString(sk.PublicKey.Fingerprint)), fmt.Sprintf("%016X", sk.PublicKey.KeyId))
	}
	for _, id := range e.Identities {
		if !inForce(id, now) {
			continue
		}
		if id.UserId != nil && id.UserId.Email != "" {
			ids = append(ids, id.UserId.Email)
		}
	}
	return ids
}

// unsharedIdentities splits ids, the identities of ent, into those that
// name ent alone and the user ID emails another key of the keyrings that
// can sign at the audit time claims as well. Anyone can make a key with
// any user ID: when a keyring (such as a project's KEYS file) holds
// several keys claiming maintainer@example.com, the address no longer
// tells which key is the maintainer's, so it names none of them; the
// policy must name the key by fingerprint.
func (v *verifier) unsharedIdentities(ent *openpgp.Entity, ids []string) (own, shared []string) {
	now := v.nowOrClock()
	claimed := map[string]bool{}
	for _, o := range v.pgp {
		if o == nil || o.PrimaryKey == nil || bytes.Equal(o.PrimaryKey.Fingerprint, ent.PrimaryKey.Fingerprint) {
			continue
		}
		if _, ok := o.SigningKey(now); !ok {
			continue
		}
		for _, id := range pgpIdentities(o, now) {
			if strings.Contains(id, "@") {
				claimed[strings.ToLower(id)] = true
			}
		}
	}
	for _, id := range ids {
		if strings.Contains(id, "@") && claimed[strings.ToLower(id)] {
			if !slices.Contains(shared, id) {
				shared = append(shared, id)
			}
			continue
		}
		own = append(own, id)
	}
	slices.Sort(shared)
	return own, shared
}

// allowedBy reports whether the signature is valid and, when signers is not
// empty, one of its identities matches an entry.
func (s *Signature) allowedBy(signers []string) bool {
	if s == nil || s.Status != signing.StatusValid {
		return false
	}
	if len(signers) == 0 {
		return true
	}
	for _, want := range signers {
		if s.Format == FormatSSH && !s.certPrincipals {
			if slices.ContainsFunc(s.principalLines, func(line []string) bool { return lineAdmits(line, want) }) {
				return true
			}
			continue
		}
		// OpenPGP identities, and a certificate's principals: literal
		// names, as OpenSSH treats them (a certificate issued for the
		// principal "*@example.com" names nobody else).
		w := strings.ReplaceAll(want, " ", "")
		for _, id := range s.Identities {
			if strings.EqualFold(w, id) {
				return true
			}
		}
	}
	return false
}

// lineAdmits reports whether the principals of one allowed_signers line
// admit the policy signer want: one names it (ignoring case) or is a pattern
// such as "*@example.com" that matches it, and no negated one ("!bob@…")
// matches it, ignoring case too, so that a denial is never narrower than
// what it denies.
func lineAdmits(line []string, want string) bool {
	w := strings.ReplaceAll(want, " ", "")
	got := false
	for _, p := range line {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if strings.EqualFold(neg, w) || matchPatternList(strings.ToLower(want), []string{strings.ToLower(neg)}) {
				return false
			}
			continue
		}
		if strings.EqualFold(w, p) || matchPatternList(want, []string{p}) {
			got = true
		}
	}
	return got
}
