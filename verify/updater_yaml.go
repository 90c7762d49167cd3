package verify

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/internal/strictyaml"
)

// electron-updater reads its feeds and settings with js-yaml, whose
// double-quoted scalars take one escape yaml.v3 (strictyaml's parser)
// refuses: "\/", a slash, as YAML 1.2 and JSON spell it
// ("https:\/\/evil.example\/x.exe"). strictyaml refusing the file left the
// feed uncompared while electron-updater read it.

// errEscapedSlash results when YAML holds "\/" both where js-yaml reads a
// slash and where it reads two characters, which verify does not tell
// apart.
var errEscapedSlash = errors.New(`"\/" in both double-quoted and other scalars`)

// loadUpdaterYAML decodes the electron-updater YAML data into v as
// strictyaml does, reading "\/" as js-yaml does: when strictyaml refuses
// data for an unknown escape, the data is read again with each "\/"
// spelled "\x2F", the same slash in a double-quoted scalar. Elsewhere (a
// plain or single-quoted scalar) "\/" is two characters, which that
// rewrite would change: when a string read again holds "\x2F", the error
// is errEscapedSlash.
func loadUpdaterYAML(data []byte, v any) error {
	opts := strictyaml.Options{MaxSize: maxFeedSize}
	_, err := strictyaml.Unmarshal(data, v, opts)
	if err == nil || !strings.Contains(err.Error(), "unknown escape character") || !bytes.Contains(data, []byte(`\/`)) {
		return err
	}
	again := bytes.ReplaceAll(data, []byte(`\/`), []byte(`\x2F`))
	var probe any
	if _, err2 := strictyaml.Unmarshal(again, &probe, opts); err2 != nil {
		return err
	}
	if holdsString(probe, `\x2F`) {
		return fmt.Errorf("%w: %w", errEscapedSlash, err)
	}
	if _, err2 := strictyaml.Unmarshal(again, v, opts); err2 != nil {
		return err
	}
	return nil
}

// holdsString reports whether a string of the decoded YAML v (a key or a
// value) contains s.
func holdsString(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, s)
	case []any:
		for _, x := range v {
			if holdsString(x, s) {
				return true
			}
		}
	case map[string]any:
		for k, x := range v {
			if strings.Contains(k, s) || holdsString(x, s) {
				return true
			}
		}
	}
	return false
}
