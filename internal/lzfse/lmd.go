package lzfse

// lzfseBlock decodes a "bvx1" or "bvx2" block at pos and returns the offset
// after it.
func (d *decoder) lzfseBlock(src []byte, pos int, magic uint32) (int, error) {
	var h *header
	var err error
	if magic == magicV1 {
		h, err = parseV1(src, pos)
	} else {
		h, err = parseV2(src, pos)
	}
	if err != nil {
		return 0, err
	}
	if err := h.check(pos); err != nil {
		return 0, err
	}
	litAt := pos + h.size
	lmdAt := litAt + int(h.litPayload)
	end := lmdAt + int(h.lmdPayload)
	if uint64(h.size)+uint64(h.litPayload)+uint64(h.lmdPayload) > uint64(len(src)-pos) {
		return 0, errAt(pos, "block payloads of %d and %d bytes run past the stream", h.litPayload, h.lmdPayload)
	}
	if err := d.room(uint64(h.rawN), pos); err != nil {
		return 0, err
	}
	lit, err := decodeLiterals(h, src[litAt:lmdAt], litAt)
	if err != nil {
		return 0, err
	}
	start := d.n
	sub := &decoder{dst: d.dst[:start+int(h.rawN)], n: start}
	if err := sub.lmds(h, lit, src[lmdAt:end], lmdAt); err != nil {
		return 0, err
	}
	if sub.n != start+int(h.rawN) {
		return 0, errAt(pos, "block decodes to %d bytes, its header says %d", sub.n-start, h.rawN)
	}
	d.n = sub.n
	return end, nil
}

// check validates a header's counts, states and frequency tables.
func (h *header) check(pos int) error {
	switch {
	case h.nLiterals > maxLiterals:
		return errAt(pos, "block holds %d literals, over the limit of %d", h.nLiterals, maxLiterals)
	case h.nMatches > maxMatches:
		return errAt(pos, "block holds %d matches, over the limit of %d", h.nMatches, maxMatches)
	case h.lState >= nLStat || h.mState >= nMStat || h.dState >= nDStat:
		return errAt(pos, "block's initial L/M/D states %d/%d/%d are out of range", h.lState, h.mState, h.dState)
	case !checkFreq(h.litFreq[:], nLitStat) || !checkFreq(h.lFreq[:], nLStat) || !checkFreq(h.mFreq[:], nMStat) || !checkFreq(h.dFreq[:], nDStat):
		return errAt(pos, "block's frequency tables sum past their state counts")
	}
	for _, s := range h.litState {
		if s >= nLitStat {
			return errAt(pos, "block's initial literal state %d is out of range", s)
		}
	}
	return nil
}

// decodeLiterals decodes the block's literals (a multiple of four, four
// interleaved states) from payload b at stream offset off.
func decodeLiterals(h *header, b []byte, off int) ([]byte, error) {
	n := (int(h.nLiterals) + 3) &^ 3
	lit := make([]byte, n)
	if n == 0 {
		return lit, nil
	}
	r, ok := newBitReader(b, h.litBits)
	if !ok {
		return nil, errAt(off, "literal bit stream's padding (%d bits) is malformed", h.litBits)
	}
	tab := litTable(h.litFreq[:])
	st := h.litState
	for i := 0; i < n; i += 4 {
		for j := range 4 {
			e := tab[st[j]]
			if e.k < 0 {
				return nil, errAt(off, "literal %d: state %d has no symbol", i+j, st[j])
			}
			v, ok := r.pull(int(e.k))
			if !ok {
				return nil, errAt(off, "literal bit stream ends before literal %d", i+j)
			}
			lit[i+j] = e.sym
			st[j] = uint16(int(e.delta) + int(v))
		}
	}
	return lit[:h.nLiterals], nil
}

// lmds decodes the block's L/M/D triplets from payload b at stream offset
// off, copying literals and matches to the output.
func (d *decoder) lmds(h *header, lit, b []byte, off int) error {
	r, ok := newBitReader(b, h.lmdBits)
	if !ok {
		return errAt(off, "L/M/D bit stream's padding (%d bits) is malformed", h.lmdBits)
	}
	lt := valTable(nLStat, h.lFreq[:], lExtra[:], lBase[:])
	mt := valTable(nMStat, h.mFreq[:], mExtra[:], mBase[:])
	dt := valTable(nDStat, h.dFreq[:], dExtra[:], dBase[:])
	ls, ms, ds := int(h.lState), int(h.mState), int(h.dState)
	dist := 0
	for i := range int(h.nMatches) {
		l, ok1 := decodeValue(lt, &ls, r)
		m, ok2 := decodeValue(mt, &ms, r)
		dv, ok3 := decodeValue(dt, &ds, r)
		if !ok1 || !ok2 || !ok3 {
			return errAt(off, "L/M/D %d: bit stream ends or reaches an unowned state", i)
		}
		if l > len(lit) {
			return errAt(off, "L/M/D %d: %d literals, only %d left", i, l, len(lit))
		}
		if err := d.literals(lit[:l], off); err != nil {
			return err
		}
		lit = lit[l:]
		if dv != 0 {
			dist = dv
		}
		if err := d.match(dist, m, off); err != nil {
			return err
		}
	}
	return nil
}

// decodeValue decodes one value with table tab from state *s.
func decodeValue(tab []valEntry, s *int, r *bitReader) (int, bool) {
	e := tab[*s]
	if e.total < 0 {
		return 0, false
	}
	v, ok := r.pull(int(e.total))
	if !ok {
		return 0, false
	}
	*s = int(e.delta) + int(v>>e.vbits)
	return int(e.base) + int(v&(1<<e.vbits-1)), true
}
