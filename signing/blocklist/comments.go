package blocklist

import "bytes"

// onlyComments reports whether b, after a UTF-8 byte order mark, holds
// nothing but blank lines and lines starting with "#": the placeholder a
// user keeps for a list of their own (a hash list with no hash yet), which
// no format's detection recognizes. Loading it is refused all the same
// ([ErrNoEntries]), but saying so beats "unrecognized blocklist format".
func onlyComments(b []byte) bool {
	for _, l := range bytes.Split(bytes.TrimPrefix(b, utf8BOM), []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 && l[0] != '#' {
			return false
		}
	}
	return true
}
