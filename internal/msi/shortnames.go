package msi

import "strings"

// shortFileNames is the property that makes Windows Installer use the
// short names of files and folders ("short|long" in the File table's
// FileName and the Directory table's DefaultDir) in the target tree.
const shortFileNames = "SHORTFILENAMES"

// ShortFileNames reports whether Windows Installer installs the
// database's files and folders under their short names: its Property
// table sets SHORTFILENAMES (to any value: a property is set when it is
// not empty), or a custom action of type 51 (which sets a property while
// the installer runs) sets it. A FileName of "SETUP~1.PS1|readme.txt" is
// then installed as SETUP~1.PS1.
func (d *Database) ShortFileNames() bool {
	if t := d.Tables["Property"]; t != nil {
		k, v := t.Col("Property"), t.Col("Value")
		if k >= 0 && v >= 0 {
			for _, r := range t.Rows {
				if r[k].S == shortFileNames && r[v].S != "" {
					return true
				}
			}
		}
	}
	if t := d.Tables["CustomAction"]; t != nil {
		ty, src, tg := t.Col("Type"), t.Col("Source"), t.Col("Target")
		if ty >= 0 && src >= 0 && tg >= 0 {
			for _, r := range t.Rows {
				if r[ty].N&0x3f == 51 && strings.TrimSpace(r[src].S) == shortFileNames && r[tg].S != "" {
					return true
				}
			}
		}
	}
	return false
}

// fileName returns the name a "short|long" FileName or DefaultDir value
// installs under: the long one, or the short one when short is set.
func fileName(s string, short bool) string {
	i := strings.IndexByte(s, '|')
	switch {
	case i < 0:
		return s
	case short:
		return s[:i]
	}
	return s[i+1:]
}
