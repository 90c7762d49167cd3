package container

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// The markers of a 7-Zip installer module's (7zS.sfx, 7zSD.sfx)
// configuration, which lies between the module and its archive.
const (
	sfx7zConfigStart = ";!@Install@!UTF-8!"
	sfx7zConfigEnd   = ";!@InstallEnd@!"
)

// sfx7zConfigSpan is how far before its archive a 7-Zip self-extractor's
// configuration is looked for: modules write it just before, and it is a
// few lines long.
const sfx7zConfigSpan = 16 << 10

// sfx7zCommands are the configuration keys whose values 7zS.sfx and
// 7zSD.sfx run once the archive is extracted (RunProgram, or ExecuteFile
// with ExecuteParameters; AutoInstall and AutoInstall0…9 when started
// with -ai).
var sfx7zCommands = []string{"RunProgram", "ExecuteFile", "ExecuteParameters", "AutoInstall"}

// sfx7zConfig notes what the 7-Zip self-extractor of size bytes at ra,
// whose archive starts at off, runs (rule sfx/command): the command
// lines of the configuration before the archive.
func (w *walker) sfx7zConfig(ra io.ReaderAt, off int64) {
	from := max(0, off-sfx7zConfigSpan)
	b := make([]byte, off-from)
	n, _ := ra.ReadAt(b, from)
	b = b[:n]
	i := bytes.LastIndex(b, []byte(sfx7zConfigStart))
	if i < 0 {
		return
	}
	cfg := b[i+len(sfx7zConfigStart):]
	if j := bytes.Index(cfg, []byte(sfx7zConfigEnd)); j >= 0 {
		cfg = cfg[:j]
	}
	for _, line := range strings.Split(string(cfg), "\n") {
		key, val, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || !sfx7zCommand(key) {
			continue
		}
		w.add(RuleSFXCommand, signing.SeverityNote, w.at, fmt.Sprintf("the 7-Zip self-extractor runs %s=%s once its archive is extracted", key, strings.TrimSpace(val)))
	}
}

// sfx7zCommand reports whether key is one of sfx7zCommands (AutoInstall
// with a digit, too).
func sfx7zCommand(key string) bool {
	for _, k := range sfx7zCommands {
		if key == k || k == "AutoInstall" && len(key) == len(k)+1 && strings.HasPrefix(key, k) && key[len(k)] >= '0' && key[len(k)] <= '9' {
			return true
		}
	}
	return false
}
