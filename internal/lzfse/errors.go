package lzfse

import "fmt"

// FormatError is a malformed or overflowing stream: Offset is the byte in
// the stream where the problem was found.
type FormatError struct {
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("lzfse: at byte %d: %s", e.Offset, e.Reason)
}

func errAt(off int, format string, a ...any) error {
	return &FormatError{Offset: int64(off), Reason: fmt.Sprintf(format, a...)}
}
