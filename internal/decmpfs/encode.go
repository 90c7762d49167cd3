package decmpfs

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"

	"github.com/shipgate/shipgate/internal/lzfse/lzfsetest"
)

// Encode compresses data as compression type typ for fixture
// generators: it returns the com.apple.decmpfs attribute and, for the
// even types, the resource fork holding the chunks (nil otherwise).
// Types 1, 3, 4, 7, 8, 11 and 12 hold data; any other type gets a bare
// header declaring len(data) bytes, with no data.
func Encode(typ uint32, data []byte) (attr, fork []byte) {
	le := binary.LittleEndian
	attr = le.AppendUint64(le.AppendUint32([]byte("fpmc"), typ), uint64(len(data)))
	method := map[uint32]string{3: methodZlib, 4: methodZlib, 7: methodLZVN, 8: methodLZVN, 11: methodLZFSE, 12: methodLZFSE}[typ]
	switch typ {
	case 1:
		return append(attr, data...), nil
	case 3, 7, 11:
		return append(attr, compress(method, data)...), nil
	case 4, 8, 12:
	default:
		return attr, nil
	}
	var cs [][]byte
	for i := 0; i < len(data); i += ChunkSize {
		cs = append(cs, compress(method, data[i:min(i+ChunkSize, len(data))]))
	}
	if typ != 4 {
		at := 4 * (len(cs) + 1)
		for _, c := range cs {
			fork = le.AppendUint32(fork, uint32(at))
			at += len(c)
		}
		fork = le.AppendUint32(fork, uint32(at))
		return attr, append(fork, bytes.Join(cs, nil)...)
	}
	res := le.AppendUint32(nil, uint32(len(cs)))
	at := 4 + 8*len(cs)
	for _, c := range cs {
		res = le.AppendUint32(le.AppendUint32(res, uint32(at)), uint32(len(c)))
		at += len(c)
	}
	res = append(res, bytes.Join(cs, nil)...)
	be := binary.BigEndian
	const dataOff = 0x100
	fork = make([]byte, dataOff, dataOff+4+len(res)+50)
	be.PutUint32(fork, dataOff)
	be.PutUint32(fork[4:], uint32(dataOff+4+len(res)))
	be.PutUint32(fork[8:], uint32(4+len(res)))
	be.PutUint32(fork[12:], 50)
	fork = be.AppendUint32(fork, uint32(len(res)))
	fork = append(fork, res...)
	return attr, append(fork, make([]byte, 50)...) // an empty resource map
}

// compress compresses one chunk with method.
func compress(method string, c []byte) []byte {
	switch method {
	case methodLZVN:
		if len(c) == 0 {
			return []byte{0x06} // stored: a bare end-of-stream opcode would read as the marker
		}
		return lzfsetest.EncodeLZVN(c)
	case methodLZFSE:
		return lzfsetest.Encode(c, lzfsetest.V2)
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(c)
	w.Close()
	return z.Bytes()
}
