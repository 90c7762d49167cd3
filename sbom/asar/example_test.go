package asar_test

import (
	"bytes"
	"fmt"
	"io/fs"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/sbom/asar"
)

func ExampleNewReader() {
	b, _ := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"app","version":"1.0.0"}`)},
		{Path: "node_modules/@s/p/index.js", Data: []byte("module.exports = 1\n")},
	})
	ar, err := asar.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fs.WalkDir(ar, ".", func(p string, d fs.DirEntry, err error) error {
		if d.Type().IsRegular() {
			sum, err := ar.VerifyFile(p)
			fmt.Println(p, sum[:12], err)
		}
		return nil
	})
	fmt.Println(len(ar.Problems()), "problems")
	// Output:
	// node_modules/@s/p/index.js 6db33a852dd9 <nil>
	// package.json fee412776ee7 <nil>
	// 0 problems
}
