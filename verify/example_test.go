package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func ExampleDetectKind() {
	fmt.Println(verify.DetectKind([]byte{0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0x00, 0x00, 0x01}))
	// Java class files share the universal Mach-O magic; the count after it
	// tells them apart.
	fmt.Println(verify.DetectKind([]byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34}))
	fmt.Println(verify.DetectKind([]byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x02}))
	// Output:
	// macho
	// other
	// macho-universal
}

func ExampleMatchGlob() {
	fmt.Println(verify.MatchGlob("**/*.dll", "resources/bin/ffmpeg.dll"))
	fmt.Println(verify.MatchGlob("*.dll", "resources/bin/ffmpeg.dll"))
	fmt.Println(verify.MatchGlob("Contents/Frameworks/**", "Contents/Frameworks/Electron Framework.framework/Electron Framework"))
	// Output:
	// true
	// false
	// true
}

func ExampleRelease() {
	dir, err := os.MkdirTemp("", "release")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("hello\n"), 0o644)

	pol, err := verify.ParsePolicy([]byte("failOn: warning\n"))
	if err != nil {
		panic(err)
	}
	r, err := verify.Release(context.Background(), verify.Options{Policy: pol}, dir)
	if err != nil {
		panic(err)
	}
	for _, f := range r.Files {
		fmt.Println(f.Path, f.Kind, f.SHA256.String()[:12])
	}
	fmt.Printf("%+v\n", r.Summary)
	report.Text(os.Stdout, r, report.Options{})
	// Output:
	// README.txt other 5891b5b522d5
	// {Files:1 Signed:0 Errors:0 Warnings:0 Passed:true}
	// PASS: 1 file (0 signed), 0 errors, 0 warnings, 0 notes
	//
	// signers
	//   (not code, no signature)      1 file
	//
	// PASS: 1 file (0 signed), 0 errors, 0 warnings, 0 notes
}
