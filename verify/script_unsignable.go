package verify

import (
	"context"
	"io"

	"github.com/shipgate/shipgate/signing"
)

// Batch files (.bat, .cmd), which cmd.exe runs, and Windows Script
// Components (.wsc, and .sct, which Windows registers as the same
// scriptlet file type), COM objects the Windows Script Host runs (regsvr32
// /i:http://… scrobj.dll, GetObject("script:…")), are code Windows gives no
// signature of their own: Authenticode has no subject interface package
// for batch files, and Microsoft documents script signing
// (Scripting.Signer) for .vbs, .js and .wsf only. They were other files,
// so a release's install.cmd passed `require: valid` and no forbidKinds
// could name it. They are kinds of their own now, batch and
// script-component, as .vbe and .jse are encoded-script: code to the
// policy, unsigned unless a verified catalog lists them, with a note
// saying why they carry no signature. So is an HTML Application (.hta),
// kind html-application: mshta.exe runs its scripts with the user's full
// rights, and no signature format covers it.
//
// A .wsc is XML as a .wsf is, and the Windows Script Host's subject
// interface package may accept one; no Microsoft document says so, and
// no tool shipgate cross-checks with signs one, so a signature block in a
// .wsc is not verified (the note says so): it stays unsigned.

func init() {
	nativeVerifiers[KindBatch] = verifyUnsignableScript
	nativeVerifiers[KindScriptComponent] = verifyUnsignableScript
	nativeVerifiers[KindHTMLApplication] = verifyUnsignableScript
}

// unsignableScriptKind returns the kind of the extension ext (as
// windowsExt returns it) when it is that of code with no signature format,
// or KindOther.
func unsignableScriptKind(ext string) Kind {
	switch k := scriptKindOfExt(ext); k {
	case KindBatch, KindScriptComponent, KindHTMLApplication:
		return k
	}
	return KindOther
}

// verifyUnsignableScript reports a batch file or script component as
// such: it has no signatures to verify.
func verifyUnsignableScript(_ context.Context, _ io.ReaderAt, _ int64, env verifyEnv) (*nativeResult, error) {
	what := "a batch file, which cmd.exe runs; Windows has no signature format for batch files"
	switch unsignableScriptKind(windowsExt(env.name)) {
	case KindScriptComponent:
		what = "a Windows Script Component, which the Windows Script Host runs; Microsoft documents no signature format for it (Windows signs .vbs, .js and .wsf), so no signature in it is verified"
	case KindHTMLApplication:
		what = "an HTML Application, whose scripts mshta.exe runs with the user's full rights, outside the browser's sandbox; Windows has no signature format for it"
	}
	f := signing.NewFinding(RuleScriptNoSignatureFormat, signing.SeverityNote, "the file is "+what+", so it carries none shipgate checks and its code was not checked; list the file in a signed catalog, or ship signed PowerShell or a signed executable instead")
	return &nativeResult{findings: []signing.Finding{f}}, nil
}
