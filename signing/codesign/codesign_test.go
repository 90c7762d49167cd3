package codesign

import (
	"bytes"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

var checkTime = machofile.SignTime.AddDate(0, 1, 0)

func testTrust(t testing.TB) *signing.TrustStore {
	t.Helper()
	p := machofile.NewPKI()
	ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{p.Root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func verifyBytes(t testing.TB, b []byte, opts Options) *Result {
	t.Helper()
	r, err := Verify(bytes.NewReader(b), int64(len(b)), opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}

func rulesOf(r *Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Findings {
		if r := string(f.Rule); !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

func statusesOf(r *Result) []string {
	var out []string
	for _, s := range r.Signatures {
		out = append(out, s.Status.String())
	}
	return out
}

func dump(r *Result) string {
	var b strings.Builder
	for _, s := range r.Signatures {
		b.WriteString(s.Arch + " " + s.Status.String() + "\n")
		for _, c := range s.Checks {
			b.WriteString("  check " + string(c.Name) + " " + map[bool]string{true: "ok", false: "FAIL"}[c.OK] + ": " + c.Detail + "\n")
		}
	}
	for _, f := range r.Findings {
		b.WriteString("  finding " + string(f.Rule) + ": " + f.Message + "\n")
	}
	return b.String()
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	trust := testTrust(t)
	for _, f := range machofile.Fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			r := verifyBytes(t, f.Data, Options{Trust: trust, Time: checkTime})
			if got := statusesOf(r); strings.Join(got, ",") != strings.Join(f.Want, ",") {
				t.Errorf("statuses %v, want %v\n%s", got, f.Want, dump(r))
			}
			want := append([]string(nil), f.Rules...)
			sort.Strings(want)
			if got := rulesOf(r); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("rules %v, want %v\n%s", got, want, dump(r))
			}
		})
	}
}
