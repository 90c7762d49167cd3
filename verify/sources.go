package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/report"
)

// policySource describes a policy read from b (named name when src is
// report.PolicyFile).
func policySource(src report.PolicySource, name string, b []byte) *report.Policy {
	sum := sha256.Sum256(b)
	return &report.Policy{Source: src, Path: name, SHA256: hex.EncodeToString(sum[:])}
}

// sources records a run's input and policy in its report. Newly made, it
// has started to describe the inputs and to hash the zip archives among
// them beside the run.
type sources struct {
	policy *report.Policy
	done   chan struct{}
	parts  []report.Input
	err    error
}

// newSources describes paths, the inputs of a run judged by pol, on
// another goroutine.
func newSources(paths []string, pol *Policy) *sources {
	s := &sources{policy: &report.Policy{Source: report.PolicyBuiltin}, done: make(chan struct{})}
	if pol != nil && pol.Source != nil {
		s.policy = new(*pol.Source)
	}
	go func() {
		defer close(s.done)
		s.parts = make([]report.Input, len(paths))
		for i, p := range paths {
			if s.parts[i], s.err = describeInput(p); s.err != nil {
				return
			}
		}
	}()
	return s
}

// record waits for the inputs' descriptions and records the input and
// policy in r, the report of a run that ended with err. A single file other
// than a zip archive is a file of the report, named by its base name: its
// size and digest are those the run computed from the bytes it verified.
func (s *sources) record(r *Report, err error) (*Report, error) {
	<-s.done
	if err != nil {
		return nil, err
	}
	if s.err != nil {
		return nil, s.err
	}
	for i := range s.parts {
		in := &s.parts[i]
		if !in.Kind.Archive() || in.SHA256 != "" {
			continue
		}
		name := filepath.Base(filepath.Clean(in.Path))
		if j := slices.IndexFunc(r.Files, func(f File) bool { return f.Path == name }); j >= 0 {
			in.Size, in.SHA256 = r.Files[j].Size, r.Files[j].SHA256.String()
			continue
		}
		if in.Size, in.SHA256, err = hashFile(in.Path); err != nil {
			return nil, err
		}
	}
	r.Input = &report.Input{Kind: report.InputMultiple, Parts: s.parts}
	if len(s.parts) == 1 {
		r.Input = &s.parts[0]
	}
	r.Policy = s.policy
	return r, nil
}

// describeInput says what the path p is and hashes it when it is a zip
// archive, whose bytes the run does not hash as a whole.
func describeInput(p string) (report.Input, error) {
	in := report.Input{Path: p}
	st, err := os.Stat(p)
	if err != nil {
		return in, fmt.Errorf("verify: input: %w", err)
	}
	if st.IsDir() {
		in.Kind = report.InputDirectory
		if strings.EqualFold(filepath.Ext(filepath.Clean(p)), ".app") {
			in.Kind = report.InputAppBundle
		}
		return in, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return in, fmt.Errorf("verify: input: %w", err)
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return in, fmt.Errorf("verify: input %s: %w", p, err)
	}
	head, err = head[:n], nil
	switch {
	case IsZip(head):
		in.Kind = report.InputZip
		in.Size, in.SHA256, err = hashFile(p)
	case DetectKind(head) == KindAsar:
		in.Kind = report.InputAsar
	default:
		in.Kind = report.InputFile
	}
	return in, err
}

// hashFile returns the size and SHA-256 of the file name.
func hashFile(name string) (int64, string, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, "", fmt.Errorf("verify: input: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("verify: input %s: %w", name, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
