// Package dupfix builds, for the tests of verify and sbom, installers and
// archives that hold two different files at one path: a second copy that
// may hide a trojan behind the first. Both commands must check (or
// inventory) every copy and report the repetition, as they do a zip's.
package dupfix

import (
	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// Fixture is one container, to be written as a file of a release named
// Name, whose files include the two copies given to [Installers] at the
// report path Path.
type Fixture struct {
	Name string
	Data []byte
	Path string
}

// Installers returns a 7-Zip archive, a cabinet and NSIS installer data
// (an uninstaller's: the data alone), each holding first and second at
// one path. The NSIS data extracts its first block to a.exe and b.exe
// (stored once, as makensis stores identical files), then a second block
// to b.exe: the later instruction's bytes are the ones left installed.
func Installers(first, second []byte) []Fixture {
	return []Fixture{
		{Name: "app.7z", Path: "app.7z/bin/app.exe", Data: sevenz.Build([]sevenz.BuildFile{
			{Name: `bin\app.exe`, Data: first}, {Name: "bin/app.exe", Data: second}})},
		{Name: "app.cab", Path: "app.cab/app.exe", Data: cab.Build([]cab.BuildFile{
			{Name: "app.exe", Data: first}, {Name: "app.exe", Data: second}}, cab.BuildOptions{Method: cab.MethodMSZIP})},
		{Name: "uninst.dat", Path: "uninst.dat/$INSTDIR/b.exe", Data: nsis.Build([]nsis.BuildFile{
			{Name: `$INSTDIR\a.exe`, Data: first}, {Name: `$INSTDIR\b.exe`, SetOffset: true, Offset: 0},
			{Name: `$INSTDIR\b.exe`, Data: second}}, nsis.BuildOptions{Deflate: true})},
	}
}
