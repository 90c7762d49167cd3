package verify

// testHooks are the stand-ins a test sets on one Release call through
// Options.hooks, so that tests changing them can run in parallel. The zero
// value is the production behaviour.
type testHooks struct {
	// maxRunCatalogMembers, when positive, replaces
	// defaultMaxRunCatalogMembers.
	maxRunCatalogMembers int
}

// maxRunCatalogMembers returns the bound on the members of the release's
// catalogs the run holds.
func (e *engine) maxRunCatalogMembers() int {
	if n := e.opts.hooks.maxRunCatalogMembers; n > 0 {
		return n
	}
	return defaultMaxRunCatalogMembers
}
