package asar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/signing"
)

// unownedProblems reads b and returns its ErrUnownedData problems, after
// checking that the archive's bytes are each owned exactly once.
func unownedProblems(t *testing.T, b []byte) (*Reader, []*EntryError) {
	t.Helper()
	ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkCoverage(ar, b); err != nil {
		t.Error(err)
	}
	var out []*EntryError
	for _, p := range ar.Problems() {
		if errors.Is(p, ErrUnownedData) {
			out = append(out, p)
		}
	}
	return ar, out
}

// checkCoverage checks that every byte of the archive b is owned exactly
// once: by the header (the pickles and the JSON string), the JSON's zero
// padding, the data of a readable packed file, or an unowned-data problem.
// It cannot check archives whose unowned ranges were summed up.
func checkCoverage(ar *Reader, b []byte) error {
	var unowned []*EntryError
	for _, p := range ar.Problems() {
		if errors.Is(p, ErrUnownedData) {
			unowned = append(unowned, p)
		}
	}
	if len(unowned) > maxUnownedRanges {
		return nil
	}
	count := make([]uint8, len(b))
	mark := func(off, n int64) {
		for i := off; i < off+n && i < int64(len(b)); i++ {
			count[i]++
		}
	}
	jsonEnd := jsonBase + ar.jsonLen
	mark(0, jsonEnd)
	if padEnd := min((jsonEnd+3)&^3, ar.DataOffset()); bytes.Count(b[jsonEnd:padEnd], []byte{0}) == int(padEnd-jsonEnd) {
		mark(jsonEnd, padEnd-jsonEnd)
	}
	ar.Walk(func(e *Entry) error {
		if e.Kind == KindFile && e.Err() == nil && !e.Unpacked {
			mark(ar.DataOffset()+e.Offset, e.Size)
		}
		return nil
	})
	for _, p := range unowned {
		mark(p.Offset, p.Size)
	}
	for i, c := range count {
		if c != 1 {
			return fmt.Errorf("byte 0x%x of %d is owned %d times; problems %v", i, len(b), c, ar.Problems())
		}
	}
	return nil
}

func TestUnownedTrailingDataReported(t *testing.T) {
	clean, _ := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"x"}`)},
		{Path: "index.js", Data: []byte("1")},
	})
	b := append(bytes.Clone(clean), bytes.Repeat([]byte("MZ-hidden-payload"), 200)...)
	_, probs := unownedProblems(t, b)
	if len(probs) != 1 {
		t.Fatalf("unowned problems = %v, want 1", probs)
	}
	p := probs[0]
	if p.Offset != int64(len(clean)) || p.Size != 3400 || p.Path != "." {
		t.Errorf("problem at %s offset %d size %d, want . %d 3400", p.Path, p.Offset, p.Size, len(clean))
	}
	if !strings.Contains(p.Detail, "trailing") || !strings.Contains(p.Detail, "package.json") {
		t.Errorf("detail does not say trailing data after package.json: %s", p.Detail)
	}
	f := p.Finding()
	if f.Rule != RuleUnownedData || f.Severity != signing.SeverityError || f.Offset == nil || *f.Offset != int64(len(clean)) {
		t.Errorf("finding = %+v", f)
	}
}

func TestUnownedGapBetweenEntriesReported(t *testing.T) {
	for _, c := range []struct {
		name string
		gap  int
		sev  signing.Severity
	}{
		{"small", 3, signing.SeverityWarning},
		{"threshold", UnownedPayloadSize, signing.SeverityWarning},
		{"payload", 400, signing.SeverityError},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := fmt.Sprintf(`{"files":{"a":{"size":2,"offset":"0"},"b":{"size":2,"offset":"%d"},"e":{"size":0,"offset":"2"}}}`, 2+c.gap)
			b := raw(j, "aa"+strings.Repeat("X", c.gap)+"bb")
			ar, probs := unownedProblems(t, b)
			if len(probs) != 1 {
				t.Fatalf("unowned problems = %v, want 1", probs)
			}
			p := probs[0]
			if p.Offset != ar.DataOffset()+2 || p.Size != int64(c.gap) {
				t.Errorf("problem at offset %d size %d, want %d %d", p.Offset, p.Size, ar.DataOffset()+2, c.gap)
			}
			if !strings.Contains(p.Detail, "after the data of a") || !strings.Contains(p.Detail, "before the data of b") {
				t.Errorf("detail does not name both neighbours: %s", p.Detail)
			}
			if f := p.Finding(); f.Rule != RuleUnownedData || f.Severity != c.sev {
				t.Errorf("finding %s %s, want %s %s", f.Rule, f.Severity, RuleUnownedData, c.sev)
			}
			if got, _ := ar.ReadFile("b"); string(got) != "bb" {
				t.Errorf("b = %q", got)
			}
		})
	}
}

func TestUnownedGapBeforeFirstEntryReported(t *testing.T) {
	b := raw(`{"files":{"a":{"size":2,"offset":"20"}}}`, strings.Repeat("X", 20)+"aa")
	ar, probs := unownedProblems(t, b)
	if len(probs) != 1 || probs[0].Offset != ar.DataOffset() || probs[0].Size != 20 ||
		!strings.Contains(probs[0].Detail, "start of the data region") {
		t.Fatalf("unowned problems = %v", probs)
	}
}

func TestUnownedDataWithoutFilesReported(t *testing.T) {
	b := raw(`{"files":{"u":{"size":3,"unpacked":true},"e":{"size":0,"offset":"0"}}}`, "hidden")
	ar, probs := unownedProblems(t, b)
	if len(probs) != 1 || probs[0].Offset != ar.DataOffset() || probs[0].Size != 6 {
		t.Fatalf("unowned problems = %v", probs)
	}
}

// TestUnownedSmallZeroTailIsWarning: a few zero bytes after the last file
// (as a copy tool padding to a block could leave) are reported, but as a
// warning: too small to carry a payload.
func TestUnownedSmallZeroTailIsWarning(t *testing.T) {
	clean, _ := electronfix.PackAsar(sample())
	b := append(bytes.Clone(clean), make([]byte, 4)...)
	_, probs := unownedProblems(t, b)
	if len(probs) != 1 || probs[0].Size != 4 || probs[0].Offset != int64(len(clean)) {
		t.Fatalf("unowned problems = %v", probs)
	}
	if f := probs[0].Finding(); f.Severity != signing.SeverityWarning {
		t.Errorf("severity %s, want warning", f.Severity)
	}
}

// TestPackedAsarHasNoUnownedData: archives laid out as @electron/asar lays
// them out (every JSON length modulo 4, empty, unpacked and linked files)
// have no unowned data.
func TestPackedAsarHasNoUnownedData(t *testing.T) {
	for n := range 4 {
		files := append(sample(),
			electronfix.AsarFile{Path: "pad/" + strings.Repeat("n", n+1), Data: []byte("x")},
			electronfix.AsarFile{Path: "empty", Data: nil},
			electronfix.AsarFile{Path: "native.node", Data: []byte("bin"), Unpacked: true},
			electronfix.AsarFile{Path: "ln", Link: "empty"},
		)
		b, _ := electronfix.PackAsar(files)
		ar, probs := unownedProblems(t, b)
		if len(probs) != 0 {
			t.Errorf("JSON length %d: unowned problems %v", len(ar.Header()), probs)
		}
	}
	b := raw(`{"files":{}}`, "")
	if _, probs := unownedProblems(t, b); len(probs) != 0 {
		t.Errorf("empty archive: unowned problems %v", probs)
	}
}

// headerWith returns an archive of json and data whose header pickle holds
// extra bytes after the padded JSON string: inPayload counted in the
// pickle payload, after it beyond the payload (in the header size only).
func headerWith(json, data string, inPayload, after int) []byte {
	padded := (len(json) + 3) &^ 3
	payload := 4 + padded + inPayload
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, 4)
	b = binary.LittleEndian.AppendUint32(b, uint32(4+payload+after))
	b = binary.LittleEndian.AppendUint32(b, uint32(payload))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(json)))
	b = append(b, json...)
	b = append(b, make([]byte, padded-len(json))...)
	b = append(b, bytes.Repeat([]byte{'H'}, inPayload+after)...)
	return append(b, data...)
}

func TestUnownedHeaderSlackReported(t *testing.T) {
	const j = `{"files":{"a":{"size":1,"offset":"0"}}}` // 39 bytes: 1 byte of padding
	for _, c := range []struct {
		name             string
		inPayload, after int
		sev              signing.Severity
	}{
		{"payload", 100, 0, signing.SeverityError},
		{"small", 4, 0, signing.SeverityWarning},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := headerWith(j, "a", c.inPayload, c.after)
			ar, probs := unownedProblems(t, b)
			if len(probs) != 1 {
				t.Fatalf("unowned problems = %v, want 1", probs)
			}
			p := probs[0]
			if want := int64(jsonBase + 40); p.Offset != want || p.Size != int64(c.inPayload+c.after) {
				t.Errorf("problem at offset %d size %d, want %d %d", p.Offset, p.Size, want, c.inPayload+c.after)
			}
			if !strings.Contains(p.Detail, "header") {
				t.Errorf("detail does not say header: %s", p.Detail)
			}
			if f := p.Finding(); f.Severity != c.sev {
				t.Errorf("severity %s, want %s", f.Severity, c.sev)
			}
			if got, _ := ar.ReadFile("a"); string(got) != "a" {
				t.Errorf("a = %q", got)
			}
		})
	}
}

// TestHeaderPayloadShortRefused: a header pickle whose payload is not
// all of it but the first 4 bytes is refused. base::Pickle, which
// Electron reads the header with, takes the payload to be the pickle's
// last bytes, so Electron reads the JSON string's length there, not at
// offset 12: bytes after the padded JSON (beyond the payload) are not
// slack to it but where its header starts.
func TestHeaderPayloadShortRefused(t *testing.T) {
	const j = `{"files":{"a":{"size":1,"offset":"0"}}}`
	for _, c := range []struct{ inPayload, after int }{{0, 100}, {4, 8}, {0, 4}} {
		b := headerWith(j, "a", c.inPayload, c.after)
		_, err := NewReader(bytes.NewReader(b), int64(len(b)))
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Offset != 8 || !strings.Contains(fe.Reason, "payload") {
			t.Errorf("%d bytes after the payload: error %v, want a FormatError at 8 about the payload", c.after, err)
		}
	}
}

func TestUnownedHeaderPaddingNotZeroReported(t *testing.T) {
	const j = `{"files":{"a":{"size":1,"offset":"0"}}}` // 39 bytes: 1 byte of padding
	b := raw(j, "a")
	b[jsonBase+len(j)] = 'P'
	_, probs := unownedProblems(t, b)
	if len(probs) != 1 || probs[0].Offset != int64(jsonBase+len(j)) || probs[0].Size != 1 ||
		!strings.Contains(probs[0].Detail, "not zero") {
		t.Fatalf("unowned problems = %v", probs)
	}
	if f := probs[0].Finding(); f.Severity != signing.SeverityWarning {
		t.Errorf("severity %s, want warning", f.Severity)
	}
	// Padding that is not zero and slack after it are one range.
	b = headerWith(j, "a", 40, 0)
	b[jsonBase+len(j)] = 'P'
	if _, probs := unownedProblems(t, b); len(probs) != 1 || probs[0].Size != 41 {
		t.Fatalf("unowned problems = %v", probs)
	}
}

// TestUnownedRangesCapped: many gaps are reported one by one up to the cap,
// then summed up in one more problem.
func TestUnownedRangesCapped(t *testing.T) {
	const n = 200
	var h strings.Builder
	h.WriteString(`{"files":{`)
	for i := range n {
		if i > 0 {
			h.WriteByte(',')
		}
		fmt.Fprintf(&h, `"f%03d":{"size":1,"offset":"%d"}`, i, 2*i+1)
	}
	h.WriteString(`}}`)
	b := raw(h.String(), strings.Repeat("_x", n))
	ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var probs []*EntryError
	for _, p := range ar.Problems() {
		if errors.Is(p, ErrUnownedData) {
			probs = append(probs, p)
		}
	}
	if len(probs) != maxUnownedRanges+1 {
		t.Fatalf("%d unowned problems, want %d", len(probs), maxUnownedRanges+1)
	}
	last := probs[len(probs)-1]
	if want := int64(n - maxUnownedRanges); last.Size != want || !strings.Contains(last.Detail, fmt.Sprintf("%d more ranges", want)) {
		t.Errorf("summary: size %d, %s", last.Size, last.Detail)
	}
	if f := last.Finding(); f.Severity != signing.SeverityError {
		t.Errorf("summary severity %s, want error: %d bytes in all", f.Severity, last.Size)
	}
}
