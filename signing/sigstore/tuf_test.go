package sigstore

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// tufRepo is a TUF repository served over HTTP by a test: root,
// timestamp, snapshot and targets metadata with one key each, holding one
// target.
type tufRepo struct {
	files map[string][]byte
	root  []byte
}

type tufSpec struct {
	target       []byte // the served bytes of trusted_root.json
	signedTarget []byte // the bytes the targets metadata describes
	timestampKey ed25519.PrivateKey
	timestampExp time.Time
}

func newTUFRepo(t *testing.T, spec tufSpec) *tufRepo {
	t.Helper()
	keys := map[string]ed25519.PrivateKey{}
	exp := time.Now().Add(24 * time.Hour)
	root := metadata.Root(exp)
	for _, role := range []string{"root", "timestamp", "snapshot", "targets"} {
		_, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		keys[role] = priv
		k, err := metadata.KeyFromPublicKey(priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		if err := root.Signed.AddKey(k, role); err != nil {
			t.Fatal(err)
		}
	}
	if spec.timestampKey == nil {
		spec.timestampKey = keys["timestamp"]
	}
	if spec.timestampExp.IsZero() {
		spec.timestampExp = exp
	}
	if spec.signedTarget == nil {
		spec.signedTarget = spec.target
	}
	targets := metadata.Targets(exp)
	tf, err := metadata.TargetFile().FromBytes(TrustedRootTarget, spec.signedTarget, "sha256")
	if err != nil {
		t.Fatal(err)
	}
	targets.Signed.Targets[TrustedRootTarget] = tf
	snapshot := metadata.Snapshot(exp)
	timestamp := metadata.Timestamp(spec.timestampExp)

	sign := func(key ed25519.PrivateKey, m interface {
		Sign(signature.Signer) (*metadata.Signature, error)
	}) {
		s, err := signature.LoadSigner(key, crypto.Hash(0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Sign(s); err != nil {
			t.Fatal(err)
		}
	}
	sign(keys["root"], root)
	sign(keys["targets"], targets)
	sign(keys["snapshot"], snapshot)
	sign(spec.timestampKey, timestamp)
	r := &tufRepo{files: map[string][]byte{}}
	put := func(name string, m interface{ ToBytes(bool) ([]byte, error) }) []byte {
		b, err := m.ToBytes(false)
		if err != nil {
			t.Fatal(err)
		}
		r.files["/"+name] = b
		return b
	}
	r.root = put("1.root.json", root)
	put("1.targets.json", targets)
	put("1.snapshot.json", snapshot)
	put("timestamp.json", timestamp)
	sum := sha256.Sum256(spec.signedTarget)
	r.files["/targets/"+hex.EncodeToString(sum[:])+"."+TrustedRootTarget] = spec.target
	return r
}

func (r *tufRepo) serve(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, ok := r.files[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestFetchTrustedRootThroughTUF fetches a trusted root from a local TUF
// repository, then again offline from the cache after the server is gone.
func TestFetchTrustedRootThroughTUF(t *testing.T) {
	want := readTestdata(t, "trusted_root.json")
	repo := newTUFRepo(t, tufSpec{target: want})
	ts := repo.serve(t)
	cache := t.TempDir()
	got, err := FetchTrustedRoot(context.Background(), TUFOptions{RepositoryURL: ts.URL, Root: repo.root, CachePath: cache})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("fetched target differs from the served trusted root")
	}
	ts.Close()
	got, err = FetchTrustedRoot(context.Background(), TUFOptions{RepositoryURL: ts.URL, Root: repo.root, CachePath: cache, Offline: true})
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("offline from the cache: %v", err)
	}
}

// TestFetchTrustedRootOfflineUsesNoNetwork: an offline fetch with an empty
// cache fails without a request, rather than fetching as if online.
func TestFetchTrustedRootOfflineUsesNoNetwork(t *testing.T) {
	repo := newTUFRepo(t, tufSpec{target: readTestdata(t, "trusted_root.json")})
	requests := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		requests++
		if b, ok := repo.files[req.URL.Path]; ok {
			w.Write(b)
			return
		}
		http.NotFound(w, req)
	}))
	defer ts.Close()
	_, err := FetchTrustedRoot(context.Background(), TUFOptions{RepositoryURL: ts.URL, Root: repo.root, CachePath: t.TempDir(), Offline: true})
	if !errors.Is(err, ErrTUF) || requests != 0 {
		t.Errorf("offline with an empty cache: err = %v after %d requests, want ErrTUF after none", err, requests)
	}
}

// TestFetchTrustedRootRefusesTampering checks that a target whose bytes
// the targets metadata does not describe, a timestamp signed by a key the
// root does not name, an expired timestamp, and a target that is not a
// trusted root are refused.
func TestFetchTrustedRootRefusesTampering(t *testing.T) {
	good := readTestdata(t, "trusted_root.json")
	_, other, _ := ed25519.GenerateKey(nil)
	evil := bytes.Replace(good, []byte(`"mediaType"`), []byte(`"mediaType" `), 1)
	for name, spec := range map[string]tufSpec{
		"target bytes swapped":     {target: evil, signedTarget: good},
		"timestamp by another key": {target: good, timestampKey: other},
		"timestamp expired":        {target: good, timestampExp: time.Now().Add(-time.Hour)},
		"not a trusted root":       {target: []byte(`{"hello": "world"}`)},
	} {
		t.Run(name, func(t *testing.T) {
			repo := newTUFRepo(t, spec)
			ts := repo.serve(t)
			_, err := FetchTrustedRoot(context.Background(), TUFOptions{RepositoryURL: ts.URL, Root: repo.root, CachePath: t.TempDir()})
			if !errors.Is(err, ErrTUF) {
				t.Errorf("err = %v, want ErrTUF", err)
			}
		})
	}
}

// TestFetchTrustedRootNeedsInitialRoot: a repository other than Sigstore's
// public-good one is never trusted on first use.
func TestFetchTrustedRootNeedsInitialRoot(t *testing.T) {
	repo := newTUFRepo(t, tufSpec{target: readTestdata(t, "trusted_root.json")})
	ts := repo.serve(t)
	if _, err := FetchTrustedRoot(context.Background(), TUFOptions{RepositoryURL: ts.URL, CachePath: t.TempDir()}); !errors.Is(err, ErrTUF) {
		t.Errorf("err = %v, want ErrTUF", err)
	}
	if _, err := FetchTrustedRoot(context.Background(), TUFOptions{RepositoryURL: ts.URL, Root: repo.root}); !errors.Is(err, ErrTUF) {
		t.Errorf("no cache: err = %v, want ErrTUF", err)
	}
}
