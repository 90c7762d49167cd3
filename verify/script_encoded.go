package verify

import (
	"context"
	"io"

	"github.com/shipgate/shipgate/signing"
)

// Script Encoder files (.vbe, .jse: screnc.exe's output, "#@~^" then the
// encoded text) are run by the Windows Script Host as VBScript or JScript
// is. Microsoft documents script signing (Scripting.Signer, the Windows
// Script Host's subject interface packages) for .vbs, .js and .wsf only,
// and no signer writes a block into an encoded file, so shipgate verifies
// no signature in them: they are their own kind, encoded-script, code to
// the policy (unsigned unless a verified catalog lists them, so that
// `require: valid` fails them) and a kind forbidKinds can name, never an
// other file. A note says why they carry no signature.

func init() { nativeVerifiers[KindEncodedScript] = verifyEncodedScript }

// encodedScriptExt reports the extension (as windowsExt returns it) of a
// Script Encoder file.
func encodedScriptExt(ext string) bool { return ext == ".vbe" || ext == ".jse" }

// verifyEncodedScript reports an encoded script as such: it has no
// signatures to verify.
func verifyEncodedScript(_ context.Context, _ io.ReaderAt, _ int64, env verifyEnv) (*nativeResult, error) {
	lang := "VBScript"
	if windowsExt(env.name) == ".jse" {
		lang = "JScript"
	}
	f := signing.NewFinding(RuleScriptEncoded, signing.SeverityNote, "the file is "+lang+" encoded with the Script Encoder, which the Windows Script Host decodes and runs; no script signature format covers an encoded file (Windows signs .vbs, .js and .wsf), so it carries none and its code was not checked; ship the plain script, signed, or list the file in a signed catalog")
	return &nativeResult{findings: []signing.Finding{f}}, nil
}
