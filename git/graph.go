package git

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
)

// commitGraph is a single commit-graph file (git's
// Documentation/gitformat-commit-graph.txt) held in memory: the commit ids,
// and per commit its root tree and parents. Split graphs (chains) are left to
// go-git's reader.
type commitGraph struct {
	n     int
	oids  []byte // OIDL: n * 20
	fan   []byte // OIDF: 256 * 4
	cdat  []byte // CDAT: n * 36
	edges []byte // EDGE: extra parents of octopus merges
}

const (
	graphParentNone = 0x70000000
	graphEdgeFlag   = 0x80000000
	graphLastEdge   = 0x80000000
)

// openCommitGraph reads objects/info/commit-graph under gitDir; nil when
// there is none or it is not a version 1 SHA-1 graph.
func openCommitGraph(gitDir string) (*commitGraph, error) {
	b, err := os.ReadFile(filepath.Join(gitDir, "objects", "info", "commit-graph"))
	if err != nil {
		return nil, err
	}
	return parseCommitGraph(b)
}

func parseCommitGraph(b []byte) (*commitGraph, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("CGPH")) || b[4] != 1 || b[5] != 1 {
		return nil, fmt.Errorf("commit-graph: not a version 1 SHA-1 graph")
	}
	chunks := int(b[6])
	if b[7] != 0 {
		return nil, fmt.Errorf("commit-graph: has base graphs")
	}
	if 8+(chunks+1)*12 > len(b) {
		return nil, fmt.Errorf("commit-graph: chunk table truncated")
	}
	g := &commitGraph{}
	type chunk struct {
		id  string
		off uint64
	}
	var table []chunk
	for i := 0; i <= chunks; i++ {
		e := b[8+i*12:]
		table = append(table, chunk{string(e[:4]), binary.BigEndian.Uint64(e[4:12])})
	}
	for i := 0; i < chunks; i++ {
		start, end := table[i].off, table[i+1].off
		if start > end || end > uint64(len(b)) {
			return nil, fmt.Errorf("commit-graph: chunk %q at %d out of range", table[i].id, start)
		}
		data := b[start:end]
		switch table[i].id {
		case "OIDF":
			g.fan = data
		case "OIDL":
			g.oids = data
		case "CDAT":
			g.cdat = data
		case "EDGE":
			g.edges = data
		}
	}
	if len(g.fan) != 256*4 {
		return nil, fmt.Errorf("commit-graph: bad OIDF chunk")
	}
	g.n = int(binary.BigEndian.Uint32(g.fan[255*4:]))
	if len(g.oids) != g.n*20 || len(g.cdat) != g.n*36 {
		return nil, fmt.Errorf("commit-graph: OIDL or CDAT size does not match %d commits", g.n)
	}
	return g, nil
}

// pos returns the position of h in the graph.
func (g *commitGraph) pos(h plumbing.Hash) (int, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(binary.BigEndian.Uint32(g.fan[(int(h[0])-1)*4:]))
	}
	hi := int(binary.BigEndian.Uint32(g.fan[int(h[0])*4:]))
	if hi > g.n || lo > hi {
		return 0, false
	}
	i := lo + sort.Search(hi-lo, func(i int) bool { return bytes.Compare(g.oids[(lo+i)*20:(lo+i)*20+20], h[:]) >= 0 })
	if i >= hi || !bytes.Equal(g.oids[i*20:i*20+20], h[:]) {
		return 0, false
	}
	return i, true
}

func (g *commitGraph) oid(i uint32) (plumbing.Hash, bool) {
	var h plumbing.Hash
	if int(i) >= g.n {
		return h, false
	}
	copy(h[:], g.oids[int(i)*20:])
	return h, true
}

// commit returns the tree and parents of h; ok is false when h is not in
// the graph or its record is inconsistent.
func (g *commitGraph) commit(h plumbing.Hash) (*commitInfo, bool) {
	i, ok := g.pos(h)
	if !ok {
		return nil, false
	}
	d := g.cdat[i*36:]
	c := &commitInfo{}
	copy(c.tree[:], d[:20])
	p1 := binary.BigEndian.Uint32(d[20:])
	p2 := binary.BigEndian.Uint32(d[24:])
	if p1 != graphParentNone {
		ph, ok := g.oid(p1)
		if !ok {
			return nil, false
		}
		c.parents = append(c.parents, ph)
	}
	switch {
	case p2 == graphParentNone:
	case p2&graphEdgeFlag == 0:
		ph, ok := g.oid(p2)
		if !ok {
			return nil, false
		}
		c.parents = append(c.parents, ph)
	default:
		for e := int(p2 &^ graphEdgeFlag); ; e++ {
			if e*4+4 > len(g.edges) {
				return nil, false
			}
			v := binary.BigEndian.Uint32(g.edges[e*4:])
			ph, ok := g.oid(v &^ graphLastEdge)
			if !ok {
				return nil, false
			}
			c.parents = append(c.parents, ph)
			if v&graphLastEdge != 0 {
				break
			}
		}
	}
	return c, true
}
