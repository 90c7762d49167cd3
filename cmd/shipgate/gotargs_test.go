package main

import (
	"strings"
	"testing"
)

// TestArgumentCountInWords: a verb given the wrong number of arguments says
// how many in words that agree with the count ("got 1 argument").
func TestArgumentCountInWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "a"}, "shipgate: diff: want OLD and NEW, got 1 argument\n"},
		{[]string{"diff", "a", "b", "c"}, "shipgate: diff: want OLD and NEW, got 3 arguments\n"},
		{[]string{"diff", "--upstream", "u.zip", "a", "b"}, "shipgate: diff: with --upstream, want one RELEASE, got 2 arguments\n"},
		{[]string{"sbom"}, "shipgate: sbom: want one PATH, got 0 arguments\n"},
		{[]string{"render", "a", "b"}, "shipgate: render: want one REPORT.json, got 2 arguments\n"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if first, _, _ := strings.Cut(errOut, "\n"); code != exitError || first+"\n" != c.want {
			t.Errorf("%v: exit %d, stderr %q, want %q first", c.args, code, errOut, c.want)
		}
	}
}
