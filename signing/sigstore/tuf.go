package sigstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
)

// TrustedRootTarget is the TUF target name of a Sigstore trusted root.
const TrustedRootTarget = "trusted_root.json"

// PublicGoodTUF is the TUF repository of Sigstore's public-good instance.
const PublicGoodTUF = tuf.DefaultMirror

// TUFOptions configures [FetchTrustedRoot].
type TUFOptions struct {
	// RepositoryURL is the TUF repository's base URL; empty means
	// [PublicGoodTUF].
	RepositoryURL string
	// Root is the root.json the client starts from and trusts. Empty means
	// the public-good root embedded in sigstore-go, and only with the
	// public-good repository: another repository's first root is never
	// taken on first use.
	Root []byte
	// CachePath is the directory where the verified metadata and targets
	// are kept between runs (required).
	CachePath string
	// Offline reads the cache only: the cached metadata must still be
	// valid; the network is not used.
	Offline bool
	// Target is the target to fetch; empty means [TrustedRootTarget].
	Target string
}

// ErrTUF results when a trusted root cannot be fetched or verified through
// TUF.
var ErrTUF = errors.New("sigstore: TUF")

// FetchTrustedRoot returns a Sigstore trusted root (trusted_root.json)
// fetched and verified through The Update Framework with sigstore-go's
// client: the repository's root chain from opts.Root, then timestamp,
// snapshot and targets metadata (signatures, thresholds, versions, expiry
// and rollback), then the target's length and hashes. The result is also
// checked to parse as a trusted root. Verification with it stays offline:
// write it to a file and give that file to verify-blob or a policy's
// sigstore rule.
func FetchTrustedRoot(ctx context.Context, opts TUFOptions) ([]byte, error) {
	if opts.CachePath == "" {
		return nil, fmt.Errorf("%w: no cache directory", ErrTUF)
	}
	o := &tuf.Options{
		Root:              opts.Root,
		CachePath:         opts.CachePath,
		RepositoryBaseURL: opts.RepositoryURL,
		ForceCache:        opts.Offline,
		Context:           ctx,
	}
	if opts.Offline {
		// ForceCache alone falls back to the network when the cache is
		// empty or stale.
		o.Fetcher = offlineFetcher{}
	}
	switch {
	case o.RepositoryBaseURL == "" || o.RepositoryBaseURL == PublicGoodTUF:
		o.RepositoryBaseURL = PublicGoodTUF
		if len(o.Root) == 0 {
			o.Root = tuf.DefaultRoot()
		}
	case len(o.Root) == 0:
		return nil, fmt.Errorf("%w: repository %s needs its initial root.json", ErrTUF, o.RepositoryBaseURL)
	}
	target := opts.Target
	if target == "" {
		target = TrustedRootTarget
	}
	c, err := tuf.New(o)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTUF, o.RepositoryBaseURL, err)
	}
	b, err := c.GetTarget(target)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTUF, o.RepositoryBaseURL, err)
	}
	if target == TrustedRootTarget {
		if _, err := root.NewTrustedRootFromJSON(b); err != nil {
			return nil, fmt.Errorf("%w: %s: target %s is not a trusted root: %w", ErrTUF, o.RepositoryBaseURL, target, err)
		}
	}
	return b, nil
}

// offlineFetcher is the TUF fetcher of an offline fetch: it fetches nothing.
type offlineFetcher struct{}

// DownloadFile refuses to download url.
func (offlineFetcher) DownloadFile(url string, _ int64, _ time.Duration) ([]byte, error) {
	return nil, fmt.Errorf("offline: %s is not in the cache", url)
}
