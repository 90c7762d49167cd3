package electronfix

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// AsarBlockSize is the integrity block size @electron/asar uses: 4 MiB.
const AsarBlockSize = 4 << 20

// AsarFile is one entry to pack into an asar archive.
type AsarFile struct {
	// Path is "/"-separated from the archive root; parent directories are
	// created as needed.
	Path string
	// Data is the file's content.
	Data []byte
	// Unpacked puts the bytes in the unpacked folder instead of the archive.
	Unpacked bool
	// Executable sets the header's executable flag.
	Executable bool
	// Link, when set, makes the entry a link to this path from the archive root.
	Link string
}

type asarNode struct {
	name     string
	children map[string]*asarNode
	file     *AsarFile
	offset   int64
}

// PackAsar builds an asar archive as @electron/asar does: files in path
// order, each with SHA-256 integrity in 4 MiB blocks. It returns the archive
// and the unpacked files by path (to be written under "<archive>.unpacked/").
func PackAsar(files []AsarFile) (archive []byte, unpacked map[string][]byte) {
	root := &asarNode{children: map[string]*asarNode{}}
	for i := range files {
		f := &files[i]
		n := root
		parts := strings.Split(f.Path, "/")
		for _, p := range parts[:len(parts)-1] {
			c := n.children[p]
			if c == nil {
				c = &asarNode{name: p, children: map[string]*asarNode{}}
				n.children[p] = c
			}
			n = c
		}
		n.children[parts[len(parts)-1]] = &asarNode{name: parts[len(parts)-1], file: f}
	}
	var data bytes.Buffer
	unpacked = map[string][]byte{}
	var hdr bytes.Buffer
	var emit func(n *asarNode, p string)
	emit = func(n *asarNode, p string) {
		if n.file == nil {
			hdr.WriteString(`{"files":{`)
			names := make([]string, 0, len(n.children))
			for k := range n.children {
				names = append(names, k)
			}
			sort.Strings(names)
			for i, k := range names {
				if i > 0 {
					hdr.WriteByte(',')
				}
				writeJSONString(&hdr, k)
				hdr.WriteByte(':')
				cp := k
				if p != "" {
					cp = p + "/" + k
				}
				emit(n.children[k], cp)
			}
			hdr.WriteString(`}}`)
			return
		}
		f := n.file
		if f.Link != "" {
			hdr.WriteString(`{"link":`)
			writeJSONString(&hdr, f.Link)
			hdr.WriteByte('}')
			return
		}
		hdr.WriteString(`{"size":` + strconv.Itoa(len(f.Data)))
		if f.Unpacked {
			hdr.WriteString(`,"unpacked":true`)
			unpacked[p] = f.Data
		} else {
			hdr.WriteString(`,"offset":"` + strconv.Itoa(data.Len()) + `"`)
			data.Write(f.Data)
		}
		if f.Executable {
			hdr.WriteString(`,"executable":true`)
		}
		hdr.WriteString(`,"integrity":`)
		b, _ := json.Marshal(Integrity(f.Data, AsarBlockSize))
		hdr.Write(b)
		hdr.WriteByte('}')
	}
	emit(root, "")
	return PackAsarRaw(hdr.Bytes(), data.Bytes()), unpacked
}

// AsarIntegrity is the integrity object of an asar header entry.
type AsarIntegrity struct {
	Algorithm string   `json:"algorithm"`
	Hash      string   `json:"hash"`
	BlockSize int      `json:"blockSize"`
	Blocks    []string `json:"blocks"`
}

// Integrity computes the asar integrity of data with the given block size.
func Integrity(data []byte, blockSize int) AsarIntegrity {
	in := AsarIntegrity{Algorithm: "SHA256", BlockSize: blockSize, Blocks: []string{}}
	h := sha256.Sum256(data)
	in.Hash = hex.EncodeToString(h[:])
	for off := 0; off < len(data) || off == 0; off += blockSize {
		b := sha256.Sum256(data[off:min(off+blockSize, len(data))])
		in.Blocks = append(in.Blocks, hex.EncodeToString(b[:]))
		if len(data) == 0 {
			break
		}
	}
	return in
}

// PackAsarRaw lays out a header JSON string and a data region as an asar
// archive: the size pickle, the header pickle with the JSON zero-padded to 4
// bytes, then the data. The JSON is not checked, so tests can make hostile
// archives with it.
func PackAsarRaw(header, data []byte) []byte {
	padded := (len(header) + 3) &^ 3
	payload := 4 + padded
	out := make([]byte, 16, 16+padded+len(data))
	binary.LittleEndian.PutUint32(out[0:], 4)
	binary.LittleEndian.PutUint32(out[4:], uint32(4+payload))
	binary.LittleEndian.PutUint32(out[8:], uint32(payload))
	binary.LittleEndian.PutUint32(out[12:], uint32(len(header)))
	out = append(out, header...)
	out = append(out, make([]byte, padded-len(header))...)
	return append(out, data...)
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

// PackAsarTwoHeaders lays out an asar archive whose header pickle holds
// two JSON strings: decoy at offset 16, where a reader assuming the
// payload fills the pickle looks, and then, as the pickle's payload (its
// last bytes, where base::Pickle and so Electron look), header. Both
// describe data.
func PackAsarTwoHeaders(decoy, header, data []byte) []byte {
	pad := func(s []byte) []byte { return append(bytes.Clone(s), make([]byte, (4-len(s)%4)%4)...) }
	le := binary.LittleEndian
	payload := le.AppendUint32(nil, uint32(len(header)))
	payload = append(payload, pad(header)...)
	pickle := le.AppendUint32(nil, uint32(len(payload)))
	pickle = le.AppendUint32(pickle, uint32(len(decoy)))
	pickle = append(append(pickle, pad(decoy)...), payload...)
	out := le.AppendUint32(nil, 4)
	out = le.AppendUint32(out, uint32(len(pickle)))
	return append(append(out, pickle...), data...)
}
