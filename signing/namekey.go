package signing

import (
	"sync"

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
var nameKeys nameKeyCache

// nameKeyCache maps a DER name, compared byte for byte (the complete input
// of x509name.Key), to its key.
type nameKeyCache struct {
	mu sync.Mutex
	m  map[string]string
}

// key returns x509name.Key(der), remembered.
func (nc *nameKeyCache) key(der []byte) string {
	if len(der) > maxCachedName {
		return x509name.Key(der)
	}
	nc.mu.Lock()
	k, ok := nc.m[string(der)]
	nc.mu.Unlock()
	if ok {
		return k
	}
	k = x509name.Key(der)
	nc.mu.Lock()
	if nc.m == nil {
		nc.m = map[string]string{}
	}
	if len(nc.m) < maxNameKeys {
		nc.m[string(der)] = k
	}
	nc.mu.Unlock()
	return k
}
