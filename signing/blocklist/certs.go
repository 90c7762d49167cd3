package blocklist

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/x509name"
	"github.com/shipgate/shipgate/signing"
)

// hashes reads a plain hash list: one hash per line, optionally followed by
// whitespace and a file name (sha256sum output); blank lines and lines
// starting with '#' are skipped. The algorithm follows from the length.
func (p *parser) hashes(b []byte) error {
	kind := p.opts.HashKind
	if kind == KindInvalid && strings.Contains(strings.ToLower(filepath.Base(p.name)), "authentihash") {
		kind = KindAuthentihash
	}
	if kind != KindInvalid && kind != KindAuthentihash && !kind.IsFile() {
		return fmt.Errorf("blocklist: LoadOptions.HashKind %s is not a file hash kind", kind)
	}
	body := bytes.TrimPrefix(b, utf8BOM)
	line := 0
	for len(body) > 0 {
		line++
		var l []byte
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			l, body = body[:i], body[i+1:]
		} else {
			l, body = body, nil
		}
		s := strings.TrimSpace(cleanCell(string(l)))
		if s == "" || s[0] == '#' {
			continue
		}
		f := strings.Fields(s)
		h, note := f[0], ""
		if len(f) > 1 {
			note = strings.TrimPrefix(strings.Join(f[1:], " "), "*")
		}
		e := Entry{Value: h, Note: note}
		if kind == KindAuthentihash || kind == KindCDHash {
			e.Kind = kind
		} else {
			k, ok := fileKindByLength(len(h))
			if !ok || !isHex(h) {
				return p.errLine(line, "%q is not an MD5, SHA-1 or SHA-256 hash", truncate(h, 80))
			}
			e.Kind = k
		}
		if err := p.addAt(e, line, 0); err != nil {
			return err
		}
	}
	if p.list.Len() == 0 {
		return p.errLine(0, "no hashes")
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// certificates reads PEM "CERTIFICATE" blocks or DER certificates and blocks
// each certificate by its SHA-256 fingerprint, whatever the time.
func (p *parser) certificates(b []byte) error {
	if !bytes.Contains(b, []byte("-----BEGIN")) {
		certs, err := x509.ParseCertificates(b)
		if err != nil {
			return p.errOff(0, "DER certificates: %v", err)
		}
		for _, c := range certs {
			if err := p.addCert(c, 0, 0); err != nil {
				return err
			}
		}
		return nil
	}
	rest := b
	for {
		start := len(b) - len(rest)
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		line := 1 + bytes.Count(b[:start+bytes.Index(b[start:], []byte("-----BEGIN"))], []byte{'\n'})
		if blk.Type != "CERTIFICATE" {
			p.warnLine(line, "skipped PEM block %q", blk.Type)
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return p.errLine(line, "certificate: %v", err)
		}
		if err := p.addCert(c, line, 0); err != nil {
			return err
		}
	}
	if p.list.Len() == 0 {
		return p.errLine(1, "no PEM CERTIFICATE block")
	}
	return nil
}

func (p *parser) addCert(c *x509.Certificate, line int, off int64) error {
	id := signing.NewIdentity(c)
	return p.addAt(Entry{Kind: KindCertSHA256, Value: id.SHA256, Note: id.Subject}, line, off)
}

// crl reads an X.509 CRL (DER, or PEM "X509 CRL"): each revoked serial
// becomes an issuer-serial entry bound to the CRL issuer's DER name, with
// its revocation date and reason.
func (p *parser) crl(b []byte) error {
	der := b
	pemLine := 0
	if i := bytes.Index(b, []byte("-----BEGIN X509 CRL")); i >= 0 {
		blk, _ := pem.Decode(b[i:])
		if blk == nil {
			return p.errLine(1, "bad PEM \"X509 CRL\" block")
		}
		der = blk.Bytes
		pemLine = 1 + bytes.Count(b[:i], []byte{'\n'})
	} else if bytes.Contains(b, []byte("-----BEGIN")) {
		return p.errLine(1, "no PEM \"X509 CRL\" block")
	}
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		if pemLine > 0 {
			return p.errLine(pemLine, "%v", err)
		}
		return p.errOff(0, "%v", err)
	}
	issuerName := rl.Issuer.String()
	if iss := p.opts.CRLIssuer; iss != nil {
		if !x509name.Equal(iss.RawSubject, rl.RawIssuer) {
			return p.errOff(0, "CRL issuer %q is not the given issuer %q", issuerName, iss.Subject.String())
		}
		if err := rl.CheckSignatureFrom(iss); err != nil {
			return p.errOff(0, "CRL signature does not verify with the given issuer %q: %v", iss.Subject.String(), err)
		}
	} else {
		p.warnOff(0, "CRL signature not verified: no issuer certificate was given (LoadOptions.CRLIssuer); its entries are trusted as read")
	}
	now := p.opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if !rl.NextUpdate.IsZero() && now.After(rl.NextUpdate) {
		p.warnOff(0, "CRL from %q is stale: nextUpdate %s has passed; revocations since are missing", issuerName, rl.NextUpdate.UTC().Format(timeLayout))
	}
	for _, ext := range rl.Extensions {
		if ext.Critical && !knownCRLExt(ext.Id.String()) {
			return p.errOff(0, "unsupported critical CRL extension %s", ext.Id)
		}
	}
	entriesOff := 0 // entries are searched for in order, each after the last
	for i := range rl.RevokedCertificateEntries {
		re := &rl.RevokedCertificateEntries[i]
		off := int64(0)
		if len(re.Raw) > 0 {
			if j := bytes.Index(der[entriesOff:], re.Raw); j >= 0 {
				off = int64(entriesOff + j)
				entriesOff += j + len(re.Raw)
			}
		}
		var invalid *time.Time
		for _, ext := range re.Extensions {
			id := ext.Id.String()
			if id == "2.5.29.29" {
				return p.errOff(off, "indirect CRL entries (certificateIssuer) are not supported")
			}
			if id == oidInvalidityDate {
				t, err := parseInvalidityDate(ext.Value)
				if err != nil {
					return p.errOff(off, "CRL entry invalidityDate: %v", err)
				}
				invalid = &t
			}
			if ext.Critical && id != "2.5.29.21" && id != oidInvalidityDate {
				return p.errOff(off, "unsupported critical CRL entry extension %s", ext.Id)
			}
		}
		reason := Reason(re.ReasonCode)
		if _, ok := reasonNames[reason]; !ok {
			return p.errOff(off, "unknown reason code %d", re.ReasonCode)
		}
		serial := serialHex(re.SerialNumber)
		if reason == ReasonRemoveFromCRL {
			p.warnOff(off, "serial %s is marked removeFromCRL (a lifted hold); not blocked", serial)
			continue
		}
		revoked := re.RevocationTime.UTC()
		e := Entry{
			Kind: KindIssuerSerial, Value: serial, Issuer: issuerName, IssuerDER: rl.RawIssuer,
			RevokedAt: &revoked, Reason: reason,
		}
		if invalid != nil && invalid.Before(revoked) {
			e.InvalidAt = invalid
		}
		if pemLine > 0 {
			err = p.addAt(e, pemLine, 0)
		} else {
			err = p.addAt(e, 0, off)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// oidInvalidityDate is the CRL entry extension invalidityDate (RFC 5280
// §5.3.2): when the key was known or suspected compromised.
const oidInvalidityDate = "2.5.29.24"

// parseInvalidityDate decodes an invalidityDate extension value, a
// GeneralizedTime, in UTC.
func parseInvalidityDate(v []byte) (time.Time, error) {
	var t time.Time
	rest, err := asn1.UnmarshalWithParams(v, &t, "generalized")
	if err != nil {
		return time.Time{}, err
	}
	if len(rest) != 0 {
		return time.Time{}, fmt.Errorf("%d bytes after the GeneralizedTime", len(rest))
	}
	return t.UTC(), nil
}

// knownCRLExt lists CRL extensions whose meaning does not change the entries:
// authority key identifier, CRL number. issuingDistributionPoint and
// deltaCRLIndicator (critical) change the scope and are refused.
func knownCRLExt(oid string) bool {
	return oid == "2.5.29.35" || oid == "2.5.29.20"
}

// serialHex writes a serial in Identity form.
func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	return n.Text(16)
}
