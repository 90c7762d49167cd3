package verify

import (
	"fmt"
	"slices"
	"testing"
)

// TestAttackUpdaterURLList: electron-updater builds its URLs with new URL
// and template literals, which read any value as JavaScript's String
// does: a url written as a YAML list of one string is that string. verify
// read a list as no url at all, so app-update.yml settings whose generic
// url (or github protocol, or s3 endpoint) was [http://…] passed, though
// clients fetch the update over http. A list now reads as JavaScript
// joins it (jsCoerce): file/update-insecure-url; and a feed file's url
// written as [name] is the release's file, not one the release lacks.
func TestAttackUpdaterURLList(t *testing.T) {
	t.Parallel()
	const lin = "linux-unpacked/resources/app-update.yml"
	for _, c := range []struct {
		name, settings string
		want           []string
	}{
		{"a generic url list", "provider: generic\nurl: [http://updates.example.com/chatterbox]\n", []string{"error " + lin}},
		{"a github protocol list", "owner: o\nrepo: r\nprovider: github\nprotocol: [http]\n", []string{"error " + lin}},
		{"an s3 endpoint list", "provider: s3\nbucket: b\nendpoint: [http://minio.example:9000]\n", []string{"error " + lin}},
		{"an https url list", "provider: generic\nurl: [https://updates.example.com/chatterbox]\n", nil},
	} {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"linux-unpacked/chatterbox": []byte("#!/bin/sh\n"), lin: []byte(c.settings)})
		var got []string
		for _, f := range run(t, Options{}, dir).Findings {
			if f.Rule == RuleUpdateInsecureURL {
				got = append(got, f.Severity.String()+" "+f.Path)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
	f := getFixtures(t)
	exe := f.peValid
	feed := fmt.Sprintf("version: 1.4.1\nfiles:\n  - url: [Chatterbox-Setup-1.4.1.exe]\n    sha512: %s\n    size: %d\n", sha512B64(exe), len(exe))
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Chatterbox-Setup-1.4.1.exe": exe, "latest.yml": []byte(feed)})
	if got := feedFindings(run(t, Options{}, dir)); len(got) != 0 {
		t.Errorf("a feed url list naming the release's installer: findings %q, want none", got)
	}
	for v, want := range map[any]string{nil: "", "a": "a", 1: "1", true: "true"} {
		if got := jsCoerce(v); got != want {
			t.Errorf("jsCoerce(%v) = %q, want %q", v, got, want)
		}
	}
	if got := jsCoerce([]any{"a", nil, []any{1, "b"}, map[string]any{}}); got != "a,,1,b,[object Object]" {
		t.Errorf("jsCoerce of a nested list = %q", got)
	}
}
