package verify

import (
	"slices"
	"testing"
)

// TestAttackUpdateInsecureURL: electron-updater fetches its feed and the
// update from the server app-update.yml names, and nothing makes it
// https: a Linux application (whose updaters check the download only
// against the feed's own SHA-512) or a macOS bundle whose settings named
// a generic http:// server, a github provider's protocol http or an s3
// endpoint http://… passed. Each is now file/update-insecure-url, an
// error; electron-builder's https settings pass, and dev-app-update.yml
// (read only in development) is not read.
func TestAttackUpdateInsecureURL(t *testing.T) {
	t.Parallel()
	const lin = "linux-unpacked/resources/app-update.yml"
	const mac = "mac-arm64/Chatterbox.app/Contents/Resources/app-update.yml"
	cases := []struct {
		name, path, settings string
		want                 []string
	}{
		{"a generic https server", lin, "provider: generic\nurl: https://updates.example.com/chatterbox\nupdaterCacheDirName: chatterbox-updater\n", nil},
		{"github", lin, "owner: chatterbox\nrepo: chatterbox-desktop\nprovider: github\nupdaterCacheDirName: chatterbox-updater\n", nil},
		{"an s3 bucket", lin, "provider: s3\nbucket: chatterbox-updates\nregion: eu-west-1\nupdaterCacheDirName: chatterbox-updater\n", nil},
		{"a generic http server", lin, "provider: generic\nurl: http://updates.example.com/chatterbox\n", []string{"error " + lin}},
		{"an upper-case scheme", lin, "provider: generic\nurl: HTTP://updates.example.com/chatterbox\n", []string{"error " + lin}},
		{"github over http", lin, "owner: chatterbox\nrepo: chatterbox-desktop\nprovider: github\nprotocol: http\n", []string{"error " + lin}},
		{"an s3 endpoint over http", lin, "provider: s3\nbucket: chatterbox-updates\nendpoint: http://minio.example:9000\n", []string{"error " + lin}},
		{"a macOS bundle", mac, "provider: generic\nurl: http://updates.example.com/chatterbox\n", []string{"error " + mac}},
		{"dev-app-update.yml", "linux-unpacked/resources/dev-app-update.yml", "provider: generic\nurl: http://localhost:8080\n", nil},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"linux-unpacked/chatterbox": []byte("#!/bin/sh\n"), c.path: []byte(c.settings)})
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
}
