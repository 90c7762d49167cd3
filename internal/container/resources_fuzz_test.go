package container

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// FuzzPEResources walks hostile PE files whose resources carry zip
// archives, MSI databases and cabinets (Squirrel's package, an MSI
// wrapper, an IExpress CABINET, a stub's own "PAYLOAD"): no panic; every
// entry, zip and finding at a path under the PE's; every zip and entry
// inside the file and read no larger than its size.
func FuzzPEResources(f *testing.F) {
	db := cfb.Build(msi.BuildInstaller(msi.Installer{Files: map[string][]byte{"app.exe": []byte("MZ evil")}}))
	cabinet := cab.Build([]cab.BuildFile{{Name: "tool.exe", Data: []byte("MZ tool")}}, cab.BuildOptions{})
	z, err := pefixtures.Zip(0, map[string][]byte{"app.exe": []byte("MZ evil")})
	if err != nil {
		f.Fatal(err)
	}
	for _, rs := range [][]squirrel.BuildResource{
		{{TypeID: squirrel.RTRCData, ID: 1, Data: db}, {Type: "FILES", Name: "TOOLS", Data: cabinet}, {TypeID: squirrel.RTRCData, ID: 3, Data: []byte("just data")}},
		{{Type: "PAYLOAD", ID: 7, Data: z}, {TypeID: 3, ID: 1, Data: []byte("PK icon? no")}},
		{{Type: "DATA", ID: squirrel.PackageID, Data: z}, {Type: "DATA", ID: 2, Data: append([]byte("stub"), z...)}},
		{{TypeID: squirrel.RTRCData, Name: "CABINET", Data: cabinet}, {TypeID: squirrel.RTRCData, Name: "RUNPROGRAM", Data: []byte("tool.exe\x00")}},
		{{Type: "../..", Name: "a/b", Data: z}},
	} {
		img, err := pefixtures.SquirrelSetup(rs)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(img)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		size := int64(len(b))
		under := func(what, p string) {
			if p != "setup.exe" && (!strings.HasPrefix(p, "setup.exe/") || strings.Contains(p+"/", "/../") || strings.Contains(p+"/", "/./")) {
				t.Fatalf("%s at %q", what, p)
			}
		}
		for _, k := range []Kind{Squirrel, IExpress} {
			Walk(context.Background(), k, bytes.NewReader(b), size, "setup.exe", nil, Visitor{
				Entry: func(e Entry) {
					under("entry", e.Path)
					if e.Size < 0 {
						t.Fatalf("entry %q of %d bytes", e.Path, e.Size)
					}
					if rc, err := e.Source.Open(); err == nil {
						n, _ := io.Copy(io.Discard, io.LimitReader(rc, e.Size+1))
						rc.Close()
						if n > e.Size {
							t.Fatalf("entry %q of %d bytes read %d", e.Path, e.Size, n)
						}
					}
				},
				Zip: func(zz Zip) {
					under("zip", zz.Path)
					if zz.Offset < 0 || zz.Size < 0 || zz.Offset+zz.Size > size {
						t.Fatalf("zip %+v outside %d bytes", zz, size)
					}
				},
				Finding: func(fd signing.Finding) {
					if fd.Path != "" {
						under("finding", fd.Path)
					}
				},
			})
		}
	})
}
