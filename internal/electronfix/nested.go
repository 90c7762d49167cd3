package electronfix

// NestedAsar returns an asar archive holding leaf's files when levels is
// 1, or an asar holding, as inner.asar, the archive NestedAsar returns for
// levels-1: an asar inside an asar, levels archives in all, which verify
// and sbom both open down to release.MaxDepth.
func NestedAsar(levels int, leaf []AsarFile) []byte {
	b, _ := PackAsar(leaf)
	for i := 1; i < levels; i++ {
		b, _ = PackAsar([]AsarFile{{Path: "inner.asar", Data: b}})
	}
	return b
}
