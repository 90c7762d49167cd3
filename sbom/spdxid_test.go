package sbom

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	spdxjson "github.com/spdx/tools-golang/json"
)

// collidingPaths finds two binary paths, "lib/a<X>b.dll" with X a run of
// characters an SPDXID cannot hold, whose refs spdxID maps to one ID: same
// sanitized tail, same 32-bit hash (a birthday search, about 2^16 tries).
func collidingPaths(t *testing.T) (string, string) {
	t.Helper()
	const alphabet = " !#$%&()+,;=@[]^_"
	seen := map[string]string{}
	for i := 0; i < 1<<22; i++ {
		var x strings.Builder
		for n := i; ; n /= len(alphabet) {
			x.WriteByte(alphabet[n%len(alphabet)])
			if n < len(alphabet) {
				break
			}
		}
		p := "lib/a" + x.String() + "b.dll"
		id := string(spdxID("file:" + p))
		if q, ok := seen[id]; ok {
			return q, p
		}
		seen[id] = p
	}
	t.Fatal("no collision found")
	return "", ""
}

// spdxIDsOf exports inv as SPDX and returns the SPDXID of each binary by
// path, failing on a duplicate ID or a relationship to an unknown element.
func spdxIDsOf(t *testing.T, inv *Inventory) (map[string]string, []byte) {
	t.Helper()
	var out bytes.Buffer
	if err := Export(&out, inv, FormatSPDXJSON, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	doc, err := spdxjson.Read(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]string{}
	seen := map[string]bool{}
	for _, p := range doc.Packages {
		id := string(p.PackageSPDXIdentifier)
		if seen[id] {
			t.Errorf("SPDXID %s used twice", id)
		}
		seen[id] = true
		if p.PackageFileName != "" {
			byPath[p.PackageFileName] = id
		}
	}
	contains := map[string]bool{}
	for _, r := range doc.Relationships {
		if !seen[string(r.RefB.ElementRefID)] && r.RefB.ElementRefID != "DOCUMENT" {
			t.Errorf("relationship to unknown %s", r.RefB.ElementRefID)
		}
		if r.Relationship == "CONTAINS" {
			contains[string(r.RefB.ElementRefID)] = true
		}
	}
	for p, id := range byPath {
		if !contains[id] {
			t.Errorf("%s (%s): no CONTAINS relationship", p, id)
		}
	}
	return byPath, out.Bytes()
}

func binariesInv(paths ...string) *Inventory {
	inv := &Inventory{Layout: LayoutFiles, App: App{Name: "acme", Version: "1.0.0"}}
	for i, p := range paths {
		inv.Binaries = append(inv.Binaries, Binary{Path: p, Kind: "pe", Size: int64(i + 1), SHA256: hex.EncodeToString(bytes.Repeat([]byte{byte(i)}, 32))})
	}
	return inv
}

// TestAttackSPDXIDCollision: two binaries whose paths differ only in
// characters an SPDXID cannot hold and whose refs share the 32-bit hash got
// one SPDXID, so the document described one of them twice and the other not
// at all. The second, in path order, now gets "-2", in either input order.
func TestAttackSPDXIDCollision(t *testing.T) {
	t.Parallel()
	p, q := collidingPaths(t)
	if q < p {
		p, q = q, p
	}
	ids, out := spdxIDsOf(t, binariesInv(p, q))
	if len(ids) != 2 || ids[p] == ids[q] {
		t.Fatalf("SPDXIDs %v", ids)
	}
	if want := string(spdxID("file:"+p)) + "-2"; ids[q] != want {
		t.Errorf("%q: SPDXID %s, want %s", q, ids[q], want)
	}
	ids2, _ := spdxIDsOf(t, binariesInv(q, p))
	if ids2[p] != ids[p] || ids2[q] != ids[q] {
		t.Errorf("input order changed the IDs: %v, %v", ids, ids2)
	}
	if _, again := spdxIDsOf(t, binariesInv(p, q)); !bytes.Equal(out, again) {
		t.Error("two exports differ")
	}
}

// TestSPDXIDsDistinctPaths: paths that sanitize alike but hash apart keep
// their plain IDs, with no counter.
func TestSPDXIDsDistinctPaths(t *testing.T) {
	t.Parallel()
	paths := []string{"lib/a b.dll", "lib/a_b.dll", "lib/a+b.dll", "lib/a-b.dll"}
	ids, _ := spdxIDsOf(t, binariesInv(paths...))
	for _, p := range paths {
		if want := string(spdxID("file:" + p)); ids[p] != want {
			t.Errorf("%q: SPDXID %s, want %s", p, ids[p], want)
		}
	}
}
