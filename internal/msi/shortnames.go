package msi

import "strings"

// shortFileNames is the property that makes Windows Installer use the
// short names of files and folders ("short|long" in the File table's
// FileName and the Directory table's DefaultDir) in the target tree.
const shortFileNames = "SHORTFILENAMES"

// ShortFileNames reports whether Windows Installer may install the
// database's files and folders under their short names: its Property
// table sets SHORTFILENAMES (to any value: a property is set when it is
// not empty), or the database sets it while the installer runs: a custom
// action of type 51, AppSearch (from a file, registry value or component
// found on the machine), FindRelatedProducts (the Upgrade table's
// ActionProperty, set when a related product is installed), a dialog's
// control bound to it or a SetProperty control event ("[SHORTFILENAMES]"
// in the ControlEvent table), or an inline script custom action naming
// it. A FileName of "SETUP~1.PS1|readme.txt" is then installed as
// SETUP~1.PS1. Only the Property table and type 51 were looked at, so a
// database setting it another way had its files checked under names it
// does not install them under (TestAttackMSIShortFileNamesSetAtRuntime).
func (d *Database) ShortFileNames() bool {
	if d.columnHas("Property", "Property", func(r []Cell, t *Table) bool {
		v := t.Col("Value")
		return v >= 0 && r[v].S != ""
	}) {
		return true
	}
	if d.columnHas("CustomAction", "Source", func(r []Cell, t *Table) bool {
		ty, tg := t.Col("Type"), t.Col("Target")
		return ty >= 0 && tg >= 0 && r[ty].N&0x3f == 51 && r[tg].S != ""
	}) {
		return true
	}
	for _, c := range [][2]string{{"AppSearch", "Property"}, {"Upgrade", "ActionProperty"}, {"Control", "Property"}} {
		if d.columnHas(c[0], c[1], nil) {
			return true
		}
	}
	if t := d.Tables["ControlEvent"]; t != nil {
		if e := t.Col("Event"); e >= 0 {
			for _, r := range t.Rows {
				if strings.TrimSpace(r[e].S) == "["+shortFileNames+"]" {
					return true
				}
			}
		}
	}
	return d.scriptSetsShortFileNames()
}

// columnHas reports whether a row of the table named table holds
// SHORTFILENAMES (spaces around it aside) in column col and meets ok, when
// given.
func (d *Database) columnHas(table, col string, ok func([]Cell, *Table) bool) bool {
	t := d.Tables[table]
	if t == nil {
		return false
	}
	c := t.Col(col)
	if c < 0 {
		return false
	}
	for _, r := range t.Rows {
		if strings.TrimSpace(r[c].S) == shortFileNames && (ok == nil || ok(r, t)) {
			return true
		}
	}
	return false
}

// scriptSetsShortFileNames reports whether a custom action whose script
// is its Target (JScript, type 37; VBScript, type 38) names
// SHORTFILENAMES, which Session.Property sets.
func (d *Database) scriptSetsShortFileNames() bool {
	t := d.Tables["CustomAction"]
	if t == nil {
		return false
	}
	ty, tg := t.Col("Type"), t.Col("Target")
	if ty < 0 || tg < 0 {
		return false
	}
	for _, r := range t.Rows {
		if k := r[ty].N & 0x3f; (k == 37 || k == 38) && strings.Contains(strings.ToUpper(r[tg].S), shortFileNames) {
			return true
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
