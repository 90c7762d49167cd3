package git

import (
	"os"
	"strings"
	"testing"
	"time"
)

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDO0VQD9TIdICZLWFWwtf7s8/aENve8twGTEmNV0myh5"

func TestParseAllowedSigners(t *testing.T) {
	t.Parallel()
	good := []struct {
		name, line string
		check      func(t *testing.T, s AllowedSigner)
	}{
		{"plain", "alice@example.com " + testKey + " comment here", func(t *testing.T, s AllowedSigner) {
			if len(s.Principals) != 1 || s.Principals[0] != "alice@example.com" || s.CertAuthority || s.Key.Type() != "ssh-ed25519" {
				t.Errorf("%+v", s)
			}
		}},
		{"quoted principals", `"alice@example.com,*@corp.example" ` + testKey, func(t *testing.T, s AllowedSigner) {
			if len(s.Principals) != 2 || s.Principals[1] != "*@corp.example" {
				t.Errorf("%+v", s.Principals)
			}
		}},
		{"options", `alice@example.com cert-authority,namespaces="git,file",valid-after="20240101",valid-before="202501021530Z" ` + testKey, func(t *testing.T, s AllowedSigner) {
			if !s.CertAuthority || strings.Join(s.Namespaces, "|") != "git|file" ||
				!s.ValidAfter.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) ||
				!s.ValidBefore.Equal(time.Date(2025, 1, 2, 15, 30, 0, 0, time.UTC)) {
				t.Errorf("%+v", s)
			}
		}},
		{"seconds", `a valid-before="20250102153045" ` + testKey, func(t *testing.T, s AllowedSigner) {
			if s.ValidBefore.Second() != 45 {
				t.Errorf("%v", s.ValidBefore)
			}
		}},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			ss, err := ParseAllowedSigners(strings.NewReader("# comment\n\n" + c.line + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(ss) != 1 || ss[0].Line != 3 {
				t.Fatalf("%+v", ss)
			}
			c.check(t, ss[0])
		})
	}
	bad := []struct{ name, line, want string }{
		{"no key", "alice@example.com", "missing"},
		{"bad key", "alice@example.com ssh-ed25519 AAAA", "key"},
		{"unknown option", `alice@example.com no-touch-required ` + testKey, "unknown option"},
		{"unquoted value", `alice@example.com namespaces=git ` + testKey, "quoted"},
		{"bad time", `alice@example.com valid-after="2024" ` + testKey, "bad time"},
		{"inverted window", `a valid-after="20250101",valid-before="20240101" ` + testKey, "not before"},
		{"open quote", `"alice ` + testKey, "quote"},
		{"type mismatch", "a ssh-rsa " + strings.Fields(testKey)[1], "does not match"},
		{"empty principal", "a,,b " + testKey, "empty principal"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseAllowedSigners(strings.NewReader("\n" + c.line + "\n"))
			if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want line 2 and %q", err, c.want)
			}
		})
	}
}

func TestMatchPatternList(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    string
		pats []string
		want bool
	}{
		{"alice@example.com", []string{"alice@example.com"}, true},
		{"alice@example.com", []string{"*@example.com"}, true},
		{"alice@example.com", []string{"*@example.com", "!alice@*"}, false},
		{"bob@example.org", []string{"*@example.com"}, false},
		{"a[1]", []string{"a[1]"}, true},
		{"git", []string{"g?t"}, true},
	} {
		if got := matchPatternList(c.s, c.pats); got != c.want {
			t.Errorf("matchPatternList(%q, %q) = %v", c.s, c.pats, got)
		}
	}
}

func FuzzParseAllowedSigners(f *testing.F) {
	f.Add("alice@example.com " + testKey + "\n")
	f.Add(`"a,b" cert-authority,namespaces="git",valid-after="20240101Z" ` + testKey + "\n# c\n")
	f.Add(`a valid-before="20250102153045" ` + testKey)
	f.Add("\"\n")
	if b, err := os.ReadFile("testdata/allowed_signers"); err == nil {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		ss, err := ParseAllowedSigners(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, a := range ss {
			if a.Key == nil || len(a.Principals) == 0 || a.Line < 1 {
				t.Fatalf("accepted an incomplete line: %+v", a)
			}
			ss.lookup(a.Key, "git", time.Unix(0, 0))
		}
	})
}

func FuzzSSHSig(f *testing.F) {
	k := newSSHKey(f)
	f.Add(k.sign([]byte("payload")))
	f.Add("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n")
	f.Fuzz(func(t *testing.T, armored string) {
		s, err := unarmorSSHSig(armored)
		if err != nil {
			return
		}
		_ = s.verify([]byte("payload"), "git")
	})
}

func FuzzParseCommit(f *testing.F) {
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\ngpgsig -----BEGIN SSH SIGNATURE-----\n x\n -----END SSH SIGNATURE-----\n\nmsg\n"))
	f.Add([]byte("object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1\ntagger A <a@b> 1 +0000\n\nm\n-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, err := parseCommit(b); err == nil && len(c.payload) > len(b) {
			t.Fatal("payload longer than the object")
		}
		if tg, err := parseTag(b); err == nil && len(tg.payload)+len(tg.sig) != len(b) {
			t.Fatal("tag split loses bytes")
		}
	})
}
