package msi

import (
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/cfb"
)

// Root classes of Windows Installer files, as their compound files' root
// entries (and the storages that hold them inside another database) carry
// them: {000C1084-…} a database (.msi, .msm), {000C1086-…} a patch (.msp),
// {000C1082-…} a transform (.mst).
var (
	PatchCLSID     = [16]byte{0x86, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}
	TransformCLSID = [16]byte{0x82, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}
)

// StorageClass is what a storage of a database holds, by its class
// identifier.
type StorageClass uint8

// Classes of storages.
const (
	// StorageOther is a storage of any other class (or none): Windows
	// Installer reads it only when a type 7 custom action names it.
	StorageOther StorageClass = iota
	// StorageDatabase is a nested database (class of an .msi or .msm).
	StorageDatabase
	// StoragePatch has the class of a patch (.msp).
	StoragePatch
	// StorageTransform is an embedded transform (class of an .mst),
	// applied when the TRANSFORMS property names it with a ":" prefix.
	StorageTransform
)

// String returns the class's name.
func (c StorageClass) String() string {
	switch c {
	case StorageDatabase:
		return "database"
	case StoragePatch:
		return "patch"
	case StorageTransform:
		return "transform"
	}
	return "other"
}

// Storage is a storage at the root of the database.
type Storage struct {
	// Name is the decoded name; Entry the storage as stored.
	Name  string
	Entry *cfb.Entry
}

// Class tells what the storage holds by its class identifier.
func (s *Storage) Class() StorageClass {
	switch s.Entry.CLSID {
	case CLSID:
		return StorageDatabase
	case PatchCLSID:
		return StoragePatch
	case TransformCLSID:
		return StorageTransform
	}
	return StorageOther
}

// Storage returns the root storage that Windows Installer opens by name:
// the one stored under that name, else the one whose stored name differs
// only in case (compound files compare names so), else nil. Storage names
// are stored as they are, not packed as stream names are (Windows
// Installer opens a type 7 custom action's storage by its Source
// unchanged), so a storage whose stored name only decodes to name is not
// it.
func (d *Database) Storage(name string) *Storage {
	for _, s := range d.Storages {
		if s.Entry.Name == name {
			return s
		}
	}
	for _, s := range d.Storages {
		if strings.EqualFold(s.Entry.Name, name) {
			return s
		}
	}
	return nil
}

// NestedInstall is a custom action of type 7: a concurrent installation
// of the database stored as a storage of this one.
type NestedInstall struct {
	Action string
	// Source is the storage's name as the Source column gives it;
	// Storage is nil when the database holds no such storage.
	Source  string
	Storage *Storage
	// Target is the property settings passed to the installation.
	Target string
}

// NestedInstalls returns the custom actions of type 7 (the base type 7
// with source bits 0, whatever the option bits), in action order.
func (d *Database) NestedInstalls() []NestedInstall {
	t := d.Tables["CustomAction"]
	if t == nil {
		return nil
	}
	a, ty, src, tg := t.Col("Action"), t.Col("Type"), t.Col("Source"), t.Col("Target")
	if a < 0 || ty < 0 || src < 0 {
		return nil
	}
	var out []NestedInstall
	for _, r := range t.Rows {
		if r[ty].Null || r[ty].N&0x3f != 7 {
			continue
		}
		n := NestedInstall{Action: r[a].S, Source: r[src].S}
		if tg >= 0 {
			n.Target = r[tg].S
		}
		n.Storage = d.Storage(n.Source)
		out = append(out, n)
	}
	slices.SortFunc(out, func(x, y NestedInstall) int { return strings.Compare(x.Action, y.Action) })
	return out
}
