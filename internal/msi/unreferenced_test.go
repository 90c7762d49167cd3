package msi

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
)

// TestUnreferenced lists the streams Windows Installer does not open: a
// stream no table names, a table stream of a table the schema does not
// describe, and one whose stored name (written out) decodes to the
// cabinet's; not the tables, the cabinet, the Binary row's stream or the
// summary information.
func TestUnreferenced(t *testing.T) {
	root := BuildInstaller(Installer{
		Files:   map[string][]byte{"a.txt": []byte("a")},
		Binary:  map[string][]byte{"CA": []byte("MZ")},
		Streams: map[string][]byte{"extra": []byte("x")},
	})
	root.Children = append(root.Children,
		&cfb.Node{Name: "\x05SummaryInformation", Data: []byte("si")},
		&cfb.Node{Name: "app.cab", Data: []byte("decoy")},
		&cfb.Node{Name: EncodeName("Ghost", true), Data: []byte("t")})
	d := open(t, cfb.Build(root))
	var got []string
	for _, s := range d.Unreferenced() {
		got = append(got, s.Entry.Name)
	}
	want := []string{EncodeName("Ghost", true), "app.cab", EncodeName("extra", false)}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("unreferenced %q, want %q", got, want)
	}
}
