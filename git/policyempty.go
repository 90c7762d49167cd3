package git

import "fmt"

// emptyPolicyError is the error of LoadPolicy for a file that holds no YAML
// document (nothing, or only comments and markers): a policy file given on
// purpose that says nothing is a truncated or wrongly generated one, and
// reading it as the empty policy would let the audit check less than it
// was meant to without a word. An explicitly empty policy is "{}".
func emptyPolicyError(name string) error {
	return fmt.Errorf("%s: the file holds no policy (it is empty or only comments): a truncated or wrongly generated policy would protect nothing it meant to; give no policy file, or {} for an explicitly empty one", name)
}
