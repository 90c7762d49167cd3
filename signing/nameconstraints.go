package signing

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"net"
	"strings"

	"github.com/shipgate/shipgate/internal/x509name"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// VerifyChain builds paths itself, so the name constraints that
// crypto/x509's Verify applies (dNSName, rfc822Name, iPAddress and URI
// subtrees, from the fields it parses) and the directoryName subtrees it
// never applies (it leaves a critical extension holding them unhandled,
// and ignores a non-critical one) are applied here, as RFC 5280 §6.1.3(b)
// and (c) and Windows chain building do.

// oidNameConstraints is the name constraints extension (2.5.29.30).
var oidNameConstraints = asn1.ObjectIdentifier{2, 5, 29, 30}

// oidSubjectAltName is the subject alternative name extension (2.5.29.17).
var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// oidEmailAddress is PKCS #9's emailAddress attribute, which RFC 5280
// §4.2.1.10 holds to rfc822Name constraints when a subject carries it.
var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// maxConstraintChecks bounds the name comparisons one CA's constraints
// cost against one certificate, as crypto/x509 bounds its own.
const maxConstraintChecks = 250000

// dirConstraints are the directoryName subtrees of a CA's name constraints
// extension (DER Names), and the GeneralName types (by context tag) it
// constrains that shipgate does not apply.
type dirConstraints struct {
	permitted, excluded [][]byte
	unknown             [len(generalNameTypes)]bool
}

// generalNameTypes names the GeneralName choices by context tag.
var generalNameTypes = [...]string{"otherName", "rfc822Name", "dNSName", "x400Address", "directoryName", "ediPartyName", "uniformResourceIdentifier", "iPAddress", "registeredID"}

// parseDirConstraints reads the directoryName subtrees of c's name
// constraints extension. ok is false when the extension does not parse.
func parseDirConstraints(c *x509.Certificate) (dc dirConstraints, present, ok bool) {
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidNameConstraints) {
			continue
		}
		in := cryptobyte.String(e.Value)
		var top cryptobyte.String
		if !in.ReadASN1(&top, cbasn1.SEQUENCE) || !in.Empty() {
			return dc, true, false
		}
		for _, sub := range []struct {
			tag cbasn1.Tag
			out *[][]byte
		}{{cbasn1.Tag(0).ContextSpecific().Constructed(), &dc.permitted}, {cbasn1.Tag(1).ContextSpecific().Constructed(), &dc.excluded}} {
			var trees cryptobyte.String
			var have bool
			if !top.ReadOptionalASN1(&trees, &have, sub.tag) {
				return dc, true, false
			}
			for !trees.Empty() {
				var tree, base cryptobyte.String
				var tag cbasn1.Tag
				if !trees.ReadASN1(&tree, cbasn1.SEQUENCE) || !tree.ReadAnyASN1(&base, &tag) {
					return dc, true, false
				}
				n := int(tag &^ (0xe0))
				switch {
				case tag&0xc0 != 0x80 || n >= len(generalNameTypes):
					return dc, true, false
				case n == 4:
					var name cryptobyte.String
					if !base.ReadASN1Element(&name, cbasn1.SEQUENCE) || !base.Empty() {
						return dc, true, false
					}
					*sub.out = append(*sub.out, name)
				case n == 1 || n == 2 || n == 6 || n == 7:
					// crypto/x509 parsed these into the Certificate.
				default:
					dc.unknown[n] = true
				}
			}
		}
		if !top.Empty() {
			return dc, true, false
		}
		return dc, true, true
	}
	return dc, false, true
}

// checkNameConstraints applies the name constraints of ca, which issues
// path[len(path)-1], to every certificate of path (leaf first): their
// subjects to its directoryName subtrees and subject email addresses, and
// their subject alternative names to its other subtrees (directoryName
// ones too). A self-issued intermediate's names are exempt, as RFC 5280
// §6.1.3(b) says. An extension that does not parse fails the chain, and
// so does a constraint of a type shipgate does not apply (otherName, for
// one) when a certificate below carries a name of that type: a verifier
// cannot say such a name is permitted by a rule it cannot read. A
// constraint on a name form no certificate below carries constrains
// nothing (RFC 5280 §4.2.1.10), as Microsoft's UPN constraints on
// enterprise CAs whose code-signing certificates hold no UPN.
func checkNameConstraints(ca *x509.Certificate, path []*x509.Certificate) string {
	dc, present, ok := parseDirConstraints(ca)
	if !present {
		return ""
	}
	if !ok {
		return fmt.Sprintf("certificate %q has a name constraints extension that does not parse", ca.Subject.String())
	}
	for i, c := range path {
		if i > 0 && x509name.Equal(c.RawSubject, c.RawIssuer) {
			continue
		}
		if why := violation(ca, dc, c); why != "" {
			return fmt.Sprintf("certificate %q is outside the names its issuing CA %q may certify: %s", c.Subject.String(), ca.Subject.String(), why)
		}
	}
	return ""
}

// violation returns why a name of c is outside ca's constraints, or "".
func violation(ca *x509.Certificate, dc dirConstraints, c *x509.Certificate) string {
	n := 0
	tooMany := func(list int) bool { n += list; return n > maxConstraintChecks }
	if !isEmptyName(c.RawSubject) {
		if tooMany(len(dc.permitted) + len(dc.excluded)) {
			return "too many names and constraints to check"
		}
		if why := subtreeViolation(c.RawSubject, dc.permitted, dc.excluded); why != "" {
			return why
		}
	}
	if why := altNameViolation(dc, c, tooMany); why != "" {
		return why
	}
	emails := slicesClone(c.EmailAddresses)
	for _, a := range c.Subject.Names {
		if s, isStr := a.Value.(string); a.Type.Equal(oidEmailAddress) && isStr {
			emails = append(emails, s)
		}
	}
	for _, e := range emails {
		if tooMany(len(ca.PermittedEmailAddresses) + len(ca.ExcludedEmailAddresses)) {
			return "too many names and constraints to check"
		}
		if at := strings.LastIndexByte(e, '@'); len(ca.PermittedEmailAddresses)+len(ca.ExcludedEmailAddresses) > 0 && (at < 1 || at == len(e)-1) {
			return fmt.Sprintf("email address %q is no mailbox its issuing CA's email constraints could match", e)
		}
		if why := listViolation("email address", e, ca.PermittedEmailAddresses, ca.ExcludedEmailAddresses, matchEmail); why != "" {
			return why
		}
	}
	for _, d := range c.DNSNames {
		if tooMany(len(ca.PermittedDNSDomains) + len(ca.ExcludedDNSDomains)) {
			return "too many names and constraints to check"
		}
		if why := listViolation("DNS name", d, ca.PermittedDNSDomains, ca.ExcludedDNSDomains, matchDNS); why != "" {
			return why
		}
	}
	for _, u := range c.URIs {
		if tooMany(len(ca.PermittedURIDomains) + len(ca.ExcludedURIDomains)) {
			return "too many names and constraints to check"
		}
		if h := u.Hostname(); len(ca.PermittedURIDomains)+len(ca.ExcludedURIDomains) > 0 && (h == "" || net.ParseIP(h) != nil) {
			return fmt.Sprintf("URI %q has no host name its issuing CA's URI constraints could match", u.String())
		}
		if why := listViolation("URI", u.String(), ca.PermittedURIDomains, ca.ExcludedURIDomains, func(_, con string) bool { return matchHost(u.Hostname(), con) }); why != "" {
			return why
		}
	}
	for _, ip := range c.IPAddresses {
		if tooMany(len(ca.PermittedIPRanges) + len(ca.ExcludedIPRanges)) {
			return "too many names and constraints to check"
		}
		if why := ipViolation(ip, ca.PermittedIPRanges, ca.ExcludedIPRanges); why != "" {
			return why
		}
	}
	return ""
}

// altNameViolation applies directoryName subtrees to c's directoryName
// alternative names, and refuses an alternative name of a type dc
// constrains but shipgate does not check.
func altNameViolation(dc dirConstraints, c *x509.Certificate, tooMany func(int) bool) string {
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidSubjectAltName) {
			continue
		}
		in := cryptobyte.String(e.Value)
		var names cryptobyte.String
		if !in.ReadASN1(&names, cbasn1.SEQUENCE) || !in.Empty() {
			return "its subject alternative names do not parse"
		}
		for !names.Empty() {
			var body cryptobyte.String
			var tag cbasn1.Tag
			if !names.ReadAnyASN1(&body, &tag) {
				return "its subject alternative names do not parse"
			}
			n := int(tag &^ 0xe0)
			switch {
			case tag&0xc0 != 0x80 || n >= len(generalNameTypes):
				return "its subject alternative names do not parse"
			case dc.unknown[n]:
				return fmt.Sprintf("it has a %s alternative name, and its issuing CA constrains %s names, which shipgate does not check", generalNameTypes[n], generalNameTypes[n])
			case n == 4:
				if tooMany(len(dc.permitted) + len(dc.excluded)) {
					return "too many names and constraints to check"
				}
				if why := subtreeViolation(body, dc.permitted, dc.excluded); why != "" {
					return strings.Replace(why, "its subject", "its directoryName alternative name", 1)
				}
			}
		}
	}
	return ""
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// isEmptyName reports whether der is the empty Name (an empty SEQUENCE),
// which directoryName constraints leave alone.
func isEmptyName(der []byte) bool { return bytes.Equal(der, []byte{0x30, 0}) }

// subtreeViolation applies directoryName subtrees to the DER subject.
func subtreeViolation(subject []byte, permitted, excluded [][]byte) string {
	for _, base := range excluded {
		in, ok := x509name.Within(subject, base)
		if !ok {
			return "its subject or a directoryName constraint does not parse"
		}
		if in {
			return "its subject is in an excluded directoryName subtree"
		}
	}
	if len(permitted) == 0 {
		return ""
	}
	for _, base := range permitted {
		if in, ok := x509name.Within(subject, base); ok && in {
			return ""
		}
	}
	return "its subject is in no permitted directoryName subtree"
}

// listViolation applies string constraints of one type to name.
func listViolation(kind, name string, permitted, excluded []string, match func(name, con string) bool) string {
	for _, con := range excluded {
		if match(name, con) {
			return fmt.Sprintf("%s %q is excluded by the constraint %q", kind, name, con)
		}
	}
	if len(permitted) == 0 {
		return ""
	}
	for _, con := range permitted {
		if match(name, con) {
			return ""
		}
	}
	return fmt.Sprintf("%s %q is in no permitted subtree", kind, name)
}

// ipViolation applies iPAddress constraints to ip.
func ipViolation(ip net.IP, permitted, excluded []*net.IPNet) string {
	match := func(n *net.IPNet) bool {
		if len(ip) != len(n.IP) || len(n.Mask) != len(ip) {
			return false
		}
		for i := range ip {
			if ip[i]&n.Mask[i] != n.IP[i]&n.Mask[i] {
				return false
			}
		}
		return true
	}
	for _, n := range excluded {
		if match(n) {
			return fmt.Sprintf("IP address %s is excluded by the constraint %s", ip, n)
		}
	}
	if len(permitted) == 0 {
		return ""
	}
	for _, n := range permitted {
		if match(n) {
			return ""
		}
	}
	return fmt.Sprintf("IP address %s is in no permitted subtree", ip)
}

// matchDNS matches a DNS name to a dNSName constraint as RFC 5280 and
// crypto/x509 do: the constraint's labels end the name (any number of
// labels may be added in front, "" allows all); a leading "." requires
// at least one.
func matchDNS(name, con string) bool {
	name, con = strings.ToLower(strings.TrimSuffix(name, ".")), strings.ToLower(con)
	if con == "" {
		return true
	}
	if strings.HasPrefix(con, ".") {
		return strings.HasSuffix(name, con)
	}
	return name == con || strings.HasSuffix(name, "."+con)
}

// matchHost matches a host to an rfc822Name or URI domain constraint:
// the host itself, or with a leading "." any host below it.
func matchHost(host, con string) bool {
	host, con = strings.ToLower(strings.TrimSuffix(host, ".")), strings.ToLower(con)
	if host == "" {
		return false
	}
	if strings.HasPrefix(con, ".") {
		return strings.HasSuffix(host, con) && len(host) > len(con)
	}
	return host == con
}

// matchEmail matches an address to an rfc822Name constraint: a whole
// mailbox (local part exact, domain in any case), or a host constraint
// for its domain.
func matchEmail(addr, con string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	if k := strings.LastIndexByte(con, '@'); k >= 0 {
		return addr[:at] == con[:k] && strings.EqualFold(addr[at+1:], con[k+1:])
	}
	return matchHost(addr[at+1:], con)
}
