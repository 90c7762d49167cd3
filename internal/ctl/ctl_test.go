package ctl

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
)

var (
	usageOID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 1, 1}
	algOID   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 1, 2}
	attrOID  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 2, 1}
	at       = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

func der(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func subject(id string, attrs ...[]byte) []byte {
	body := [][]byte{testpki.TLV(0x04, []byte(id))}
	if attrs != nil {
		body = append(body, testpki.TLV(0x31, attrs...))
	}
	return testpki.TLV(0x30, body...)
}

func attr(oid asn1.ObjectIdentifier, vals ...[]byte) []byte {
	return testpki.TLV(0x30, der(oid), testpki.TLV(0x31, vals...))
}

// list builds a CTL with every optional field, then subjects, then extra
// (bytes inside the SEQUENCE after the fields).
func list(extra []byte, subjects ...[]byte) []byte {
	return testpki.TLV(0x30,
		der(1),
		testpki.TLV(0x30, der(usageOID)),
		testpki.TLV(0x04, []byte("list-id")),
		der(7),
		der(at),
		der(at.AddDate(1, 0, 0)),
		testpki.TLV(0x30, der(algOID), []byte{0x05, 0x00}),
		testpki.TLV(0x30, subjects...),
		testpki.TLV(0xa0, testpki.TLV(0x30)),
		extra,
	)
}

// TestParse reads every field and each subject with its attributes.
func TestParse(t *testing.T) {
	b := list(nil,
		subject("a", attr(attrOID, der("one"), der("two"))),
		subject("b"),
	)
	l, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != 1 || len(l.Usages) != 1 || !l.Usages[0].Equal(usageOID) || string(l.ListIdentifier) != "list-id" ||
		!l.ThisUpdate.Equal(at) || !l.NextUpdate.Equal(at.AddDate(1, 0, 0)) || !l.Algorithm.Equal(algOID) ||
		!bytes.HasPrefix(b[l.AlgorithmOffset:], testpki.TLV(0x30, der(algOID), []byte{0x05, 0x00})) {
		t.Fatalf("list %+v", l)
	}
	var got []Subject
	if err := l.Subjects(10, 10, func(s Subject) error { got = append(got, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[0].ID) != "a" || len(got[0].Attributes) != 1 || len(got[0].Attributes[0].Values) != 2 ||
		!bytes.Equal(got[0].Attributes[0].Values[1], der("two")) || string(got[1].ID) != "b" || got[1].Attributes != nil {
		t.Fatalf("subjects %+v", got)
	}
	if !bytes.HasPrefix(b[got[1].Offset:], subject("b")) || !bytes.HasPrefix(b[got[0].Attributes[0].Offset:], attr(attrOID, der("one"), der("two"))) {
		t.Errorf("offsets %d %d", got[1].Offset, got[0].Attributes[0].Offset)
	}
	stop := errors.New("stop")
	n := 0
	if err := l.Subjects(10, 10, func(Subject) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("the callback's error: %v after %d", err, n)
	}
}

// TestParseErrors breaks one field at a time; each error names its offset.
func TestParseErrors(t *testing.T) {
	good := subject("a", attr(attrOID, der("v")))
	cases := []struct {
		name   string
		b      []byte
		reason string
		at     []byte // the error's offset is where this starts (nil: 0)
	}{
		{"not a sequence", der(1), "not a SEQUENCE", nil},
		{"trailing after the sequence", append(list(nil, good), 0), "not a SEQUENCE", nil},
		{"bytes after the fields", list([]byte{0x05, 0x00}, good), "follow the CTL's fields", []byte{0x05, 0x00}},
		{"no time", testpki.TLV(0x30, testpki.TLV(0x30, der(usageOID)), testpki.TLV(0x30, der(algOID))), "thisUpdate", testpki.TLV(0x30, der(algOID))},
		{"no algorithm", testpki.TLV(0x30, testpki.TLV(0x30, der(usageOID)), der(at)), "subjectAlgorithm", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.b)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Reason, c.reason) {
				t.Fatalf("err %v, want %q", err, c.reason)
			}
			if c.at != nil && e.Offset != bytes.LastIndex(c.b, c.at) {
				t.Errorf("offset %d, want %d", e.Offset, bytes.LastIndex(c.b, c.at))
			}
		})
	}
}

// TestSubjectErrorsAndLimits: broken subjects and attributes, and the
// caller's bounds, stop the walk with an error at their offset.
func TestSubjectErrorsAndLimits(t *testing.T) {
	good := subject("a", attr(attrOID, der("v")))
	cases := []struct {
		name     string
		subjects [][]byte
		max, ma  int
		reason   string
	}{
		{"not a subject", [][]byte{good, der(1)}, 10, 10, "bad CTL trusted subject"},
		{"bytes after the attributes", [][]byte{testpki.TLV(0x30, testpki.TLV(0x04, nil), testpki.TLV(0x31), der(1))}, 10, 10, "follow a CTL subject's attributes"},
		{"bad attribute", [][]byte{subject("a", der(1))}, 10, 10, "bad CTL subject attribute"},
		{"too many subjects", [][]byte{good, good, good}, 2, 10, "more than 2 CTL subjects"},
		{"too many attributes", [][]byte{subject("a", attr(attrOID), attr(attrOID), attr(attrOID))}, 10, 2, "more than 2 attributes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := Parse(list(nil, c.subjects...))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			err = l.Subjects(c.max, c.ma, func(Subject) error { n++; return nil })
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Reason, c.reason) {
				t.Fatalf("err %v, want %q", err, c.reason)
			}
			if n > c.max {
				t.Errorf("%d subjects passed, the limit is %d", n, c.max)
			}
		})
	}
}

// FuzzParse feeds mutated lists to Parse and Subjects: no panic, offsets
// inside the input, and no more subjects than the bound.
func FuzzParse(f *testing.F) {
	f.Add(list(nil, subject("a", attr(attrOID, der("v"))), subject("b")))
	f.Add(list(nil))
	f.Add(testpki.TLV(0x30, testpki.TLV(0x30, der(usageOID)), der(at), testpki.TLV(0x30, der(algOID))))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b)
		var e *Error
		if errors.As(err, &e) && (e.Offset < 0 || e.Offset > len(b)) {
			t.Fatalf("offset %d outside %d bytes", e.Offset, len(b))
		}
		if err != nil {
			return
		}
		n := 0
		err = l.Subjects(3, 3, func(s Subject) error {
			n++
			if s.Offset < 0 || s.Offset >= len(b) || len(s.Attributes) > 3 {
				t.Fatalf("subject %+v", s)
			}
			return nil
		})
		if n > 3 || (errors.As(err, &e) && (e.Offset < 0 || e.Offset > len(b))) {
			t.Fatalf("%d subjects, err %v", n, err)
		}
	})
}
