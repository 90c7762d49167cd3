package container

import (
	"bytes"
	"io"

	"github.com/shipgate/shipgate/internal/squirrel"
)

// innoOffsetTableID is the resource ID of an Inno Setup loader's offset
// table (RT_RCDATA 11111), and innoMagic how every version of the table
// starts ("rDlPtS" then a version, 0x87 and "eVx").
const (
	innoOffsetTableID = 11111
	innoMagic         = "rDlPtS"
)

// InnoSetup reports whether the PE file of size bytes at r is an Inno
// Setup installer: its loader finds the setup program and the compressed
// files it installs, after its sections, through an offset table kept as
// the RT_RCDATA resource 11111 (or, before Inno Setup 5.1.5, at file
// offset 0x30). shipgate does not read that format.
func InnoSetup(r io.ReaderAt, size int64) bool {
	var old [6]byte
	if n, _ := r.ReadAt(old[:], 0x30); n == len(old) && string(old[:]) == innoMagic {
		return true
	}
	rs, _ := squirrel.Resources(r, size)
	for _, res := range rs {
		if res.Err != nil || res.Type != "" || res.TypeID != squirrel.RTRCData || res.Name != "" || res.NameID != innoOffsetTableID || res.Size < int64(len(innoMagic)) {
			continue
		}
		var b [len(innoMagic)]byte
		if n, _ := r.ReadAt(b[:], res.Offset); n == len(b) && bytes.Equal(b[:], []byte(innoMagic)) {
			return true
		}
	}
	return false
}
