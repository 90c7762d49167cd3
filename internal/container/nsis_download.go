package container

import (
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/signing"
)

// nsisDownloaders are the NSIS plugins that download files while an
// installer runs, by their DLL's name in lower case: NSIS's own NSISdl,
// inetc (electron-builder's nsis-web fetches the app's package.7z with
// inetc::get), NScurl and InetLoad. A plugin call makes makensis extract
// the DLL ($PLUGINSDIR\inetc.dll), so the script's EW_EXTRACTFILE
// instructions name it.
var nsisDownloaders = map[string]string{
	"nsisdl.dll":   "NSISdl",
	"inetc.dll":    "inetc",
	"nscurl.dll":   "NScurl",
	"inetload.dll": "InetLoad",
}

// nsisDownloads reports, once per plugin, each download plugin the
// installer's instructions extract (rule nsis/download): a web installer
// runs what it downloads, which no gate of the installer has seen. An
// error, since the gate cannot vouch for the app the installer installs.
func (w *walker) nsisDownloads(files []nsis.File) {
	seen := map[string]bool{}
	for _, f := range files {
		base := f.Name[strings.LastIndexAny(f.Name, `\/`)+1:]
		plugin, ok := nsisDownloaders[strings.ToLower(base)]
		if !ok || seen[plugin] {
			continue
		}
		seen[plugin] = true
		w.add(RuleNSISDownload, signing.SeverityError, w.at, fmt.Sprintf("NSIS installer extracts the %s download plugin (instruction %d: %s): it downloads files while it installs (a web installer, such as electron-builder's nsis-web, downloads the app's package), which are not in the installer and were not checked", plugin, f.Entry, f.Name))
	}
}
