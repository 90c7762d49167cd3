package git

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// pieces splits s into quoted literals of n characters, each followed by
// sep.
func pieces(s string, n int, q, sep string) string {
	var parts []string
	for len(s) > 0 {
		k := min(n, len(s))
		parts = append(parts, q+s[:k]+q)
		s = s[k:]
	}
	return strings.Join(parts, sep)
}

// TestAttackBase64ShortPieces: an executable in base64 split into
// literals shorter than the wrapped scanner's tokens (an array of short
// strings joined at run time, or a "+" chain) passed as text.
func TestAttackBase64ShortPieces(t *testing.T) {
	t.Parallel()
	pe := base64.StdEncoding.EncodeToString(peHeader())
	elf := base64.RawURLEncoding.EncodeToString(elfHeader())
	gz := base64.StdEncoding.EncodeToString(append([]byte("\x1f\x8b\x08\x00"), noise(600, 3)...))
	for _, c := range []struct{ name, b string }{
		{"JS array of 4", "var a=[" + pieces(pe, 4, `"`, ",") + "].join('');\n"},
		{"JS + chain of 8", "var s = " + pieces(pe, 8, "'", " +\n  ") + ";\n"},
		{"Python list of 6", "P = [\n    " + pieces(elf, 6, "'", ",\n    ") + "\n]\n"},
		{"Go + chain of 10", "const p = " + pieces(elf, 10, `"`, " +\n\t") + "\n"},
		{"C adjacent literals of 11", "static const char *p =\n" + pieces(gz, 11, `"`, "\n") + ";\n"},
		{"after a short prefix", "var a=[" + pieces("TVqQ"+pe[4:], 3, `"`, ", ") + "];\n"},
		{"after a decoy piece", "var a=[\"x\"," + pieces(pe, 4, `"`, ",") + "];\n"},
		{"after two decoy pieces", "var a=[\"abcde\",\"Zz\"," + pieces(elf, 5, `"`, ",") + "];\n"},
	} {
		k := classify([]byte(c.b), int64(len(c.b)))
		if !k.suspicious || !strings.Contains(k.reason, "short string literals") {
			t.Errorf("%s: not reported: %+v", c.name, k)
		}
	}
}

// TestBase64ShortPiecesCleanCode: i18n tables, short id arrays, hash
// lists, CSS class lists and keyword tables are not split payloads.
func TestBase64ShortPiecesCleanCode(t *testing.T) {
	t.Parallel()
	var ids, hashes, words []string
	for i := range 2000 {
		ids = append(ids, fmt.Sprintf("%q", noiseB64(2000)[i%1990:i%1990+6]))
		hashes = append(hashes, fmt.Sprintf("'%08x'", uint32(i)*2654435761))
		words = append(words, fmt.Sprintf("%q", []string{"if", "else", "for", "while", "return", "TVqQ", "MZ"}[i%7]))
	}
	i18n := strings.Repeat(`{"en": "Hello", "de": "Hallo", "fr": "Bonjour", "es": "Hola", "it": "Ciao"},`+"\n", 300)
	css := strings.Repeat(`el.className = "btn" + " " + "btn-primary" + " " + "active" + " " + "pull-right";`+"\n", 300)
	for _, c := range []struct{ name, b string }{
		{"id array", "var ids = [" + strings.Join(ids, ",") + "];\n"},
		{"hash list", "HASHES = [" + strings.Join(hashes, ", ") + "]\n"},
		{"keyword table", "var kw = [" + strings.Join(words, ",") + "];\n"},
		{"i18n table", i18n},
		{"class names", css},
		{"minified JS", minifiedJS(256<<10, 5)},
	} {
		if k := classify([]byte(c.b), int64(len(c.b))); k.suspicious {
			t.Errorf("%s: suspicious: %s", c.name, k.reason)
		}
	}
}
