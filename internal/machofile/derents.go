package machofile

// derTLV encodes one DER element: tag, definite length (short form below
// 128 bytes, long form above) and content.
func derTLV(tag byte, content ...[]byte) []byte {
	n := 0
	for _, c := range content {
		n += len(c)
	}
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	default:
		var l []byte
		for m := n; m > 0; m >>= 8 {
			l = append([]byte{byte(m)}, l...)
		}
		out = append(out, 0x80|byte(len(l)))
		out = append(out, l...)
	}
	for _, c := range content {
		out = append(out, c...)
	}
	return out
}

// derBoolEntitlements encodes, in Apple's DER entitlements form, a
// dictionary of keys set to true, in the order given (DER sorts a SET OF;
// callers pass keys sorted):
//
//	[APPLICATION 16] { INTEGER 1, [CONTEXT 16] SET OF SEQUENCE { UTF8String key, BOOLEAN TRUE } }
func derBoolEntitlements(keys ...string) []byte {
	var pairs [][]byte
	for _, k := range keys {
		pairs = append(pairs, derTLV(0x30, derTLV(0x0c, []byte(k)), derTLV(0x01, []byte{0xff})))
	}
	return derTLV(0x70, derTLV(0x02, []byte{0x01}), derTLV(0xb0, pairs...))
}
