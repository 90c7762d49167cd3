package report

// InputKind says what kind of path a run was given.
type InputKind string

const (
	// InputDirectory is a directory (a release folder); it has no digest of
	// its own.
	InputDirectory InputKind = "directory"
	// InputAppBundle is a macOS .app bundle, a directory.
	InputAppBundle InputKind = "app-bundle"
	// InputZip is a zip archive given as a single file.
	InputZip InputKind = "zip"
	// InputAsar is an Electron asar archive given as a single file.
	InputAsar InputKind = "asar"
	// InputFile is any other single file (an executable, an installer).
	InputFile InputKind = "file"
	// InputArchive is a single-file archive of a format the producer does
	// not name (reports of other producers write it).
	InputArchive InputKind = "archive"
	// InputMultiple is several paths verified as one release; Input.Parts
	// lists them.
	InputMultiple InputKind = "multiple"
)

// Archive reports whether inputs of kind k are a single file: what is
// shipped is then that file's bytes, and its SHA-256 names the release.
func (k InputKind) Archive() bool {
	return k == InputZip || k == InputAsar || k == InputFile || k == InputArchive
}

// Input is what a run verified: one path, or several (InputMultiple).
type Input struct {
	// Path is the path as given, in the operating system's form; empty
	// for InputMultiple. It may be absolute; consumers that publish it
	// (attestations) reduce an absolute path to its last element.
	Path string `json:"path,omitempty"`
	// Kind is what the path is.
	Kind InputKind `json:"kind"`
	// Size and SHA256 (lowercase hex) are the length and digest of a
	// single-file input ([InputKind.Archive]); zero for directories.
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// Parts are the paths of an InputMultiple input, in the order given.
	Parts []Input `json:"parts,omitempty"`
}

// PolicySource says where a policy came from.
type PolicySource string

const (
	// PolicyBuiltin is shipgate's built-in default policy: no file.
	PolicyBuiltin PolicySource = "builtin"
	// PolicyFile is a policy file; Policy.Path names it.
	PolicyFile PolicySource = "file"
	// PolicyBytes is a policy parsed from bytes that did not come from a
	// named file (verify.ParsePolicy).
	PolicyBytes PolicySource = "bytes"
)

// Policy says which policy judged a release.
type Policy struct {
	// Source is where the policy came from.
	Source PolicySource `json:"source"`
	// Path is the policy file as given, for PolicyFile.
	Path string `json:"path,omitempty"`
	// SHA256 is the SHA-256 (lowercase hex) of the policy's bytes as read,
	// for PolicyFile and PolicyBytes; empty for the built-in policy.
	SHA256 string `json:"sha256,omitempty"`
	// Overrides lists the settings given beside the policy that changed
	// how it judged, as given on the command line ("--fail-on never",
	// "--roots extra.pem"): with any, the policy that judged is not the
	// file's bytes alone. Empty when none was given.
	Overrides []string `json:"overrides,omitempty"`
}
