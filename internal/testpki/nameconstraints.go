package testpki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
)

// DirSubtree is a directoryName base for NameConstraints.
func DirSubtree(n pkix.Name) asn1.RawValue {
	der, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		panic(err)
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: der}
}

// DNSSubtree is a dNSName base for NameConstraints.
func DNSSubtree(domain string) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(domain)}
}

// EmailSubtree is an rfc822Name base for NameConstraints.
func EmailSubtree(s string) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte(s)}
}

// OtherNameSubtree is an otherName base (type oid, a UTF8String value) for
// NameConstraints, as Microsoft's UPN constraints are written.
func OtherNameSubtree(oid asn1.ObjectIdentifier, value string) asn1.RawValue {
	v, err := asn1.MarshalWithParams(value, "utf8")
	if err != nil {
		panic(err)
	}
	o, err := asn1.Marshal(oid)
	if err != nil {
		panic(err)
	}
	w, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: v})
	if err != nil {
		panic(err)
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(o, w...)}
}

type generalSubtree struct {
	Base asn1.RawValue
}

type nameConstraints struct {
	Permitted []generalSubtree `asn1:"optional,tag:0"`
	Excluded  []generalSubtree `asn1:"optional,tag:1"`
}

// NameConstraints returns a name constraints extension (2.5.29.30) with
// the given permitted and excluded subtree bases, for
// Spec.ExtraExtensions: unlike crypto/x509's template fields it writes
// directoryName and otherName subtrees.
func NameConstraints(critical bool, permitted, excluded []asn1.RawValue) pkix.Extension {
	var nc nameConstraints
	for _, b := range permitted {
		nc.Permitted = append(nc.Permitted, generalSubtree{b})
	}
	for _, b := range excluded {
		nc.Excluded = append(nc.Excluded, generalSubtree{b})
	}
	v, err := asn1.Marshal(nc)
	if err != nil {
		panic(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 30}, Critical: critical, Value: v}
}
