package verify

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/signing"
)

// notOpenedCAB is a cabinet of a valid signed DLL, ok.dll, and evil.dll,
// the tampered one; quantum compresses the folder with Quantum (written
// stored), continued marks evil.dll as continuing into the next cabinet of
// a set (iFolder 0xFFFE).
func notOpenedCAB(t *testing.T, quantum, continued bool) []byte {
	f := getFixtures(t)
	m := cab.MethodMSZIP
	if quantum {
		m = cab.MethodQuantum
	}
	c := cab.Build([]cab.BuildFile{{Name: "ok.dll", Data: f.peValid}, {Name: "evil.dll", Data: f.peTampered}}, cab.BuildOptions{Method: m})
	if continued {
		coff := binary.LittleEndian.Uint32(c[16:])
		second := int(coff) + 16 + len("ok.dll") + 1 // the second CFFILE
		binary.LittleEndian.PutUint16(c[second+8:], 0xfffe)
	}
	return c
}

// TestAttackCABNotOpened: a cabinet whose folder is Quantum-compressed, or
// whose file continues into another cabinet of a set, holds a file shipgate
// cannot decompress; under require: valid the gate must fail with a
// cab/not-opened error at the file's path rather than pass the cabinet
// because the files it did see were valid. The same cabinet compressed
// with MSZIP, with no continued file, is opened and fails for the
// tampered DLL itself.
func TestAttackCABNotOpened(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name               string
		quantum, continued bool
	}{{"quantum", true, false}, {"continued", false, true}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"drivers.cab": notOpenedCAB(t, c.quantum, c.continued)})
			r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, "drivers.cab"))
			if r.Summary.Passed {
				t.Error("the gate passed a cabinet with a file it did not open")
			}
			if got := rulesFor(r, "drivers.cab/evil.dll"); !has(got, signing.SeverityError.String()+" "+string(RuleCABNotOpened)) {
				t.Errorf("drivers.cab/evil.dll: %q, want a cab/not-opened error", got)
			}
			if fileByPath(r, "drivers.cab/evil.dll") != nil {
				t.Error("a file not opened is in the report as if checked")
			}
		})
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"drivers.cab": notOpenedCAB(t, false, false)})
	r := run(t, Options{Policy: requireValid()}, filepath.Join(dir, "drivers.cab"))
	if got := rulesFor(r, "drivers.cab/evil.dll"); has(got, signing.SeverityError.String()+" "+string(RuleCABNotOpened)) || fileByPath(r, "drivers.cab/evil.dll") == nil {
		t.Errorf("MSZIP control: %q", got)
	}
}
