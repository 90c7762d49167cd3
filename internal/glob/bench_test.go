package glob

import "testing"

// BenchmarkMatchFold matches release paths, ASCII and not, against a
// policy's globs, as verify does for every file and rule.
func BenchmarkMatchFold(b *testing.B) {
	globs := []string{"**/*.dll", "Contents/Frameworks/**", "windows/installer.exe", "resources/app.asar.unpacked/**/*.node"}
	paths := []string{"win-unpacked/resources/app.asar.unpacked/node_modules/sharp/build/Release/sharp-win32-x64.node", "Chatterbox.app/Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib", "Müller Setup/Straße.dll"}
	b.ReportAllocs()
	for b.Loop() {
		for _, g := range globs {
			for _, p := range paths {
				MatchFold(g, p)
			}
		}
	}
}
