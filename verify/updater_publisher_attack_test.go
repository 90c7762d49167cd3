package verify

import (
	"maps"
	"slices"
	"testing"
)

// publisherFindings returns the file/update-publisher findings of r as
// "severity path".
func publisherFindings(r *Report) []string {
	var got []string
	for _, f := range r.Findings {
		if f.Rule == RuleUpdatePublisher {
			got = append(got, f.Severity.String()+" "+f.Path)
		}
	}
	slices.Sort(got)
	return got
}

// TestAttackUpdatePublisher: electron-updater's NsisUpdater checks an
// update's Authenticode signer against the publisherName of the
// application's resources/app-update.yml, and checks no signature at all
// when it gives none. A signed Windows application whose app-update.yml
// had no publisherName (or a null one), so that whoever serves the feed
// installs any installer, or one naming another publisher, passed: the
// settings were a data file. Each is now file/update-publisher, an error
// (a warning when the release's executables are not signed either, or
// the settings are YAML electron-builder does not write); the settings
// electron-builder writes, by CN or by full name, pass, as do a Linux
// application's and a macOS bundle's, which NsisUpdater never reads.
// Settings named in another case ("Resources/App-Update.yml"), which
// Windows finds by electron-updater's name, are read too.
func TestAttackUpdatePublisher(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	const base = "owner: chatterbox\nrepo: chatterbox-desktop\nprovider: github\nupdaterCacheDirName: chatterbox-updater\n"
	const yml = "win-unpacked/resources/app-update.yml"
	cases := []struct {
		name     string
		exe      []byte
		settings string
		want     []string
	}{
		{"electron-builder's settings", f.peValid, base + "publisherName:\n  - Example Vendor Ltd\n", nil},
		{"a full name", f.peValid, base + "publisherName: 'CN=Example Vendor Ltd, O=\"Example Vendor Ltd\"'\n", nil},
		{"one of two names", f.peValid, base + "publisherName: [Someone Else, Example Vendor Ltd]\n", nil},
		{"no publisherName", f.peValid, base, []string{"error " + yml}},
		{"a null publisherName", f.peValid, base + "publisherName: ~\n", []string{"error " + yml}},
		{"another publisher", f.peValid, base + "publisherName:\n  - Someone Else\n", []string{"error " + yml}},
		{"another organization", f.peValid, base + "publisherName: CN=Example Vendor Ltd, O=Evil Ltd\n", []string{"error " + yml}},
		{"a key .NET does not give", f.peValid, base + "publisherName: CN=Example Vendor Ltd, ST=Berlin\n", []string{"error " + yml}},
		{"no name", f.peValid, base + "publisherName: []\n", []string{"error " + yml}},
		{"a number", f.peValid, base + "publisherName: 12\n", []string{"error " + yml}},
		{"an unsigned application", f.peUnsigned, base, []string{"warning " + yml}},
		{"an alias", f.peValid, base + "x: &n Example Vendor Ltd\npublisherName: [*n]\n", []string{"warning " + yml}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"win-unpacked/Chatterbox.exe": c.exe, yml: []byte(c.settings)})
		if got := publisherFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"win-unpacked/Chatterbox.exe": f.peValid, "win-unpacked/Resources/App-Update.yml": []byte(base)})
	if got, want := publisherFindings(run(t, Options{}, dir)), []string{"error win-unpacked/Resources/App-Update.yml"}; !slices.Equal(got, want) {
		t.Errorf("settings named in another case, which Windows finds: findings %q, want %q", got, want)
	}
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"linux-unpacked/chatterbox": []byte("#!/bin/sh\n"), "linux-unpacked/resources/app-update.yml": []byte(base),
		"mac/Chatterbox.app/Contents/Resources/app-update.yml": []byte(base)})
	if got := publisherFindings(run(t, Options{}, dir)); len(got) > 0 {
		t.Errorf("Linux and macOS applications: findings %q", got)
	}
}

// TestParseDN reads publisher names as builder-util-runtime's parseDn
// reads them.
func TestParseDN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want map[string]string
	}{
		{"Example Vendor Ltd", map[string]string{}},
		{"CN=Example Vendor Ltd, O=Example", map[string]string{"CN": "Example Vendor Ltd", "O": "Example"}},
		{` CN = "A, B" ; O=x+OU=y `, map[string]string{"CN": "A, B", "O": "x", "OU": "y"}},
		{`CN=A\2CB\,C`, map[string]string{"CN": "A,B,C"}},
		{"CN=first,CN=second", map[string]string{"CN": "second"}},
		{`CN=a\`, map[string]string{"CN": "aundefined"}},
		{`CN=a\4g`, map[string]string{"CN": "a\x04"}},
	}
	for _, c := range cases {
		if got := parseDN(c.in); !maps.Equal(got, c.want) {
			t.Errorf("parseDN(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	sub := dotnetSubject(`CN=A\, Inc.,ST=Berlin,1.2.840.113549.1.9.1=#160b6140622e6578616d706c65,O=X`)
	want := map[string]string{"CN": "A, Inc.", "S": "Berlin", "E": "a@b.example", "O": "X"}
	if !maps.Equal(sub, want) {
		t.Errorf("dotnetSubject = %q, want %q", sub, want)
	}
}
