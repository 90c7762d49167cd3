package blocklist_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// A certificate blocked for a window of signing times: a build timestamped
// before the compromise passes, one timestamped inside it is revoked.
func Example() {
	l, err := blocklist.Parse(strings.NewReader(`version: 1
entries:
  - kind: serial
    value: "1B:66:11:DF:9C:9A:4D:6E:CC:8E:D5:0C:9B:91:78:73"
    notBefore: 2022-11-29T00:00:00Z
    notAfter: "2023-03-29"
    note: compromised build pipeline
`), "ours.yaml", blocklist.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// In a verifier the chain comes from the signature (signing.NewIdentity).
	chain := []signing.Identity{{Subject: "CN=3CX Ltd", Serial: "1b6611df9c9a4d6ecc8ed50c9b917873"}}
	for _, ts := range []string{"2022-10-03T09:00:00Z", "2023-03-13T06:41:52Z"} {
		at, _ := time.Parse(time.RFC3339, ts)
		hits := l.MatchChain(chain, at, true, blocklist.PolicyStrict)
		fmt.Println(ts, len(hits) > 0)
		for _, h := range hits {
			f := h.Finding()
			fmt.Println(f.Rule, h.Entry.Where())
		}
	}
	// Output:
	// 2022-10-03T09:00:00Z false
	// 2023-03-13T06:41:52Z true
	// signer/blocklisted ours.yaml:3
}

// Matching file hashes against an indicator list.
func ExampleList_MatchFile() {
	csv := "\ufeffIndicator,Data,Note\r\n" +
		"SHA256,c485674ee63ec8d4e8fde9800788175a8b02d3f9416d0e763360fff7f8eb4e02,WIN: ffmpeg.dll\r\n" +
		"URL,akamaicontainer[.]com,C2\r\n"
	l, err := blocklist.Parse(strings.NewReader(csv), "iocs.csv", blocklist.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range l.MatchFile(blocklist.FileHashes{SHA256: "C485674EE63EC8D4E8FDE9800788175A8B02D3F9416D0E763360FFF7F8EB4E02"}) {
		fmt.Println(h.Finding().Rule, h.Entry.Where(), h.Entry.Note)
	}
	for _, w := range l.Warnings() {
		fmt.Println(w)
	}
	// Output:
	// file/known-bad iocs.csv:2 WIN: ffmpeg.dll
	// iocs.csv: ignored indicators of types that name neither a file nor a signer: url (1)
}
