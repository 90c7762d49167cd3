package dmgfile

import (
	"bytes"

	"github.com/ulikunitz/xz"
)

// XZ compresses b as an LZMA chunk of a ULMO image: one xz stream of one
// LZMA2 block (an 8 MiB dictionary, xz's default) without a check.
func XZ(b []byte) []byte { return XZDict(b, 8<<20) }

// XZDict is XZ with a dictionary of dict bytes.
func XZDict(b []byte, dict int) []byte {
	var out bytes.Buffer
	w, err := xz.WriterConfig{NoCheckSum: true, DictCap: dict}.NewWriter(&out)
	if err != nil {
		panic(err)
	}
	if _, err := w.Write(b); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return out.Bytes()
}
