package foldname

import (
	"hash/maphash"
)

// Hashes calls fn with the maphash (under seed) of each of name's
// distinct keys (KeysOf), folder false, and of each folder prefix of
// them (the key up to a "/"), folder true: what a first pass over a large
// archive keeps of a name instead of its keys, to find the few names that
// a Set needs to see. Each value is maphash.String(seed, s) of the key or
// prefix s. A plain name (ASCII, no element ending in a dot or a space)
// costs no allocation: its bytes are lowered into a buffer on the stack.
func Hashes(seed maphash.Seed, name string, fn func(h uint64, folder bool)) {
	if plain(name) {
		hashKey(seed, name, fn)
		return
	}
	ks := KeysOf(name)
	for i, k := range ks {
		if i == 0 || (k != ks[0] && (i < 2 || k != ks[1])) {
			hashKey(seed, k, fn)
		}
	}
}

// hashKey calls fn with the hashes of key lowered as ASCII (a key is
// already) and of its prefixes up to each "/".
func hashKey(seed maphash.Seed, key string, fn func(h uint64, folder bool)) {
	var h maphash.Hash
	h.SetSeed(seed)
	var buf [128]byte
	n := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '/' {
			h.Write(buf[:n])
			n = 0
			fn(h.Sum64(), true)
		} else if n == len(buf) {
			h.Write(buf[:n])
			n = 0
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	h.Write(buf[:n])
	fn(h.Sum64(), false)
}
