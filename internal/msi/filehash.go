package msi

import "encoding/binary"

// FileCheck is what a database says one file of its cabinets holds: the
// File table's FileSize, and the MsiFileHash table's MD5 of the file
// (which Windows Installer writes for unversioned files and compares with
// an installed copy to decide whether to replace it).
type FileCheck struct {
	// Size is the FileSize column, or -1 when it is null or absent.
	Size int64
	// MD5 is the file's digest from MsiFileHash, nil when the table has
	// no row for the file.
	MD5 []byte
}

// FileChecks returns the checks of the File table's files by key (the
// name of the file in a cabinet). A null hash part is taken as
// MSI_NULL_INTEGER's bits (0x80000000), the value a null stands for.
func (d *Database) FileChecks() map[string]FileCheck {
	out := map[string]FileCheck{}
	ft := d.Tables["File"]
	if ft == nil {
		return out
	}
	fk, fs := ft.Col("File"), ft.Col("FileSize")
	if fk < 0 {
		return out
	}
	for _, r := range ft.Rows {
		c := FileCheck{Size: -1}
		if fs >= 0 && !r[fs].Null {
			c.Size = int64(uint32(int32(r[fs].N)))
		}
		out[r[fk].S] = c
	}
	ht := d.Tables["MsiFileHash"]
	if ht == nil {
		return out
	}
	hk := ht.Col("File_")
	parts := [4]int{ht.Col("HashPart1"), ht.Col("HashPart2"), ht.Col("HashPart3"), ht.Col("HashPart4")}
	if hk < 0 || parts[0] < 0 || parts[1] < 0 || parts[2] < 0 || parts[3] < 0 {
		return out
	}
	for _, r := range ht.Rows {
		c, ok := out[r[hk].S]
		if !ok {
			continue // a hash of no file: nothing to compare
		}
		sum := make([]byte, 0, 16)
		for _, j := range parts {
			v := uint32(0x80000000)
			if !r[j].Null {
				v = uint32(int32(r[j].N))
			}
			sum = binary.LittleEndian.AppendUint32(sum, v)
		}
		c.MD5 = sum
		out[r[hk].S] = c
	}
	return out
}
