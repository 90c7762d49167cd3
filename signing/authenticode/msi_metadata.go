package authenticode

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// The FILETIMEs (100 ns units since 1601) a storage's times are tolerated
// in when not zero: from 1980 to 2100, what a clock writes.
var (
	msiTimeMin = fileTime(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC))
	msiTimeMax = fileTime(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
)

func fileTime(t time.Time) uint64 {
	return uint64(t.Unix()+11644473600) * 1e7
}

// msiField is a directory entry field no digest covers.
type msiField struct {
	e    *cfb.Entry
	at   int // offset in the entry
	n    int
	what string
}

// msiUnhashedMetadata reports the storages' directory fields of the
// compound file f that no digest covers and that hold what no writer
// puts there. The streams' digest covers a storage's class identifier but
// not its state bits and times; MsiDigitalSignatureEx (ex) covers those
// too but for the root's modification time. (A stream's, and the root's
// creation time, must be zero: cfb reports them as unowned.) The state
// bits are tolerated zero and the times zero or a FILETIME between 1980
// and 2100, as msitools, msi.dll and osslsigncode write them; anything
// else is a warning, an error once the fields together could carry a
// payload.
func (v *verifier) msiUnhashedMetadata(f *cfb.File, ex bool) {
	var bad []msiField
	total := 0
	for _, e := range f.Entries {
		root := e == f.Root()
		if e.Type != cfb.TypeStorage && !root || ex && !root {
			continue
		}
		var fields []msiField
		switch {
		case root && ex:
			fields = []msiField{{e, 108, 8, "modification time"}}
		case root:
			fields = []msiField{{e, 96, 4, "state bits"}, {e, 108, 8, "modification time"}}
		default:
			fields = []msiField{{e, 96, 4, "state bits"}, {e, 100, 8, "creation time"}, {e, 108, 8, "modification time"}}
		}
		for _, fl := range fields {
			if !msiFieldTolerated(e.Raw[fl.at : fl.at+fl.n]) {
				bad = append(bad, fl)
				total += fl.n
			}
		}
	}
	payload := total > cms.MaxToleratedTotal
	for _, fl := range bad {
		sev := signing.SeverityWarning
		if payload {
			sev = signing.SeverityError
		}
		v.finding(RuleMSIUnhashedMetadata, sev, -1, fl.e.Offset+int64(fl.at),
			fmt.Sprintf("storage %q: its %s (%d bytes at offset %d of its directory entry) holds %x, which no writer puts there and no digest covers",
				fl.e.Name, fl.what, fl.n, fl.at, fl.e.Raw[fl.at:fl.at+fl.n]))
	}
	if payload {
		sub := v.sub.(*msiSubject)
		sub.problems = append(sub.problems, fmt.Sprintf("%d bytes of storages' state bits and times that no digest covers", total))
	}
}

// msiFieldTolerated reports whether b, state bits (4 bytes) or a FILETIME
// (8), holds what writers put there.
func msiFieldTolerated(b []byte) bool {
	if len(b) == 4 {
		return binary.LittleEndian.Uint32(b) == 0
	}
	t := binary.LittleEndian.Uint64(b)
	return t == 0 || t >= msiTimeMin && t < msiTimeMax
}
