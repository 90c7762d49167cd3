// Package testpki mints certificate authorities, code-signing leaves and
// time-stamping authorities for shipgate's tests and fixture generators.
//
// Keys are fixed (see keys.go) and times are explicit, so the certificates it
// makes are byte-identical from run to run. Nothing here is for production use.
package testpki

import (
	"crypto"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"time"
)

// Epoch is the reference time of fixtures: certificates default to being
// valid from Epoch minus one year to Epoch plus five years.
var Epoch = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// KeyKind selects a fixed test key.
type KeyKind int

const (
	// RSA selects one of the fixed RSA-2048 keys.
	RSA KeyKind = iota
	// ECDSA selects one of the fixed P-256 keys.
	ECDSA
	// Ed25519 selects an Ed25519 key made from a fixed seed.
	Ed25519
)

// Key returns fixed test key number n of the given kind (n wraps around).
func Key(kind KeyKind, n int) crypto.Signer {
	if kind == Ed25519 {
		seed := sha256.Sum256([]byte(fmt.Sprintf("testpki ed25519 key %d", n)))
		return ed25519.NewKeyFromSeed(seed[:])
	}
	src := rsaKeys
	if kind == ECDSA {
		src = ecKeys
	}
	b, _ := pem.Decode([]byte(src[n%len(src)]))
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		panic(fmt.Sprintf("testpki: fixed key %d: %v", n, err))
	}
	return k.(crypto.Signer)
}

// Spec describes a certificate to mint. Zero fields take defaults.
type Spec struct {
	// CommonName, Organization and OrganizationalUnit form the subject.
	CommonName         string
	Organization       string
	OrganizationalUnit string
	// ExtraNames are subject attributes added after the others (an Apple
	// leaf's UID, for example).
	ExtraNames []pkix.AttributeTypeAndValue
	// Serial defaults to a number derived from CommonName.
	Serial *big.Int
	// NotBefore and NotAfter default to Epoch-1y and Epoch+5y.
	NotBefore, NotAfter time.Time
	// CA makes a certificate authority (basicConstraints CA:true, keyCertSign).
	CA bool
	// MaxPathLen, when CA, limits intermediates below it (-1 means unlimited).
	MaxPathLen int
	// EKU lists extended key usages; nil gives none for CAs and codeSigning
	// for leaves. Use NoEKU to mint a leaf without the extension.
	EKU   []x509.ExtKeyUsage
	NoEKU bool
	// Key selects the fixed key (index into the kind's list).
	KeyKind KeyKind
	KeyN    int
	// SignatureAlgorithm overrides the issuer's default (SHA256WithRSA or
	// ECDSAWithSHA256). SHA1WithRSA is minted by hand: crypto/x509 refuses it.
	SignatureAlgorithm x509.SignatureAlgorithm
	// ExtraExtensions are added verbatim (Apple markers, for example).
	ExtraExtensions []pkix.Extension
	// KeyUsage overrides the default key usage when not zero.
	KeyUsage x509.KeyUsage
	// NoBasicConstraints leaves the basicConstraints extension out, as in
	// Microsoft Root Authority.
	NoBasicConstraints bool
	// Version1 mints an X.509 v1 certificate: no extensions at all. It needs
	// an RSA issuer key.
	Version1 bool
	// CriticalEKU marks the extended key usage extension critical, as RFC
	// 3161 §2.3 asks of TSA certificates (crypto/x509 makes it non-critical).
	CriticalEKU bool
	// DNSNames and EmailAddresses are subject alternative names.
	DNSNames, EmailAddresses []string
}

// Cert is a minted certificate with its key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// PEM returns the certificate as PEM.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// KeyPEM returns the private key as PKCS#8 PEM.
func (c *Cert) KeyPEM() []byte {
	b, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b})
}

// NewRoot mints a self-signed root CA.
func NewRoot(s Spec) *Cert {
	s.CA = true
	return mint(s, nil)
}

// Issue mints a certificate signed by c.
func (c *Cert) Issue(s Spec) *Cert { return mint(s, c) }

func mint(s Spec, parent *Cert) *Cert {
	if s.CommonName == "" {
		s.CommonName = "shipgate test"
	}
	key := Key(s.KeyKind, s.KeyN)
	if s.NotBefore.IsZero() {
		s.NotBefore = Epoch.AddDate(-1, 0, 0)
	}
	if s.NotAfter.IsZero() {
		s.NotAfter = Epoch.AddDate(5, 0, 0)
	}
	serial := s.Serial
	if serial == nil {
		h := sha1.Sum([]byte(s.CommonName + s.Organization + s.OrganizationalUnit))
		serial = new(big.Int).SetBytes(h[:12])
	}
	subj := pkix.Name{CommonName: s.CommonName}
	if s.Organization != "" {
		subj.Organization = []string{s.Organization}
	}
	if s.OrganizationalUnit != "" {
		subj.OrganizationalUnit = []string{s.OrganizationalUnit}
	}
	subj.ExtraNames = s.ExtraNames
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subj,
		NotBefore:             s.NotBefore,
		NotAfter:              s.NotAfter,
		BasicConstraintsValid: true,
		IsCA:                  s.CA,
		ExtraExtensions:       s.ExtraExtensions,
		DNSNames:              s.DNSNames,
		EmailAddresses:        s.EmailAddresses,
	}
	skid := sha1.Sum(pubBytes(key.Public()))
	tmpl.SubjectKeyId = skid[:]
	if s.CA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
		if s.MaxPathLen > 0 {
			tmpl.MaxPathLen = s.MaxPathLen
		} else if s.MaxPathLen == 0 {
			tmpl.MaxPathLen = -1
		} else {
			tmpl.MaxPathLen = 0
			tmpl.MaxPathLenZero = true
		}
		tmpl.ExtKeyUsage = s.EKU
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		switch {
		case s.NoEKU:
		case s.EKU != nil:
			tmpl.ExtKeyUsage = s.EKU
		default:
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
		}
	}
	if s.KeyUsage != 0 {
		tmpl.KeyUsage = s.KeyUsage
	}
	if s.CriticalEKU && len(tmpl.ExtKeyUsage) > 0 {
		var oids []asn1.ObjectIdentifier
		for _, u := range tmpl.ExtKeyUsage {
			oid, ok := ekuOIDs[u]
			if !ok {
				panic(fmt.Sprintf("testpki: no OID for extended key usage %d", u))
			}
			oids = append(oids, oid)
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: mustMarshal(oids)})
		tmpl.ExtKeyUsage = nil
	}
	if s.NoBasicConstraints {
		tmpl.BasicConstraintsValid, tmpl.IsCA, tmpl.MaxPathLen, tmpl.MaxPathLenZero = false, false, 0, false
	}
	issuer, issuerKey := tmpl, key
	if parent != nil {
		issuer, issuerKey = parent.Cert, parent.Key
	}
	if s.Version1 {
		return &Cert{Cert: mintV1(tmpl, issuer, key.Public(), issuerKey), Key: key}
	}
	if s.SignatureAlgorithm == x509.SHA1WithRSA {
		return &Cert{Cert: mintSHA1(tmpl, issuer, key.Public(), issuerKey), Key: key}
	}
	if s.SignatureAlgorithm == x509.MD5WithRSA {
		return &Cert{Cert: mintWeak(tmpl, issuer, key.Public(), issuerKey, crypto.MD5), Key: key}
	}
	tmpl.SignatureAlgorithm = s.SignatureAlgorithm
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), remembering(issuerKey))
	if err != nil {
		panic(fmt.Sprintf("testpki: minting %q: %v", s.CommonName, err))
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return &Cert{Cert: cert, Key: key}
}

var ekuOIDs = map[x509.ExtKeyUsage]asn1.ObjectIdentifier{
	x509.ExtKeyUsageAny:          {2, 5, 29, 37, 0},
	x509.ExtKeyUsageServerAuth:   {1, 3, 6, 1, 5, 5, 7, 3, 1},
	x509.ExtKeyUsageCodeSigning:  {1, 3, 6, 1, 5, 5, 7, 3, 3},
	x509.ExtKeyUsageTimeStamping: {1, 3, 6, 1, 5, 5, 7, 3, 8},
}

func pubBytes(pub crypto.PublicKey) []byte {
	b, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return b
}

// mintSHA1 builds a certificate signed with sha1WithRSAEncryption, which
// crypto/x509 no longer creates: it signs with SHA-256 to get a well-formed
// TBSCertificate, then replaces the algorithm identifiers and the signature.
func mintSHA1(tmpl, issuer *x509.Certificate, pub crypto.PublicKey, issuerKey crypto.Signer) *x509.Certificate {
	return mintWeak(tmpl, issuer, pub, issuerKey, crypto.SHA1)
}

// mintWeak is mintSHA1 for hash h: SHA-1 (sha1WithRSAEncryption) or MD5
// (md5WithRSAEncryption).
func mintWeak(tmpl, issuer *x509.Certificate, pub crypto.PublicKey, issuerKey crypto.Signer, h crypto.Hash) *x509.Certificate {
	rk, ok := issuerKey.(*rsa.PrivateKey)
	if !ok {
		panic("testpki: SHA1WithRSA and MD5WithRSA need an RSA issuer key")
	}
	tmpl.SignatureAlgorithm = x509.SHA256WithRSA
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, pub, remembering(issuerKey))
	if err != nil {
		panic(err)
	}
	var c struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &c); err != nil {
		panic(err)
	}
	sha1RSA := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, Parameters: asn1.NullRawValue}
	if h == crypto.MD5 {
		sha1RSA.Algorithm = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}
	}
	newTBS := replaceTBSAlgorithm(c.TBS.FullBytes, sha1RSA)
	var digest []byte
	if h == crypto.MD5 {
		d := md5.Sum(newTBS)
		digest = d[:]
	} else {
		d := sha1.Sum(newTBS)
		digest = d[:]
	}
	sig, err := SignPKCS1v15(rk, h, digest)
	if err != nil {
		panic(err)
	}
	out, err := asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}{asn1.RawValue{FullBytes: newTBS}, sha1RSA, asn1.BitString{Bytes: sig, BitLength: len(sig) * 8}})
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(out)
	if err != nil {
		panic(err)
	}
	return cert
}

// mintV1 builds an X.509 v1 certificate (no version field, no extensions)
// signed with sha256WithRSAEncryption: it takes the TBSCertificate
// crypto/x509 makes, drops the version and extensions, and signs the rest.
func mintV1(tmpl, issuer *x509.Certificate, pub crypto.PublicKey, issuerKey crypto.Signer) *x509.Certificate {
	rk, ok := issuerKey.(*rsa.PrivateKey)
	if !ok {
		panic("testpki: Version1 needs an RSA issuer key")
	}
	tmpl.SignatureAlgorithm = x509.SHA256WithRSA
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, pub, remembering(issuerKey))
	if err != nil {
		panic(err)
	}
	var c struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &c); err != nil {
		panic(err)
	}
	var body []byte
	rest := c.TBS.Bytes
	for len(rest) > 0 {
		var e asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &e); err != nil {
			panic(err)
		}
		if e.Class == asn1.ClassContextSpecific { // [0] version, [3] extensions
			continue
		}
		body = append(body, e.FullBytes...)
	}
	tbs := TLV(0x30, body)
	h := sha256.Sum256(tbs)
	sig, err := SignPKCS1v15(rk, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	out := TLV(0x30, tbs, mustMarshal(c.Alg), TLV(0x03, append([]byte{0}, sig...)))
	cert, err := x509.ParseCertificate(out)
	if err != nil {
		panic(err)
	}
	return cert
}

// replaceTBSAlgorithm rewrites the signature AlgorithmIdentifier inside a DER
// TBSCertificate (its third element after the optional version).
func replaceTBSAlgorithm(tbs []byte, alg pkix.AlgorithmIdentifier) []byte {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(tbs, &seq); err != nil {
		panic(err)
	}
	var elems []asn1.RawValue
	rest := seq.Bytes
	for len(rest) > 0 {
		var e asn1.RawValue
		var err error
		rest, err = asn1.Unmarshal(rest, &e)
		if err != nil {
			panic(err)
		}
		elems = append(elems, e)
	}
	algDER, err := asn1.Marshal(alg)
	if err != nil {
		panic(err)
	}
	// elems[0] is [0] version, elems[1] serial, elems[2] signature algorithm.
	elems[2] = asn1.RawValue{FullBytes: algDER}
	var body []byte
	for _, e := range elems {
		body = append(body, e.FullBytes...)
	}
	out, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		panic(err)
	}
	return out
}

// Rand is a deterministic byte stream for callers that need reproducible
// randomness (serials, padding). It is not cryptographically secure.
type Rand struct{ state uint64 }

// NewRand returns a Rand seeded with seed.
func NewRand(seed uint64) *Rand { return &Rand{state: seed*2654435761 + 1} }

// Read fills p with pseudo-random bytes.
func (r *Rand) Read(p []byte) (int, error) {
	for i := range p {
		r.state ^= r.state << 13
		r.state ^= r.state >> 7
		r.state ^= r.state << 17
		p[i] = byte(r.state)
	}
	return len(p), nil
}

var _ io.Reader = (*Rand)(nil)

// Netscape certificate type bits, as in a DER BIT STRING's first byte.
const (
	NSObjectSigning   byte = 0x10
	NSSSLCA           byte = 0x04
	NSSMIMECA         byte = 0x02
	NSObjectSigningCA byte = 0x01
	// NSDebianCA is the value the Debian Secure Boot CA carries (0xf7):
	// every type but the reserved bit.
	NSDebianCA byte = 0xf7
)

// NetscapeCertType returns a Netscape certificate type extension
// (2.16.840.1.113730.1.1) with the given bits, for Spec.ExtraExtensions.
func NetscapeCertType(bits byte, critical bool) pkix.Extension {
	v, err := asn1.Marshal(asn1.BitString{Bytes: []byte{bits}, BitLength: 8})
	if err != nil {
		panic(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 1, 1}, Critical: critical, Value: v}
}
