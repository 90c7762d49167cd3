package msi

import (
	"maps"
	"slices"

	"github.com/shipgate/shipgate/internal/cfb"
)

// BuildPatch returns the compound file tree of a fixture patch (.msp): a
// root of the patch class with an MsiPatchMetadata table, the cabinets
// given as streams by name, and the transforms given as storages by name
// (each node's Name is set to its key).
func BuildPatch(cabinets map[string][]byte, transforms map[string]*cfb.Node) *cfb.Node {
	root := BuildNode([]BuildTable{{Name: "MsiPatchMetadata", Columns: []Column{{"Company", ColStr}, {"Property", ColKey}, {"Value", ColStr}},
		Rows: [][]any{{nil, "DisplayName", "Acme 1.0.1 update"}}}}, cabinets)
	root.CLSID = PatchCLSID
	for _, n := range slices.Sorted(maps.Keys(transforms)) {
		st := transforms[n]
		st.Name, st.Storage = n, true
		root.Children = append(root.Children, st)
	}
	return root
}

// BuildTransform returns the compound file tree of a fixture transform
// (.mst): a root of the transform class holding a string pool, a Binary
// table stream and summary information, and the streams given by name
// (a "Binary.Name" custom action it adds).
// Its table streams are fillers, not a transform's real layout.
func BuildTransform(streams map[string][]byte) *cfb.Node {
	root := &cfb.Node{CLSID: TransformCLSID, Children: []*cfb.Node{
		{Name: EncodeName("_StringPool", true), Data: []byte{0xe9, 0xfd, 0, 0, 5, 0, 1, 0}},
		{Name: EncodeName("_StringData", true), Data: []byte("Added")},
		{Name: EncodeName("Binary", true), Data: []byte{1, 0, 2, 0}},
		{Name: "\x05SummaryInformation", Data: []byte("summary")},
	}}
	for _, n := range slices.Sorted(maps.Keys(streams)) {
		root.Children = append(root.Children, &cfb.Node{Name: EncodeName(n, false), Data: streams[n]})
	}
	return root
}
