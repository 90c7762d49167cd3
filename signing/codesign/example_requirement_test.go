package codesign_test

import (
	"fmt"

	"github.com/shipgate/shipgate/signing/codesign"
)

// A requirement in the text form of csreq(1) compiles to the binary form a
// signature carries, and prints as `codesign -d -r-` prints it.
func ExampleCompileRequirement() {
	r, err := codesign.CompileRequirement(`anchor apple generic and certificate leaf[subject.OU] = "ABCDE12345" and (identifier "com.example.app" or identifier "com.example.helper")`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r)
	b, _ := r.MarshalBinary()
	back, _ := codesign.ParseRequirement(b)
	fmt.Println(len(b), back.String() == r.String())

	_, err = codesign.CompileRequirement(`certificate leaf[subject.OU] =`)
	fmt.Println(err)
	// Output:
	// anchor apple generic and certificate leaf[subject.OU] = ABCDE12345 and (identifier "com.example.app" or identifier "com.example.helper")
	// 124 true
	// codesign: requirement text: expected a value, found "end of text" (at offset 0x1e)
}
