package verify

import "encoding/binary"

// zipUnicodePathID is the tag of Info-ZIP's Unicode Path extra field: a
// version byte (1), the CRC-32 of the header's name and the name in UTF-8.
// Go's archive/zip ignores it; unzip, 7-Zip and bsdtar extract the entry
// under the name it gives (when the CRC-32 matches the header's name).
const zipUnicodePathID = 0x7075

// zipUnicodePath returns the name the Unicode Path field of the extra
// field block extra gives, if it has one that differs from name. The CRC
// is not compared: a field that extractors would ignore is still a second
// name a tool may use, and the entry is reported rather than checked
// under one of them.
func zipUnicodePath(extra []byte, name string) (string, bool) {
	for len(extra) >= 4 {
		tag, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return "", false
		}
		if tag == zipUnicodePathID && n >= 5 {
			if p := string(extra[5:n]); p != name {
				return p, true
			}
		}
		extra = extra[n:]
	}
	return "", false
}
