package authenticode

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
)

// TestVerifyMSIAlongside: VerifyMSI runs Options.Alongside once for a
// sound database, signed or not, and returns only after it has; not for
// a file that is no compound file, nor for one it finds malformed after
// opening it (an MsiDigitalSignatureEx stream over its limit), nor for a
// database stored in a storage (VerifyMSIStorage). VerifyCAB runs it for a
// sound cabinet, not for one whose header it refuses.
func TestVerifyMSIAlongside(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	notCFB := append([]byte("MZ not an msi"), make([]byte, 1024)...)
	bigEx := cfb.Build(msiTree(&cfb.Node{Name: msiSignatureExStream, Data: make([]byte, 2048)}))
	for name, tc := range map[string]struct {
		file    []byte
		calls   int32
		wantErr bool
	}{
		"signed":   {signMSI(t, p, msiSpec{ex: true}), 1, false},
		"unsigned": {cfb.Build(msiTree()), 1, false},
		"not-cfb":  {notCFB, 0, true},
		"big-ex":   {bigEx, 0, true},
	} {
		t.Run(name, func(t *testing.T) {
			var calls, done atomic.Int32
			opts := Options{Trust: trust, Time: fixtures.Now, Alongside: func() {
				calls.Add(1)
				time.Sleep(20 * time.Millisecond)
				done.Add(1)
			}}
			_, err := VerifyMSI(bytes.NewReader(tc.file), int64(len(tc.file)), opts)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			var fe *FormatError
			if name == "big-ex" && !errors.As(err, &fe) {
				t.Errorf("err %v, want a FormatError", err)
			}
			if calls.Load() != tc.calls || done.Load() != tc.calls {
				t.Errorf("Alongside called %d times, %d returned before VerifyMSI did; want %d", calls.Load(), done.Load(), tc.calls)
			}
		})
	}
	// VerifyCAB: run for a sound cabinet, not for a malformed header.
	cab := signCAB(t, p, nil)
	badVersion := bytes.Clone(cab)
	badVersion[25] = 2
	for name, tc := range map[string]struct {
		file  []byte
		calls int32
	}{"cab": {cab, 1}, "cab-version": {badVersion, 0}} {
		var calls, done atomic.Int32
		opts := Options{Alongside: func() {
			calls.Add(1)
			time.Sleep(20 * time.Millisecond)
			done.Add(1)
		}}
		_, err := VerifyCAB(bytes.NewReader(tc.file), int64(len(tc.file)), opts)
		if (err != nil) != (tc.calls == 0) || calls.Load() != tc.calls || done.Load() != tc.calls {
			t.Errorf("%s: err %v; Alongside called %d times, %d returned before VerifyCAB did; want %d", name, err, calls.Load(), done.Load(), tc.calls)
		}
	}
	var calls atomic.Int32
	b := cfb.Build(nestedMSITree(false))
	if _, err := VerifyMSIStorage(bytes.NewReader(b), int64(len(b)), []string{"nested"}, Options{Alongside: func() { calls.Add(1) }}); err != nil && !errors.Is(err, ErrNoStorage) {
		t.Fatal(err)
	}
	if calls.Load() != 0 {
		t.Errorf("VerifyMSIStorage ran Alongside %d times", calls.Load())
	}
}
