package signing

import (
	"github.com/shipgate/shipgate/internal/memo"
	"github.com/shipgate/shipgate/internal/x509name"
)

// maxNameKeys bounds the name keys remembered; names met after it is full
// are canonicalised every time.
const maxNameKeys = 4096

// maxCachedName is the longest DER name whose key is remembered.
const maxCachedName = 2048

// nameKeys remembers the x509name.Key of the names chains are built from:
// every file of a release names the same issuers, which were
// canonicalised again (parsed, case-folded, re-encoded) at each step of
// each chain.
var nameKeys = nameKeyCache{m: memo.Bounded[string, string]{Max: maxNameKeys}}

// nameKeyCache maps a DER name, compared byte for byte (the complete input
// of x509name.Key), to its key.
type nameKeyCache struct {
	m memo.Bounded[string, string]
}

// key returns x509name.Key(der), remembered.
func (nc *nameKeyCache) key(der []byte) string {
	if len(der) > maxCachedName {
		return x509name.Key(der)
	}
	if k, ok := nc.m.Get(string(der)); ok {
		return k
	}
	k := x509name.Key(der)
	nc.m.Put(string(der), k)
	return k
}
