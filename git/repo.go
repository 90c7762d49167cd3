package git

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	cgv2 "github.com/go-git/go-git/v5/plumbing/format/commitgraph/v2"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// repo reads objects of one repository through go-git's object storage, with
// the memos the audit relies on: commits by id, subtree lookups by
// (tree, name).
type repo struct {
	r      *gogit.Repository
	s      storer.EncodedObjectStorer
	graph  cgv2.Index
	store  *filesystem.Storage
	packs  *packs
	graph1 *commitGraph
	// shallow is set for a shallow clone, whose history stops early.
	shallow bool
	commits map[plumbing.Hash]*commitInfo
	subtree map[subKey]entryRef
	// foldPaths makes the protected-path walk and diffs (entriesAt, diffAt)
	// find a prefix under every case variant of its names, as a checkout on
	// a case-insensitive file system merges them.
	foldPaths bool
	// normPaths, without foldPaths, makes them find a prefix with
	// non-ASCII names under its NFC and NFD spellings: APFS and HFS+ merge
	// those even on a case-sensitive volume.
	normPaths bool
	// above makes the protected-path walk and diffs (entriesAbove, diffAt)
	// count a file, symlink or submodule at a proper ancestor of a prefix
	// (or, with foldPaths, at a case variant of one) as an entry at the
	// prefix: a checkout puts it where the prefix's directory would be (a
	// submodule's checkout holds the prefix; a symlink or file variant,
	// met after the directory by a forced checkout on a case-insensitive
	// file system, replaces it).
	above    bool
	foldTree map[subKey][]namedRef
	buf      bytes.Buffer
	// stash, when non-nil, keeps the content of commits read from packs
	// for rawCopy, up to maxStashBytes (stashBytes), so the audit inflates
	// each commit once.
	stash      map[plumbing.Hash][]byte
	stashBytes int
	noStash    bool
	// mu, once forks exist, serializes what they share and is not safe for
	// concurrent use: go-git's object storage and commit-graph index.
	mu *sync.Mutex
	// forked is set on a fork, which leaves closing to the original.
	forked bool
	// bg tracks goroutines reading the repository (see background).
	bg       sync.WaitGroup
	bgCancel []context.CancelFunc
	// trees caches sortedTree's trees by id; treeBytes is their size.
	trees     map[plumbing.Hash]cachedTree
	treeBytes int
	// entryStarts is checkTreeOrder's reused buffer.
	entryStarts []int
}

// namedRef is a tree entry with the path it was found at.
type namedRef struct {
	path string
	ref  entryRef
}

// commitInfo is what the walk needs of a commit.
type commitInfo struct {
	tree    plumbing.Hash
	parents []plumbing.Hash
}

type subKey struct {
	tree plumbing.Hash
	name string
}

// entryRef is a tree entry: its object and mode; the zero value means absent.
type entryRef struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

// openRepo opens the repository at dir (a work tree with .git, or a bare
// repository) and its commit-graph when one exists.
func openRepo(dir string) (*repo, error) {
	r, err := gogit.PlainOpenWithOptions(dir, &gogit.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("git: open %s: %w", dir, err)
	}
	rp := &repo{r: r, s: r.Storer, commits: map[plumbing.Hash]*commitInfo{}, subtree: map[subKey]entryRef{}}
	if fs, ok := r.Storer.(*filesystem.Storage); ok {
		// Reopen the object store keeping pack files open: by default
		// go-git opens and closes the pack for every object it reads.
		st := filesystem.NewStorageWithOptions(fs.Filesystem(), cache.NewObjectLRU(64*cache.MiByte), filesystem.Options{KeepDescriptors: true})
		if r2, err := gogit.Open(st, nil); err == nil {
			rp.r, rp.s, rp.store = r2, st, st
		}
		rp.packs = openPacks(fs.Filesystem().Root())
		if _, err := os.Stat(filepath.Join(fs.Filesystem().Root(), "shallow")); err == nil {
			rp.shallow = true
		}
		if g, err := openCommitGraph(fs.Filesystem().Root()); err == nil {
			rp.graph1 = g
		} else if idx, err := cgv2.OpenChainOrFileIndex(fs.Filesystem()); err == nil {
			rp.graph = idx
		}
	}
	return rp, nil
}

// fork returns a reader of the same repository for another goroutine: it
// shares the mapped packs, the commit-graph and (under a lock) go-git's
// storage, and has its own caches. Closing it does nothing.
func (r *repo) fork() *repo {
	if r.mu == nil {
		r.mu = &sync.Mutex{}
	}
	f := &repo{r: r.r, s: r.s, graph: r.graph, graph1: r.graph1, shallow: r.shallow, foldPaths: r.foldPaths, normPaths: r.normPaths, above: r.above,
		commits: map[plumbing.Hash]*commitInfo{}, subtree: map[subKey]entryRef{}, mu: r.mu, forked: true, noStash: true}
	if r.packs != nil {
		f.packs = r.packs.fork()
	}
	return f
}

// objectsOnly returns a fork of r (see fork) that reads commits from their
// objects only, never from the commit-graph.
func (r *repo) objectsOnly() *repo {
	f := r.fork()
	f.graph, f.graph1 = nil, nil
	return f
}

// dropGraph closes r's commit-graph: r then reads commits from their
// objects only.
func (r *repo) dropGraph() {
	if r.graph != nil {
		r.graph.Close()
	}
	r.graph, r.graph1 = nil, nil
}

// background returns a context for goroutines that read r (counted in
// r.bg): closing r cancels it and waits for them.
func (r *repo) background(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	r.bgCancel = append(r.bgCancel, cancel)
	return ctx
}

func (r *repo) lock() {
	if r.mu != nil {
		r.mu.Lock()
	}
}

func (r *repo) unlock() {
	if r.mu != nil {
		r.mu.Unlock()
	}
}

func (r *repo) close() {
	if r.forked {
		return
	}
	for _, cancel := range r.bgCancel {
		cancel()
	}
	r.bg.Wait()
	if r.graph != nil {
		r.graph.Close()
	}
	if r.store != nil {
		r.store.Close()
	}
	if r.packs != nil {
		r.packs.close()
	}
}

// raw returns an object's content. The slice must not be modified and is
// valid until the next call.
func (r *repo) raw(h plumbing.Hash, t plumbing.ObjectType) ([]byte, error) {
	_, b, err := r.rawTyped(h, t)
	return b, err
}

// rawTyped is raw that also returns the object's type (useful with
// plumbing.AnyObject).
func (r *repo) rawTyped(h plumbing.Hash, t plumbing.ObjectType) (plumbing.ObjectType, []byte, error) {
	b, typ, err := r.rawFrom(h, t)
	return typ, b, err
}

func (r *repo) rawFrom(h plumbing.Hash, t plumbing.ObjectType) ([]byte, plumbing.ObjectType, error) {
	b, typ, _, err := r.rawRead(h, t)
	return b, typ, err
}

// rawRead is rawFrom that also says whether the content came from a pack
// (and so is never reused) rather than r.buf.
func (r *repo) rawRead(h plumbing.Hash, t plumbing.ObjectType) ([]byte, plumbing.ObjectType, bool, error) {
	if r.packs != nil {
		typ, b, err := r.packs.read(h)
		switch {
		case err == nil && t != plumbing.AnyObject && typ != t:
			return nil, 0, false, fmt.Errorf("git: object %s is a %s, not a %s", h, typ, t)
		case err == nil:
			return b, typ, true, nil
		case !errors.Is(err, errNotInPack):
			return nil, 0, false, fmt.Errorf("git: object %s: %w", h, err)
		}
	}
	r.lock()
	defer r.unlock()
	o, err := r.s.EncodedObject(t, h)
	if err != nil {
		return nil, 0, false, fmt.Errorf("git: object %s: %w", h, err)
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, 0, false, fmt.Errorf("git: object %s: %w", h, err)
	}
	defer rd.Close()
	r.buf.Reset()
	if _, err := r.buf.ReadFrom(rd); err != nil {
		return nil, 0, false, fmt.Errorf("git: object %s: %w", h, err)
	}
	if err := checkObjectHash(h, o.Type(), r.buf.Bytes()); err != nil {
		return nil, 0, false, err
	}
	return r.buf.Bytes(), o.Type(), false, nil
}

// rawCopy is raw with a slice the caller owns. A commit the walk stashed is
// taken from the stash (and leaves it).
func (r *repo) rawCopy(h plumbing.Hash, t plumbing.ObjectType) ([]byte, error) {
	if b, ok := r.stash[h]; ok && t == plumbing.CommitObject {
		delete(r.stash, h)
		r.stashBytes -= len(b)
		return slices.Clone(b), nil
	}
	b, err := r.raw(h, t)
	return slices.Clone(b), err
}

// maxStashBytes bounds the commit objects the walk keeps for the audit's
// per-commit checks, which read each commit of the range once more.
const maxStashBytes = 64 << 20

// commit returns the tree and parents of commit h, from the commit-graph
// when it holds h, else from the object.
func (r *repo) commit(h plumbing.Hash) (*commitInfo, error) {
	if c, ok := r.commits[h]; ok {
		return c, nil
	}
	var c *commitInfo
	if r.graph1 != nil {
		c, _ = r.graph1.commit(h)
	}
	if c == nil && r.graph != nil {
		r.lock()
		if i, err := r.graph.GetIndexByHash(h); err == nil {
			if d, err := r.graph.GetCommitDataByIndex(i); err == nil {
				c = &commitInfo{tree: d.TreeHash, parents: d.ParentHashes}
			}
		}
		r.unlock()
	}
	if c == nil {
		b, _, fromPack, err := r.rawRead(h, plumbing.CommitObject)
		if err != nil {
			if r.shallow {
				return nil, fmt.Errorf("%w (the repository is a shallow clone: fetch the history back to the last release, e.g. git fetch --unshallow)", err)
			}
			return nil, err
		}
		c, err = parseCommitHeader(b)
		if err != nil {
			return nil, fmt.Errorf("git: commit %s: %w", h, err)
		}
		if r.stash != nil && fromPack && r.stashBytes+len(b) <= maxStashBytes {
			r.stash[h] = b
			r.stashBytes += len(b)
		}
	}
	r.commits[h] = c
	return c, nil
}

// parseCommitHeader reads only the tree and parent lines of a commit, as git
// does: the tree is the first line and the parents are the lines right after
// it; "tree" and "parent" lines further down are not the commit's.
func parseCommitHeader(b []byte) (*commitInfo, error) {
	c := &commitInfo{}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i <= 0 {
			break
		}
		line := b[:i]
		b = b[i+1:]
		switch {
		case bytes.HasPrefix(line, []byte("tree ")) && c.tree.IsZero():
			// Only the first line names the tree; git ignores any later
			// "tree" line, and so must the audit.
			h, ok := parseHex(line[5:])
			if !ok {
				return nil, errors.New("bad tree line")
			}
			c.tree = h
		case bytes.HasPrefix(line, []byte("parent ")):
			h, ok := parseHex(line[7:])
			if !ok {
				return nil, errors.New("bad parent line")
			}
			c.parents = append(c.parents, h)
		default:
			if c.tree.IsZero() {
				return nil, errors.New("commit does not start with a tree line")
			}
			return c, nil
		}
	}
	if c.tree.IsZero() {
		return nil, errors.New("commit has no tree")
	}
	return c, nil
}

func parseHex(b []byte) (plumbing.Hash, bool) {
	if len(b) != 40 {
		return plumbing.ZeroHash, false
	}
	var h plumbing.Hash
	if _, err := hex.Decode(h[:], b); err != nil {
		return plumbing.ZeroHash, false
	}
	return h, true
}

// treeEntry is one entry of a tree object.
type treeEntry struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
}

// rawTreeEntry is one entry of a tree object as stored: mode digits, name
// and object id, sliced from the object's content.
type rawTreeEntry struct {
	off  int // where the entry starts in the tree object
	mode []byte
	name []byte
	hash plumbing.Hash
}

// nextEntry decodes the tree entry at off of a tree object's content and
// returns it with the offset of the next one, without decoding its mode or
// checking its name.
func nextEntry(b []byte, off int) (rawTreeEntry, int, error) {
	sp := bytes.IndexByte(b[off:], ' ')
	if sp < 0 {
		return rawTreeEntry{}, 0, fmt.Errorf("tree entry at byte %d has no mode", off)
	}
	nul := bytes.IndexByte(b[off+sp:], 0)
	if nul < 0 || off+sp+nul+21 > len(b) {
		return rawTreeEntry{}, 0, fmt.Errorf("tree entry at byte %d is truncated", off)
	}
	e := rawTreeEntry{off: off, mode: b[off : off+sp], name: b[off+sp+1 : off+sp+nul]}
	copy(e.hash[:], b[off+sp+nul+1:off+sp+nul+21])
	return e, off + sp + nul + 21, nil
}

// scanTree calls fn for each entry of a tree object's content in order,
// without decoding modes or checking names; fn's error stops the scan.
func scanTree(b []byte, fn func(e rawTreeEntry) error) error {
	for off := 0; off < len(b); {
		e, next, err := nextEntry(b, off)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
		off = next
	}
	return nil
}

// fileMode decodes the entry's mode as git does (tree-walk.c get_mode and
// canon_mode): octal digits, then any regular file is 100644 or 100755 by
// its owner execute bit, any symlink 120000, any directory 40000, and
// anything else a submodule (160000). So "40755" names a directory and
// "100664" a plain file, as a checkout treats them.
func (e rawTreeEntry) fileMode() (filemode.FileMode, error) {
	switch string(e.mode) {
	case "100644":
		return filemode.Regular, nil
	case "40000":
		return filemode.Dir, nil
	case "100755":
		return filemode.Executable, nil
	case "120000":
		return filemode.Symlink, nil
	case "160000":
		return filemode.Submodule, nil
	}
	if len(e.mode) == 0 {
		return 0, fmt.Errorf("tree entry at byte %d has an empty mode", e.off)
	}
	var m uint32
	for _, c := range e.mode {
		if c < '0' || c > '7' {
			return 0, fmt.Errorf("tree entry at byte %d: malformed mode %q", e.off, e.mode)
		}
		m = m<<3 + uint32(c-'0')
	}
	switch m & 0o170000 {
	case 0o100000:
		if m&0o100 != 0 {
			return filemode.Executable, nil
		}
		return filemode.Regular, nil
	case 0o120000:
		return filemode.Symlink, nil
	case 0o040000:
		return filemode.Dir, nil
	}
	return filemode.Submodule, nil
}

// checkName rejects an empty name or one holding a slash (see
// [ErrHostileTree]).
func (e rawTreeEntry) checkName() error {
	if len(e.name) == 0 || bytes.IndexByte(e.name, '/') >= 0 {
		return checkEntryName(string(e.name), e.off)
	}
	return nil
}

// parseTree decodes a tree object's content.
func parseTree(b []byte) ([]treeEntry, error) {
	var out []treeEntry
	err := scanTree(b, func(e rawTreeEntry) error {
		mode, err := e.fileMode()
		if err != nil {
			return err
		}
		name := string(e.name)
		if err := checkEntryName(name, e.off); err != nil {
			return err
		}
		out = append(out, treeEntry{name: name, mode: mode, hash: e.hash})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 1 {
		seen := make(map[string]bool, len(out))
		for _, e := range out {
			if seen[e.name] {
				return nil, fmt.Errorf("%w: two entries named %q", ErrHostileTree, e.name)
			}
			seen[e.name] = true
		}
	}
	return out, nil
}

// ErrHostileTree is wrapped by the error for a tree object git would check
// out differently from how it reads: an entry name with a slash (checked out
// as a path in a subdirectory) or two entries with one name (git show reads
// the first, a checkout writes the last). git fsck rejects both
// (fullPathname, duplicateEntries); the audit refuses to go on.
var ErrHostileTree = errors.New("tree git fsck rejects")

// checkEntryName rejects tree entry names that do not name one path
// component.
func checkEntryName(name string, off int) error {
	if name == "" || strings.ContainsRune(name, '/') {
		return fmt.Errorf("%w: entry at byte %d is named %q", ErrHostileTree, off, name)
	}
	return nil
}

// findInTree scans a tree object's content for name without decoding every
// entry. It rejects the tree if any entry name holds a slash or name appears
// twice (see [ErrHostileTree]).
func findInTree(b []byte, name string) (entryRef, bool, error) {
	var found entryRef
	var ok bool
	err := scanTree(b, func(e rawTreeEntry) error {
		if err := e.checkName(); err != nil {
			return err
		}
		if string(e.name) != name {
			return nil
		}
		if ok {
			return fmt.Errorf("%w: two entries named %q", ErrHostileTree, name)
		}
		mode, err := e.fileMode()
		if err != nil {
			return err
		}
		found, ok = entryRef{hash: e.hash, mode: mode}, true
		return nil
	})
	if err != nil {
		return entryRef{}, false, err
	}
	return found, ok, nil
}

// entryAt returns the entry at path p ("/"-separated, "" for the root) under
// root, or the zero entryRef when there is none. Lookups are memoized per
// (tree, name), so a subtree shared by many commits is read once.
func (r *repo) entryAt(root plumbing.Hash, p string) (entryRef, error) {
	cur := entryRef{hash: root, mode: filemode.Dir}
	if p == "" {
		return cur, nil
	}
	for name := range strings.SplitSeq(p, "/") {
		if cur.mode != filemode.Dir {
			return entryRef{}, nil
		}
		k := subKey{cur.hash, name}
		if e, ok := r.subtree[k]; ok {
			cur = e
			if e.hash.IsZero() {
				return entryRef{}, nil
			}
			continue
		}
		b, err := r.raw(cur.hash, plumbing.TreeObject)
		if err != nil {
			return entryRef{}, err
		}
		e, _, err := findInTree(b, name)
		if err != nil {
			return entryRef{}, fmt.Errorf("git: tree %s: %w", cur.hash, err)
		}
		r.subtree[k] = e
		if e.hash.IsZero() {
			return entryRef{}, nil
		}
		cur = e
	}
	return cur, nil
}

// entriesAt returns the entries at path p under root: the one entryAt finds
// or, with r.foldPaths, every entry whose path equals p ignoring case
// (`VENDOR/ffmpeg` and `Vendor/FFmpeg` for "vendor/ffmpeg"), sorted by path.
// Absent entries are left out.
func (r *repo) entriesAt(root plumbing.Hash, p string) ([]namedRef, error) {
	return r.entriesAtOrAbove(root, p, false)
}

// entriesAbove is entriesAt that, with r.above, also returns the entries
// that are not directories at the proper ancestors of p (or their case
// variants), which a checkout puts in the place of p's directory.
func (r *repo) entriesAbove(root plumbing.Hash, p string) ([]namedRef, error) {
	return r.entriesAtOrAbove(root, p, r.above)
}

func (r *repo) entriesAtOrAbove(root plumbing.Hash, p string, above bool) ([]namedRef, error) {
	if !(r.foldPaths || r.normPaths && nonASCII(p)) || p == "" {
		e, err := r.entryAt(root, p)
		if err != nil {
			return nil, err
		}
		if e.hash.IsZero() {
			if above {
				return r.nonDirAbove(root, p)
			}
			return nil, nil
		}
		return []namedRef{{p, e}}, nil
	}
	lnames := strings.Split(p, "/")
	for i, name := range lnames {
		lnames[i] = pathKey(name, r.foldPaths)
	}
	// Each entry found, with how many of p's elements its path stands
	// for: one per tree level, or more for a name holding backslashes,
	// which Windows reads as several elements (see winSpan).
	type found struct {
		namedRef
		at int
	}
	var out []namedRef
	cur := []found{{namedRef{"", entryRef{hash: root, mode: filemode.Dir}}, 0}}
	for len(cur) > 0 {
		var next []found
		for _, d := range cur {
			if d.at == len(lnames) || d.ref.mode != filemode.Dir {
				if d.at == len(lnames) || above {
					out = append(out, d.namedRef)
				}
				continue
			}
			fs, err := r.foldFind(d.ref.hash, lnames[d.at])
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				n, ok := 1, true
				if r.foldPaths {
					n, ok = winSpan(f.path, lnames[d.at:])
				}
				if ok {
					next = append(next, found{namedRef{join(d.path, f.path), f.ref}, d.at + n})
				}
			}
		}
		if len(next) > maxAliasEntries {
			return nil, fmt.Errorf("git: tree %s: more than %d entries at one level stand for %s", root, maxAliasEntries, p)
		}
		cur = next
	}
	if len(out) == 0 {
		return nil, nil
	}
	slices.SortFunc(out, func(a, b namedRef) int { return strings.Compare(a.path, b.path) })
	return out, nil
}

// maxAliasEntries bounds the entries, at one tree level, that
// entriesAtOrAbove finds standing for a prefix: names made only of
// backslashes stand for no element (winSpan), so trees sharing subtrees
// under several such names would otherwise multiply the paths at every
// level, without the prefix's length as a bound.
const maxAliasEntries = 4096

// foldFind returns the entries of tree h whose names fold to lname
// (findFoldInTree), memoized.
func (r *repo) foldFind(h plumbing.Hash, lname string) ([]namedRef, error) {
	k := subKey{h, lname}
	if found, ok := r.foldTree[k]; ok {
		return found, nil
	}
	b, err := r.raw(h, plumbing.TreeObject)
	if err != nil {
		return nil, err
	}
	found, err := findFoldInTree(b, lname, r.foldPaths)
	if err != nil {
		return nil, fmt.Errorf("git: tree %s: %w", h, err)
	}
	if r.foldTree == nil {
		r.foldTree = map[subKey][]namedRef{}
	}
	r.foldTree[k] = found
	return found, nil
}

// nonDirAbove returns the entry of the nearest proper ancestor of p under
// root that is not a directory, if every ancestor above it is one; nil
// otherwise.
func (r *repo) nonDirAbove(root plumbing.Hash, p string) ([]namedRef, error) {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		e, err := r.entryAt(root, p[:i])
		if err != nil || e.hash.IsZero() {
			return nil, err
		}
		if e.mode != filemode.Dir {
			return []namedRef{{p[:i], e}}, nil
		}
	}
	return nil, nil
}

// findFoldInTree returns the entries of a tree object whose names lowercase
// to lname, in tree order; path holds the entry name.
func findFoldInTree(b []byte, lname string, fold bool) ([]namedRef, error) {
	var out []namedRef
	err := scanTree(b, func(e rawTreeEntry) error {
		if err := e.checkName(); err != nil {
			return err
		}
		if !foldEqual(e.name, lname, fold) {
			return nil
		}
		mode, err := e.fileMode()
		if err != nil {
			return err
		}
		for _, o := range out {
			if o.path == string(e.name) {
				return fmt.Errorf("%w: two entries named %q", ErrHostileTree, e.name)
			}
		}
		out = append(out, namedRef{string(e.name), entryRef{hash: e.hash, mode: mode}})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// foldEqual reports whether foldPath(name) == lname, or name can be an
// NTFS short name of lname (shortNameAlias), without allocating for ASCII
// names; without fold, whether name's NFC spelling is lname.
func foldEqual(name []byte, lname string, fold bool) bool {
	if !fold {
		return pathKey(string(name), false) == lname
	}
	if bytes.IndexByte(name, '~') >= 0 && shortNameAlias(string(name), lname) {
		return true
	}
	if bytes.IndexByte(name, '\\') >= 0 {
		// Windows reads "vendor\x.c" as vendor/x.c and "\vendor" as
		// vendor: the name stands at vendor (see winPath); one made
		// only of backslashes stands for no element, and the walk
		// looks for lname inside it (winSpan).
		name = bytes.TrimLeft(name, "\\")
		if i := bytes.IndexByte(name, '\\'); i >= 0 {
			name = name[:i]
		}
		return len(name) == 0 || foldPath(string(name)) == lname
	}
	if n := len(name); n > 0 && (name[n-1] == '.' || name[n-1] == ' ') {
		return foldPath(string(name)) == lname
	}
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return foldPath(string(name)) == lname
		}
	}
	if len(name) != len(lname) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lname[i] {
			return false
		}
	}
	return true
}

// tree reads and decodes a tree.
func (r *repo) tree(h plumbing.Hash) ([]treeEntry, error) {
	b, err := r.raw(h, plumbing.TreeObject)
	if err != nil {
		return nil, err
	}
	es, err := parseTree(b)
	if err != nil {
		return nil, fmt.Errorf("git: tree %s: %w", h, err)
	}
	return es, nil
}

// change is one path whose entry differs between two trees.
type change struct {
	path     string
	from, to entryRef
}

// diffTrees lists the non-tree paths that differ between trees a and b
// (either may be zero, meaning empty), prefixed by base. Equal subtrees are
// skipped without being read.
func (r *repo) diffTrees(a, b plumbing.Hash, base string, out []change) ([]change, error) {
	return diffTrees(r, r, a, b, base, out)
}

// diffTrees compares tree a of repository ra with tree b of rb. Object ids
// name content, so equal ids are equal subtrees across repositories too.
//
// As git's tree diff does, it walks both trees' entries together in git's
// tree order (a merge join), descending only into subtrees whose ids
// differ. The join is only right for trees sorted as git writes them: when
// either tree is not (a hand-made object git fsck rejects, which git's own
// diff misreads), the trees are compared by name instead, so no change is
// missed; duplicate names are refused either way (see [ErrHostileTree]).
func diffTrees(ra, rb *repo, a, b plumbing.Hash, base string, out []change) ([]change, error) {
	if a == b {
		return out, nil
	}
	ta, okA, err := ra.sortedTree(a)
	if err != nil {
		return nil, err
	}
	tb, okB, err := rb.sortedTree(b)
	if err != nil {
		return nil, err
	}
	if !okA || !okB {
		return diffTreesByName(ra, rb, a, b, base, out)
	}
	var ea, eb rawTreeEntry
	var ma, mb filemode.FileMode
	offA, offB := 0, 0
	haveA, haveB := false, false
	for {
		if !haveA && !haveB {
			// Most entries are the same in both trees: skip an entry
			// whose bytes (mode, name and id) are equal in both without
			// decoding it.
			if n := sameEntry(ta[offA:], tb[offB:]); n > 0 {
				offA, offB = offA+n, offB+n
				continue
			}
		}
		// Each tree was decoded whole by sortedTree, so these cannot fail.
		if !haveA && offA < len(ta) {
			if ea, offA, err = nextEntry(ta, offA); err != nil {
				return nil, fmt.Errorf("git: tree %s: %w", a, err)
			}
			if ma, err = ea.fileMode(); err != nil {
				return nil, fmt.Errorf("git: tree %s: %w", a, err)
			}
			haveA = true
		}
		if !haveB && offB < len(tb) {
			if eb, offB, err = nextEntry(tb, offB); err != nil {
				return nil, fmt.Errorf("git: tree %s: %w", b, err)
			}
			if mb, err = eb.fileMode(); err != nil {
				return nil, fmt.Errorf("git: tree %s: %w", b, err)
			}
			haveB = true
		}
		var c int
		switch {
		case !haveA && !haveB:
			return out, nil
		case !haveA:
			c = 1
		case !haveB:
			c = -1
		default:
			c = compareTreeNames(ea.name, ma == filemode.Dir, eb.name, mb == filemode.Dir)
		}
		switch {
		case c < 0:
			out, err = diffEntries(ra, rb, entryRef{ea.hash, ma}, entryRef{}, joinBytes(base, ea.name), out)
			haveA = false
		case c > 0:
			out, err = diffEntries(ra, rb, entryRef{}, entryRef{eb.hash, mb}, joinBytes(base, eb.name), out)
			haveB = false
		default:
			if ea.hash != eb.hash || ma != mb {
				out, err = diffEntries(ra, rb, entryRef{ea.hash, ma}, entryRef{eb.hash, mb}, joinBytes(base, eb.name), out)
			}
			haveA, haveB = false, false
		}
		if err != nil {
			return nil, err
		}
	}
}

// sameEntry returns the length of the tree entry a starts with when b starts
// with the same bytes, else 0. An entry ends 20 bytes (the id) after the
// NUL that ends its name; equal bytes up to there are an equal mode, name
// and id, which diffTrees' join would pass over.
func sameEntry(a, b []byte) int {
	nul := bytes.IndexByte(a, 0)
	if nul < 0 {
		return 0
	}
	n := nul + 21
	if n > len(a) || n > len(b) || !bytes.Equal(a[:n], b[:n]) {
		return 0
	}
	return n
}

func joinBytes(base string, name []byte) string {
	if base == "" {
		return string(name)
	}
	return base + "/" + string(name)
}

// compareTreeNames orders tree entries as git sorts them (base_name_compare):
// by name bytes, a directory's name compared as if it ended in "/". So the
// file "foo" sorts before "foo.txt", which sorts before the directory "foo",
// and a file and a directory never compare equal.
func compareTreeNames(a []byte, aDir bool, b []byte, bDir bool) int {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	var ca, cb byte
	if len(a) > n {
		ca = a[n]
	} else if aDir {
		ca = '/'
	}
	if len(b) > n {
		cb = b[n]
	} else if bDir {
		cb = '/'
	}
	return int(ca) - int(cb)
}

// Bounds of the tree cache: trees kept by id, with their verdict. Past
// either bound the cache starts afresh.
const (
	maxCachedTrees     = 1 << 16
	maxCachedTreeBytes = 32 << 20
)

// cachedTree is a tree's content and whether diffTrees may join it.
type cachedTree struct {
	data   []byte
	sorted bool
}

// sortedTree returns the content of tree h (nil for the zero id) and whether
// its entries are in git's order with no name twice, so that diffTrees may
// join it. The content stays valid (it is never reused for another object).
// Every entry is decoded: a malformed entry, a name with a slash or the
// same name twice in sorted order is an error. Trees are cached by id: the
// root tree of a commit is read again as its child's parent tree.
func (r *repo) sortedTree(h plumbing.Hash) ([]byte, bool, error) {
	if h.IsZero() {
		return nil, true, nil
	}
	if t, ok := r.trees[h]; ok {
		return t.data, t.sorted, nil
	}
	b, err := r.stableRaw(h, plumbing.TreeObject)
	if err != nil {
		return nil, false, err
	}
	sorted, err := r.checkTreeOrder(b)
	if err != nil {
		return nil, false, fmt.Errorf("git: tree %s: %w", h, err)
	}
	if r.trees == nil || len(r.trees) >= maxCachedTrees || r.treeBytes+len(b) > maxCachedTreeBytes {
		r.trees, r.treeBytes = map[plumbing.Hash]cachedTree{}, 0
	}
	r.trees[h] = cachedTree{b, sorted}
	r.treeBytes += len(b)
	return b, sorted, nil
}

// checkTreeOrder decodes every entry of a tree's content and reports whether
// they are strictly increasing in git's order. It rejects a tree holding one
// name twice: in sorted order, the file "foo" and the directory "foo" are
// apart, with only names that continue "foo" with a byte below "/"
// ("foo.txt", "foo-1") between them, which is where it looks back.
func (r *repo) checkTreeOrder(b []byte) (bool, error) {
	starts := r.entryStarts[:0]
	defer func() { r.entryStarts = starts[:0] }()
	var prev rawTreeEntry
	prevDir := false
	for off, i := 0, 0; off < len(b); i++ {
		e, next, err := nextEntry(b, off)
		if err != nil {
			return false, err
		}
		if err := e.checkName(); err != nil {
			return false, err
		}
		mode, err := e.fileMode()
		if err != nil {
			return false, err
		}
		dir := mode == filemode.Dir
		if i > 0 {
			c := compareTreeNames(prev.name, prevDir, e.name, dir)
			if c == 0 {
				return false, fmt.Errorf("%w: two entries named %q", ErrHostileTree, e.name)
			}
			if c > 0 {
				return false, nil
			}
		}
		if dir {
			for j := len(starts) - 1; j >= 0; j-- {
				q, _, _ := nextEntry(b, starts[j])
				if !bytes.HasPrefix(q.name, e.name) {
					break
				}
				if len(q.name) == len(e.name) {
					return false, fmt.Errorf("%w: two entries named %q", ErrHostileTree, e.name)
				}
				if q.name[len(e.name)] >= '/' {
					break
				}
			}
		}
		starts = append(starts, off)
		prev, prevDir = e, dir
		off = next
	}
	return true, nil
}

// stableRaw is raw with content that stays valid after later reads: pack
// contents are never reused; what go-git reads is copied.
func (r *repo) stableRaw(h plumbing.Hash, t plumbing.ObjectType) ([]byte, error) {
	b, _, fromPack, err := r.rawRead(h, t)
	if err != nil || fromPack {
		return b, err
	}
	return slices.Clone(b), nil
}

// diffTreesByName is diffTrees for trees that are not in git's order: it
// matches entries by name, whatever their order.
func diffTreesByName(ra, rb *repo, a, b plumbing.Hash, base string, out []change) ([]change, error) {
	if a == b {
		return out, nil
	}
	var ea, eb []treeEntry
	var err error
	if !a.IsZero() {
		if ea, err = ra.tree(a); err != nil {
			return nil, err
		}
	}
	if !b.IsZero() {
		if eb, err = rb.tree(b); err != nil {
			return nil, err
		}
	}
	ma := make(map[string]treeEntry, len(ea))
	for _, e := range ea {
		ma[e.name] = e
	}
	seen := make(map[string]bool, len(eb))
	join := func(n string) string {
		if base == "" {
			return n
		}
		return base + "/" + n
	}
	for _, e := range eb {
		seen[e.name] = true
		old, had := ma[e.name]
		if had && old.hash == e.hash && old.mode == e.mode {
			continue
		}
		out, err = diffEntries(ra, rb, entryRef{old.hash, old.mode}, entryRef{e.hash, e.mode}, join(e.name), out)
		if err != nil {
			return nil, err
		}
	}
	for _, e := range ea {
		if seen[e.name] {
			continue
		}
		out, err = diffEntries(ra, rb, entryRef{e.hash, e.mode}, entryRef{}, join(e.name), out)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// diffEntries compares two entries at path p, descending into trees.
func diffEntries(ra, rb *repo, from, to entryRef, p string, out []change) ([]change, error) {
	fromDir := from.mode == filemode.Dir
	toDir := to.mode == filemode.Dir
	var err error
	switch {
	case fromDir && toDir:
		return diffTrees(ra, rb, from.hash, to.hash, p, out)
	case fromDir:
		if out, err = diffTrees(ra, rb, from.hash, plumbing.ZeroHash, p, out); err != nil {
			return nil, err
		}
		if !to.hash.IsZero() {
			out = append(out, change{path: p, to: to})
		}
		return out, nil
	case toDir:
		if !from.hash.IsZero() {
			out = append(out, change{path: p, from: from})
		}
		return diffTrees(ra, rb, plumbing.ZeroHash, to.hash, p, out)
	default:
		return append(out, change{path: p, from: from, to: to}), nil
	}
}

// diffAt lists differing files under prefix p between root trees a and b
// (a zero root is the empty tree).
func (r *repo) diffAt(a, b plumbing.Hash, p string) ([]change, error) {
	if (r.foldPaths || r.above) && p != "" {
		return r.diffAtFold(a, b, p)
	}
	var ea, eb entryRef
	var err error
	if !a.IsZero() {
		if ea, err = r.entryAt(a, p); err != nil {
			return nil, err
		}
	}
	if !b.IsZero() {
		if eb, err = r.entryAt(b, p); err != nil {
			return nil, err
		}
	}
	if ea == eb {
		return nil, nil
	}
	return diffEntries(r, r, ea, eb, p, nil)
}

// diffAtFold is diffAt over every case variant of p and, with r.above, the
// entries above it (see entriesAbove): each path is compared with the same
// path in the other tree.
func (r *repo) diffAtFold(a, b plumbing.Hash, p string) ([]change, error) {
	var va, vb []namedRef
	var err error
	if !a.IsZero() {
		if va, err = r.entriesAbove(a, p); err != nil {
			return nil, err
		}
	}
	if !b.IsZero() {
		if vb, err = r.entriesAbove(b, p); err != nil {
			return nil, err
		}
	}
	from := map[string]entryRef{}
	for _, v := range va {
		from[v.path] = v.ref
	}
	var out []change
	for _, v := range vb {
		if f := from[v.path]; f != v.ref {
			if out, err = diffEntries(r, r, f, v.ref, v.path, out); err != nil {
				return nil, err
			}
		}
		delete(from, v.path)
	}
	for _, v := range va {
		if f, ok := from[v.path]; ok {
			if out, err = diffEntries(r, r, f, entryRef{}, v.path, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// blobPrefix returns up to n bytes of a blob and its full size.
func (r *repo) blobPrefix(h plumbing.Hash, n int) ([]byte, int64, error) {
	if r.packs != nil {
		typ, b, err := r.packs.read(h)
		if err == nil && typ == plumbing.BlobObject {
			return b[:min(n, len(b))], int64(len(b)), nil
		}
		if errors.Is(err, ErrObjectHashMismatch) {
			return nil, 0, fmt.Errorf("git: blob %s: %w", h, err)
		}
	}
	r.lock()
	defer r.unlock()
	o, err := r.s.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, 0, fmt.Errorf("git: blob %s: %w", h, err)
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, 0, fmt.Errorf("git: blob %s: %w", h, err)
	}
	defer rd.Close()
	// The whole blob is hashed, the first n bytes kept.
	hr := newObjectHasher(plumbing.BlobObject, o.Size())
	b, err := io.ReadAll(io.LimitReader(io.TeeReader(rd, hr), int64(n)))
	if err == nil {
		_, err = io.Copy(hr, rd)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("git: blob %s: %w", h, err)
	}
	if err := hr.check(h); err != nil {
		return nil, 0, err
	}
	return b, o.Size(), nil
}
