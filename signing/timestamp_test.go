package signing

import (
	"strings"
	"testing"
	"time"
)

func TestTimestampCounts(t *testing.T) {
	t.Parallel()
	var none *Timestamp
	cases := []struct {
		name string
		ts   *Timestamp
		want bool
	}{
		{"absent", none, false},
		{"unverified", &Timestamp{}, false},
		{"verified", &Timestamp{Verified: true}, true},
		{"disregarded", &Timestamp{Verified: true, Disregarded: "authority blocklisted"}, false},
	}
	for _, tc := range cases {
		if got := tc.ts.Counts(); got != tc.want {
			t.Errorf("%s: Counts() = %t, want %t", tc.name, got, tc.want)
		}
	}
	auth := &Identity{Subject: "CN=TSA"}
	if got := (&Timestamp{Authority: auth}).AuthorityChain(); len(got) != 1 || got[0].Subject != "CN=TSA" {
		t.Errorf("AuthorityChain without a chain: %+v", got)
	}
	if got := (&Timestamp{Authority: auth, Chain: []Identity{*auth, {Subject: "CN=Root"}}}).AuthorityChain(); len(got) != 2 {
		t.Errorf("AuthorityChain with a chain: %+v", got)
	}
}

func TestValidityProblem(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	id := func(name string, from, to time.Time) Identity {
		return Identity{Subject: name, NotBefore: from, NotAfter: to}
	}
	leaf := id("CN=Leaf", t0, t0.AddDate(1, 0, 0))
	inter := id("CN=Inter", t0, t0.AddDate(3, 0, 0))
	oldRoot := id("CN=Root", t0.AddDate(-10, 0, 0), t0) // expired anchors still anchor
	cases := []struct {
		name  string
		chain []Identity
		at    time.Time
		want  string // substring; empty for no problem
	}{
		{"all-valid", []Identity{leaf, inter, oldRoot}, t0.AddDate(0, 6, 0), ""},
		{"leaf-expired", []Identity{leaf, inter, oldRoot}, t0.AddDate(2, 0, 0), `"CN=Leaf" expired`},
		{"intermediate-expired", []Identity{id("CN=Leaf", t0, t0.AddDate(5, 0, 0)), inter, oldRoot}, t0.AddDate(4, 0, 0), `"CN=Inter" expired`},
		{"leaf-not-yet-valid", []Identity{leaf, inter, oldRoot}, t0.AddDate(0, 0, -1), `"CN=Leaf" is not valid until`},
		{"lone-leaf-is-checked", []Identity{leaf}, t0.AddDate(2, 0, 0), `"CN=Leaf" expired`},
	}
	for _, tc := range cases {
		got := ValidityProblem(tc.chain, tc.at, "the current time")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
