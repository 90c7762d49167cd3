package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
// has started to hash the single-file inputs beside the run.
type sources struct {
	policy *report.Policy
	done   chan struct{}
	input  *report.Input
	err    error
}

// newSources describes paths, the inputs of a run judged by pol, hashing
// the single-file ones on another goroutine.
func newSources(paths []string, pol *Policy) *sources {
	s := &sources{policy: &report.Policy{Source: report.PolicyBuiltin}, done: make(chan struct{})}
	if pol != nil && pol.Source != nil {
		s.policy = new(*pol.Source)
	}
	go func() {
		defer close(s.done)
		parts := make([]report.Input, len(paths))
		for i, p := range paths {
			if parts[i], s.err = describeInput(p); s.err != nil {
				return
			}
		}
		if len(parts) == 1 {
			s.input = &parts[0]
		} else {
			s.input = &report.Input{Kind: report.InputMultiple, Parts: parts}
		}
	}()
	return s
}

// record waits for the inputs' digests and records the input and policy in
// r, the report of a run that ended with err.
func (s *sources) record(r *Report, err error) (*Report, error) {
	<-s.done
	if err != nil {
		return nil, err
	}
	if s.err != nil {
		return nil, s.err
	}
	r.Input, r.Policy = s.input, s.policy
	return r, nil
}

// describeInput says what the path p is and, for a single file, hashes it.
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
	head = head[:n]
	switch {
	case IsZip(head):
		in.Kind = report.InputZip
	case DetectKind(head) == KindAsar:
		in.Kind = report.InputAsar
	default:
		in.Kind = report.InputFile
	}
	h := sha256.New()
	h.Write(head)
	m, err := io.Copy(h, f)
	if err != nil {
		return in, fmt.Errorf("verify: input %s: %w", p, err)
	}
	in.Size = int64(n) + m
	in.SHA256 = hex.EncodeToString(h.Sum(nil))
	return in, nil
}
