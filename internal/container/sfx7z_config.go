package container

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// The markers of a 7-Zip installer module's (7zS.sfx, 7zSD.sfx)
// configuration. 7zSfxMod's language and platform configurations start
// ";!@Install@!UTF-8:…!" and end ";!@InstallEnd@:…!".
const (
	sfx7zConfigStart = ";!@Install@!UTF-8"
	sfx7zConfigEnd   = ";!@InstallEnd@"
)

// sfx7zConfigLimit is how far into the file a configuration is looked
// for: 7zS.sfx and 7zSD.sfx take the first start marker in the file's
// first MiB (ReadDataString, in CPP/7zip/Bundles/SFXSetup/SfxSetup.cpp),
// wherever the archive lies. Every one there is read: a decoy before the
// archive does not hide the first. (Some forks read 4 MiB; the hashing
// pass's scanner looks for the marker in a PE's overlay, and a MiB of it
// costs every installer's hash less.)
const sfx7zConfigLimit = 1 << 20

// maxSFX7zConfig bounds the bytes of one configuration read.
const maxSFX7zConfig = 1 << 20

// maxSFX7zConfigs bounds the configurations read from one file (as
// an [SFX7zScanner] bounds the markers it records).
const maxSFX7zConfigs = maxSFX7zHeaders

// sfx7zCommands are the configuration keys whose values the modules run:
// 7zS.sfx and 7zSD.sfx once the archive is extracted (RunProgram, or
// ExecuteFile with ExecuteParameters; AutoInstall and AutoInstall0…9
// when started with -ai), and 7zSfxMod before it is (ExecuteOnLoad,
// PreExtract).
var sfx7zCommands = []string{"RunProgram", "ExecuteFile", "ExecuteParameters", "AutoInstall", "ExecuteOnLoad", "PreExtract"}

// sfx7zConfig notes what the 7-Zip self-extractor of size bytes at ra
// runs (rule sfx/command): the command lines of each configuration that
// starts after its sections, in its first MiB, as the module reads them
// (sfx7zConfigPairs). Keys are matched in any case. Only the 16 KiB
// before the archive were looked at, and only a key written right before
// its "=": a configuration further back, or "RunProgram = …", ran
// unnoted (TestAttackSevenZipSFXConfigVariants). Where the configurations
// start comes from the hashing pass's scanner s when it saw the file
// (nil: the overlay is read); one inside the stub's sections is not
// looked for.
func (w *walker) sfx7zConfig(ra io.ReaderAt, size int64, s *SFX7zScanner) {
	for _, cfg := range sfx7zConfigs(ra, size, s) {
		for _, p := range sfx7zConfigPairs(cfg) {
			if sfx7zCommand(p[0]) {
				w.add(RuleSFXCommand, signing.SeverityNote, w.at, fmt.Sprintf("the 7-Zip self-extractor runs %s=%s, as its configuration says", p[0], p[1]))
			}
		}
	}
}

// sfx7zConfigs returns the text of each configuration (after its start
// marker, up to its end marker) that starts after the sections of the PE
// of size bytes at ra and in its first sfx7zConfigLimit bytes, in order,
// up to maxSFX7zConfigs of them.
func sfx7zConfigs(ra io.ReaderAt, size int64, s *SFX7zScanner) []string {
	var out []string
	for _, off := range sfx7zConfigOffsets(ra, size, s) {
		cfg := make([]byte, max(0, min(size-off, maxSFX7zConfig)))
		m, _ := ra.ReadAt(cfg, off)
		if !bytes.HasPrefix(cfg[:m], []byte(sfx7zConfigStart)) {
			continue
		}
		cfg = cfg[len(sfx7zConfigStart):m]
		if j := bytes.Index(cfg, []byte(sfx7zConfigEnd)); j >= 0 {
			cfg = cfg[:j]
		}
		// The rest of the start marker: "!", or 7zSfxMod's ":…!".
		if k := bytes.IndexByte(cfg, '!'); k >= 0 && k < 64 {
			cfg = cfg[k+1:]
		}
		out = append(out, string(cfg))
	}
	return out
}

// sfx7zConfigOffsets returns where the configurations sfx7zConfigs reads
// start: as s recorded them, or found by reading the overlay.
func sfx7zConfigOffsets(ra io.ReaderAt, size int64, s *SFX7zScanner) []int64 {
	if s.saw(size) && s.peEnd > 0 && !s.marks[markSFXConfig].full {
		return s.marks[markSFXConfig].offs
	}
	var out []int64
	for at := PESectionsEnd(ra, size); at > 0 && len(out) < maxSFX7zConfigs; at++ {
		o, ok := findMarker(markSFXConfig, ra, size, at, size, nil)
		if !ok {
			break
		}
		out, at = append(out, o), o
	}
	return out
}

// sfx7zConfigPairs returns the key and value pairs of the configuration
// text s as 7-Zip's GetTextConfig reads them (CPP/Common/TextConfig.cpp):
// blanks (space, tab, CR, LF, NUL) and ";" comments to the end of the
// line between tokens, a key up to a blank or "=", blanks, "=", blanks,
// and a value in double quotes with \n, \t, \\ and \" escapes. Several
// pairs may share a line and one may span lines. Pairs read before text
// that breaks the form are returned.
func sfx7zConfigPairs(s string) [][2]string {
	var out [][2]string
	i := 0
	blank := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 }
	skip := func() bool {
		for ; i < len(s); i++ {
			if blank(s[i]) {
				continue
			}
			if s[i] != ';' {
				return true
			}
			for i < len(s) && s[i] != '\n' {
				i++
			}
			if i == len(s) {
				return false
			}
		}
		return false
	}
	for skip() {
		k := i
		for i < len(s) && !blank(s[i]) && s[i] != '=' {
			i++
		}
		key := s[k:i]
		if key == "" || !skip() || s[i] != '=' {
			return out
		}
		i++
		if !skip() || s[i] != '"' {
			return out
		}
		val, ok := sfx7zQuoted(s, &i)
		if !ok {
			return out
		}
		out = append(out, [2]string{key, val})
	}
	return out
}

// sfx7zQuoted reads the quoted value starting at s[*i] (a '"'), moving
// *i past its closing quote; ok is false when it has none.
func sfx7zQuoted(s string, i *int) (string, bool) {
	var b strings.Builder
	for j := *i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '"':
			*i = j + 1
			return b.String(), true
		case c == '\\' && j+1 < len(s):
			j++
			switch s[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '"':
				b.WriteByte(s[j])
			default:
				b.WriteByte('\\')
				b.WriteByte(s[j])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// sfx7zCommand reports whether key is one of sfx7zCommands, in any case
// (AutoInstall with a digit, too).
func sfx7zCommand(key string) bool {
	for _, k := range sfx7zCommands {
		if strings.EqualFold(key, k) || k == "AutoInstall" && len(key) == len(k)+1 && strings.EqualFold(key[:len(k)], k) && key[len(k)] >= '0' && key[len(k)] <= '9' {
			return true
		}
	}
	return false
}
