package verify

import (
	"bytes"
	"context"
	"io"
	"path"
	"strings"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// A .command or .tool file is a shell script Finder opens in Terminal,
// which runs it: a double click on Install.command in a disk image runs
// whatever it says, with the user's rights. Malware shipped in disk images
// (Shlayer's "Install.command", "Player.command") relies on it. Such a
// script was an other file, so a disk image, zip archive or package
// payload holding a signed app beside an unsigned Install.command passed
// `require: valid`, and no forbidKinds could name it. It is of the kind
// terminal-script now: code to the policy, unsigned, with a note saying
// why. macOS can sign a script, keeping the signature in the file's
// extended attributes (com.apple.cs.*), which the file systems shipgate
// reads do not expose, so no such signature is verified.
//
// A Terminal settings file (.terminal) is one too: opened, Terminal
// starts a window that runs its CommandString, or the program its Shell
// key names, so "Install.terminal" beside a signed app ran a command no
// signature covered (TestAttackTerminalSettingsCommand).
//
// So is a disk image's file with an execute bit, no extension and a "#!"
// line: Finder opens such a Unix executable file in Terminal too. Without
// a "#!" line, text still runs: the shell Terminal starts (zsh, bash) gets
// ENOEXEC from execve and runs a file with no NUL byte in its first 128
// bytes with /bin/sh, so an "Installer" holding `curl … | sh` and no "#!"
// passed (TestAttackTerminalScriptWithoutShebang). Elsewhere
// (a folder, a tarball) such files are a Unix program's scripts, not
// something Finder is meant to open, and stay other files.
//
// Inside an Apple bundle the bundle's CodeResources seal covers the
// script's bytes (a changed, added or removed file is
// codesign/resource-modified), so there it stays an other file.

// KindTerminalScript: see above.
const KindTerminalScript = report.KindTerminalScript

func init() {
	nativeVerifiers[KindTerminalScript] = verifyTerminalScript
}

// isTerminalScriptName reports whether name ends in .command, .tool or
// .terminal, in any case, as Launch Services matches extensions.
func isTerminalScriptName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".command", ".tool", ".terminal":
		return true
	}
	return false
}

// shellRuns reports whether a shell runs a file starting with hdr when
// asked to execute it: a "#!" line, or text (no NUL byte in the first 128
// bytes, which zsh reads to tell a binary; an empty file runs nothing)
// that execve refuses and the shell runs with /bin/sh.
func shellRuns(hdr []byte) bool {
	return bytes.HasPrefix(hdr, []byte("#!")) || (len(hdr) > 0 && bytes.IndexByte(hdr[:min(len(hdr), 128)], 0) < 0)
}

// verifyTerminalScript reports a Terminal shell script as such: it has no
// signature shipgate can verify.
func verifyTerminalScript(_ context.Context, _ io.ReaderAt, _ int64, env verifyEnv) (*nativeResult, error) {
	what := "a Terminal shell script (.command, .tool)"
	if strings.EqualFold(path.Ext(env.name), ".terminal") {
		what = "a Terminal settings file (.terminal), whose CommandString or Shell Terminal runs when it opens the file,"
	} else if !isTerminalScriptName(env.name) {
		what = "a disk image's script with an execute bit and no extension (a Unix executable file)"
	}
	f := signing.NewFinding(RuleScriptTerminal, signing.SeverityNote, "the file is "+what+", which Finder opens in Terminal and runs; a signature macOS keeps in its extended attributes is not verified here, so its code was not checked; ship the script inside a signed app or package, or forbid the kind terminal-script")
	return &nativeResult{findings: []signing.Finding{f}}, nil
}
