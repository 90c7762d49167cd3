// Package ctl parses Microsoft certificate trust lists (CTLs), the content
// of the PKCS#7 SignedData of disallowedcert.stl (signing/blocklist) and of
// Windows security catalogs (signing/authenticode). No maintained Go
// library reads them; the structure is small, and both users need offsets
// for their errors and bounds on hostile counts, so it is parsed here with
// cryptobyte.
//
//	CertificateTrustList ::= SEQUENCE {
//	    version CTLVersion DEFAULT v1, subjectUsage SEQUENCE OF OID,
//	    listIdentifier OCTET STRING OPTIONAL, sequenceNumber INTEGER OPTIONAL,
//	    ctlThisUpdate Time, ctlNextUpdate Time OPTIONAL,
//	    subjectAlgorithm AlgorithmIdentifier,
//	    trustedSubjects SEQUENCE OF TrustedSubject OPTIONAL,
//	    ctlExtensions [0] EXPLICIT Extensions OPTIONAL }
//	TrustedSubject ::= SEQUENCE { subjectIdentifier OCTET STRING,
//	    subjectAttributes SET OF Attribute OPTIONAL }
package ctl

import (
	"encoding/asn1"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Error is a CTL that does not parse; Offset is relative to the start of
// the content given to [Parse].
type Error struct {
	Offset int
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("ctl: %s at offset %d", e.Reason, e.Offset) }

// List is a parsed CTL; its subjects are read on demand with
// [List.Subjects].
type List struct {
	// Version is the CTL version, 0 (v1) when absent.
	Version int
	// Usages is subjectUsage.
	Usages []asn1.ObjectIdentifier
	// ListIdentifier is the listIdentifier, nil when absent.
	ListIdentifier []byte
	// ThisUpdate is ctlThisUpdate; NextUpdate is zero when absent.
	ThisUpdate, NextUpdate time.Time
	// Algorithm is subjectAlgorithm's OID; AlgorithmOffset where it starts.
	Algorithm       asn1.ObjectIdentifier
	AlgorithmOffset int

	whole    []byte
	subjects cryptobyte.String
}

// Subject is one TrustedSubject.
type Subject struct {
	// ID is subjectIdentifier.
	ID []byte
	// Attributes are subjectAttributes, in order.
	Attributes []Attribute
	// Offset is where the subject starts.
	Offset int
}

// Attribute is one subject attribute.
type Attribute struct {
	Type asn1.ObjectIdentifier
	// Values are the DER elements of the attribute's values.
	Values [][]byte
	// Offset is where the attribute starts.
	Offset int
}

// Parse parses the CTL element in content (the DER SEQUENCE, nothing
// after it) up to its subjects, which it checks are a SEQUENCE.
func Parse(content []byte) (*List, error) {
	l := &List{whole: content}
	bad := func(s cryptobyte.String, reason string) error { return &Error{Offset: l.off(s), Reason: reason} }
	in := cryptobyte.String(content)
	var c cryptobyte.String
	if !in.ReadASN1(&c, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, &Error{Offset: 0, Reason: "CTL is not a SEQUENCE"}
	}
	if c.PeekASN1Tag(cbasn1.INTEGER) {
		var v int64
		if !c.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) || v < 0 || v > 255 {
			return nil, bad(c, "bad CTL version")
		}
		l.Version = int(v)
	}
	var usage cryptobyte.String
	if !c.ReadASN1(&usage, cbasn1.SEQUENCE) {
		return nil, bad(c, "bad CTL subjectUsage")
	}
	for !usage.Empty() {
		var oid asn1.ObjectIdentifier
		if !usage.ReadASN1ObjectIdentifier(&oid) {
			return nil, bad(usage, "bad subjectUsage OID")
		}
		l.Usages = append(l.Usages, oid)
	}
	if c.PeekASN1Tag(cbasn1.OCTET_STRING) {
		var id cryptobyte.String
		if !c.ReadASN1(&id, cbasn1.OCTET_STRING) {
			return nil, bad(c, "bad CTL listIdentifier")
		}
		l.ListIdentifier = id
	}
	if c.PeekASN1Tag(cbasn1.INTEGER) && !c.SkipASN1(cbasn1.INTEGER) {
		return nil, bad(c, "bad CTL sequenceNumber")
	}
	at := c
	if !readTime(&c, &l.ThisUpdate) {
		return nil, bad(at, "bad CTL thisUpdate")
	}
	if c.PeekASN1Tag(cbasn1.UTCTime) || c.PeekASN1Tag(cbasn1.GeneralizedTime) {
		at = c
		if !readTime(&c, &l.NextUpdate) {
			return nil, bad(at, "bad CTL nextUpdate")
		}
	}
	var alg cryptobyte.String
	l.AlgorithmOffset = l.off(c)
	if !c.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&l.Algorithm) {
		return nil, &Error{Offset: l.AlgorithmOffset, Reason: "bad CTL subjectAlgorithm"}
	}
	if c.PeekASN1Tag(cbasn1.SEQUENCE) && !c.ReadASN1(&l.subjects, cbasn1.SEQUENCE) {
		return nil, bad(c, "bad CTL trustedSubjects")
	}
	ext := cbasn1.Tag(0).Constructed().ContextSpecific()
	if c.PeekASN1Tag(ext) && !c.SkipASN1(ext) {
		return nil, bad(c, "bad CTL extensions")
	}
	if !c.Empty() {
		return nil, bad(c, fmt.Sprintf("%d bytes follow the CTL's fields", len(c)))
	}
	return l, nil
}

// off returns where s starts in the content: s is a window of it, and
// cryptobyte's windows keep the capacity of the bytes they were cut from,
// so the capacity shrinks by exactly the offset whatever follows s.
func (l *List) off(s cryptobyte.String) int { return cap(l.whole) - cap(s) }

// Subjects calls fn with each trusted subject in order, parsing them one at
// a time. It stops at the first error fn returns, at a subject that does
// not parse, and after max subjects (an error naming the limit), so that a
// hostile list never costs more than the caller allows.
func (l *List) Subjects(max, maxAttributes int, fn func(Subject) error) error {
	s := l.subjects
	for n := 0; !s.Empty(); n++ {
		if n == max {
			return &Error{Offset: l.off(s), Reason: fmt.Sprintf("more than %d CTL subjects", max)}
		}
		sub := Subject{Offset: l.off(s)}
		var body, id, attrs cryptobyte.String
		if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&id, cbasn1.OCTET_STRING) {
			return &Error{Offset: sub.Offset, Reason: "bad CTL trusted subject"}
		}
		sub.ID = id
		if body.PeekASN1Tag(cbasn1.SET) && !body.ReadASN1(&attrs, cbasn1.SET) {
			return &Error{Offset: sub.Offset, Reason: "bad CTL subject attributes"}
		}
		if !body.Empty() {
			return &Error{Offset: l.off(body), Reason: fmt.Sprintf("%d bytes follow a CTL subject's attributes", len(body))}
		}
		for !attrs.Empty() {
			if len(sub.Attributes) == maxAttributes {
				return &Error{Offset: l.off(attrs), Reason: fmt.Sprintf("a CTL subject has more than %d attributes", maxAttributes)}
			}
			a := Attribute{Offset: l.off(attrs)}
			var seq, vals cryptobyte.String
			if !attrs.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.Type) || !seq.ReadASN1(&vals, cbasn1.SET) || !seq.Empty() {
				return &Error{Offset: a.Offset, Reason: "bad CTL subject attribute"}
			}
			for !vals.Empty() {
				var v cryptobyte.String
				var tag cbasn1.Tag
				if !vals.ReadAnyASN1Element(&v, &tag) {
					return &Error{Offset: a.Offset, Reason: "bad CTL subject attribute value"}
				}
				a.Values = append(a.Values, v)
			}
			sub.Attributes = append(sub.Attributes, a)
		}
		if err := fn(sub); err != nil {
			return err
		}
	}
	return nil
}

func readTime(s *cryptobyte.String, t *time.Time) bool {
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		return s.ReadASN1UTCTime(t)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		return s.ReadASN1GeneralizedTime(t)
	}
	return false
}
