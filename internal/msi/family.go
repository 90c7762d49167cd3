package msi

import "strings"

// ModuleCabinet is the stream in which a merge module (.msm: a database
// with a ModuleSignature table) keeps its files, named by its File
// table's keys; a merge tool copies them into the cabinet of the MSI it
// merges the module into.
const ModuleCabinet = "MergeModule.CABinet"

// Module reports a merge module: a database with a ModuleSignature table.
func (d *Database) Module() bool { return d.Schema["ModuleSignature"] != nil }

// FamilyCabinets returns, in [Database.Streams] order, the cabinets a
// merge module or a patch keeps outside a Media table: a merge module's
// [ModuleCabinet] stream; a patch's root streams that hold a cabinet
// (start with "MSCF"), which the Media tables of the transforms it holds
// name. Nil for any other database.
func (d *Database) FamilyCabinets() []*Stream {
	var out []*Stream
	for _, s := range d.Streams {
		switch {
		case s.Table || d.Shadowed(s):
		case d.Module() && s.Name == ModuleCabinet,
			d.CLSID == PatchCLSID && !SystemStream(s.Name) && d.cabinetStream(s):
			out = append(out, s)
		}
	}
	return out
}

// cabinetStream reports whether stream s starts with a cabinet header.
func (d *Database) cabinetStream(s *Stream) bool {
	var h [4]byte
	n, _ := d.ReaderAt(s).ReadAt(h[:], 0)
	return n == len(h) && string(h[:]) == "MSCF"
}

// TransformStream reports whether s is a stream a transform (a database
// of [TransformCLSID]) applies: a table stream (the changes to that
// table), or the stream of a row of a table it changes ("Binary.Key" when
// it holds a Binary table stream). False for any other database.
func (d *Database) TransformStream(s *Stream) bool {
	if d.CLSID != TransformCLSID || d.Shadowed(s) {
		return false
	}
	if s.Table {
		return true
	}
	t, _, ok := strings.Cut(s.Name, ".")
	return ok && d.table(t) != nil
}
