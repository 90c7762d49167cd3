package blocklist

import (
	"bytes"
	_ "embed"
	"fmt"
)

// defaultJSON is the built-in list: public indicators of the 3CX compromise.
//
//go:embed default.json
var defaultJSON []byte

// DefaultSource is the Source of the entries Default returns.
const DefaultSource = "shipgate:default-blocklist"

// Default returns a new List holding the built-in entries: the public
// indicators of the March 2023 3CX supply-chain compromise — the trojanized
// ffmpeg.dll, d3dcompiler_47.dll and libffmpeg.dylib, the trojanized
// installers, and the 3CX Ltd code-signing certificate (serial
// 1b6611df9c9a4d6ecc8ed50c9b917873) within its reported compromise window,
// 2022-11-29 to 2023-03-29. Each entry names its public source in Reference.
// Callers may Merge into the returned List; each call returns a fresh one.
func Default() *List {
	l, err := parseBytes(bytes.Clone(defaultJSON), DefaultSource, LoadOptions{Format: FormatNative})
	if err != nil {
		panic(fmt.Sprintf("blocklist: built-in list does not load: %v", err))
	}
	return l
}
