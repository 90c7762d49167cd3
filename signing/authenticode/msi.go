package authenticode

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// ErrNotMSI is returned by VerifyMSI when the input is not an OLE compound
// file.
var ErrNotMSI = errors.New("authenticode: not a compound file")

// Names of the signature streams in an MSI's root storage.
const (
	msiSignatureStream   = "\x05DigitalSignature"
	msiSignatureExStream = "\x05MsiDigitalSignatureEx"
)

// msiGUID is the MSI subject interface package's GUID as SpcSipInfo
// stores it ({000C10F1-0000-0000-C000-000000000046}).
var msiGUID = mustHex("f1100c0000000000c000000000000046")

// VerifyMSI checks the Authenticode signature of the MSI database (an OLE
// compound file) in r (size bytes): the DigitalSignature stream of the root
// storage, the digest recomputed over every stream and storage class
// identifier in the order the MSI subject interface package uses (names
// compared as UTF-16LE bytes), preceded by the metadata digest when an
// MsiDigitalSignatureEx stream is present (which must hold that digest),
// and then, like [Verify] for a PE file, the SignedData, signer,
// timestamps, chain and the ownership of every byte in it.
//
// The compound file is read with a reader that accounts for every sector
// (internal/cfb): non-zero bytes in free or unreachable sectors, in the
// slack after a stream's end, in unused directory entries or after the last
// sector are reported (rule msi/unowned-data); they are covered by no
// digest. Payload-sized ones, alone or together, make every signature
// invalid, as stuffing in a PE certificate table does. Without
// MsiDigitalSignatureEx the digest covers no name or size: a note says so
// and empty streams and storages holding no stream, which that digest does
// not see (but for a storage's class identifier), are reported (rule
// msi/unsigned-metadata), and so are, when the database opens, its
// non-empty streams that Windows Installer does not open (a stream's tail
// split off into them leaves the digest as it was).
// Storages' state bits and times that no digest covers (all without
// MsiDigitalSignatureEx, the root's modification time with it) are
// reported when they hold what no writer puts there (rule
// msi/unhashed-metadata).
//
// Result.Authentihash holds the MSI digests; the PE fields are zero. A file
// without a DigitalSignature stream is StatusUnsigned. The error is
// [ErrNotMSI] when r is not a compound file, a [*FormatError] when its
// structure is broken (cycles, sectors beyond the end, cross-linked
// chains), and otherwise an I/O error. opts.FileHash is written, and
// opts.Alongside run, each on a goroutine of its own while the streams'
// digest is computed, and VerifyMSI returns only once both are done.
func VerifyMSI(r io.ReaderAt, size int64, opts Options) (*Result, error) {
	f, err := openCompound(r, size)
	if err != nil {
		return nil, err
	}
	// The file's hash and the streams' digest read the same bytes in
	// different orders: one core each (see hashFileAsync).
	wait := hashFileAsync(opts.FileHash, r, size)
	res, err := verifyMSIAt(r, f, f.Root(), nil, opts)
	if werr := wait(); err == nil && werr != nil {
		return nil, werr
	}
	return res, err
}

// ErrNoStorage is returned by VerifyMSIStorage when the compound file
// holds no storage at the path it is given.
var ErrNoStorage = errors.New("authenticode: no such storage in the compound file")

// VerifyMSIStorage checks the Authenticode signature of the MSI database
// stored in a storage of the compound file in r (size bytes), as a
// nested installation (a type 7 custom action) is: storage is the path of
// the storage's names as stored (not decoded), from the root's children
// down. The storage is verified as [VerifyMSI] verifies a root storage,
// its own DigitalSignature and MsiDigitalSignatureEx streams left out of
// its digest and the storage taken for the root (its name and times are
// not in the metadata digest: a database signed on its own and then
// stored keeps its signature). What the storage's digest covers is all
// that is checked: the bytes outside it belong to the compound file, for
// VerifyMSI to report, and so do empty streams outside it.
//
// opts.FileHash, when set, is written the storage's contents as its
// digest reads them (each stream in the digest's order, then the class
// identifiers); a storage is no byte range of the file. A storage without
// a DigitalSignature stream is StatusUnsigned. The error is
// [ErrNoStorage] (wrapped, with the path) when there is no such storage,
// and otherwise as VerifyMSI's.
func VerifyMSIStorage(r io.ReaderAt, size int64, storage []string, opts Options) (*Result, error) {
	f, err := openCompound(r, size)
	if err != nil {
		return nil, err
	}
	if len(storage) == 0 {
		return nil, fmt.Errorf("%w: an empty path names the root", ErrNoStorage)
	}
	st := f.Root()
	for i, name := range storage {
		var next *cfb.Entry
		for _, e := range f.Children(st) {
			if e.Type == cfb.TypeStorage && e.Name == name {
				next = e
				break
			}
		}
		if next == nil {
			return nil, fmt.Errorf("%w: %q", ErrNoStorage, strings.Join(storage[:i+1], "/"))
		}
		st = next
	}
	return verifyMSIAt(r, f, st, opts.FileHash, opts)
}

// openCompound opens the compound file in r, its errors as VerifyMSI
// returns them.
func openCompound(r io.ReaderAt, size int64) (*cfb.File, error) {
	f, err := cfb.Open(r, size)
	var fe *cfb.FormatError
	switch {
	case errors.Is(err, cfb.ErrNotCFB):
		return nil, ErrNotMSI
	case errors.As(err, &fe):
		return nil, &FormatError{Offset: fe.Offset, Reason: "compound file: " + fe.Reason}
	case err != nil:
		return nil, err
	}
	return f, nil
}

// verifyMSIAt verifies the database in storage st of f (the root, or a
// nested database), writing what its digest reads to content too when
// not nil.
func verifyMSIAt(r io.ReaderAt, f *cfb.File, st *cfb.Entry, content io.Writer, opts Options) (*Result, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	top := st == f.Root()
	v := &verifier{r: r, opts: opts, log: log, encoded: true}
	v.res = &Result{Status: signing.StatusUnsigned}
	sub := &msiSubject{f: f, st: st, digests: map[crypto.Hash][]byte{}}
	v.sub = sub
	var sigEntry, exEntry *cfb.Entry
	for _, e := range f.Children(st) {
		switch {
		case e.Type == cfb.TypeStream && e.Name == msiSignatureStream:
			sigEntry = e
		case e.Type == cfb.TypeStream && e.Name == msiSignatureExStream:
			exEntry = e
		}
	}
	var ex []byte
	if exEntry != nil {
		var err error
		if ex, err = f.ReadAll(exEntry, 1024); err != nil {
			return nil, msiError(err)
		}
	}
	if sigEntry != nil {
		if err := v.msiSignature(f, sigEntry); err != nil {
			return nil, err
		}
	}
	if top {
		if err := v.msiUnowned(f); err != nil {
			return nil, err
		}
		v.msiUnhashedMetadata(f, exEntry != nil)
	}
	switch {
	case sigEntry != nil && exEntry == nil:
		v.msiUnsignedMetadata(f, sigEntry)
	case sigEntry == nil:
		// An unsigned MSI's digest, by which a catalog lists it, does not
		// see empty streams either.
		v.msiEmptyStreams(f)
	}
	wait := runAlongside(top, opts.Alongside)
	err := v.msiDigests(f, exEntry, ex, content)
	wait()
	if err != nil {
		return nil, err
	}
	if sigEntry != nil && exEntry != nil {
		for _, s := range v.sigs {
			if s.spc != nil && s.parent < 0 {
				if why := sub.exProblem(s.spc.hash); why != "" {
					sub.problems = append(sub.problems, why)
					v.finding(RuleMSIMetadataDigestMismatch, signing.SeverityError, -1, exEntry.Offset, why)
				}
			}
		}
	}
	v.verifyAll()
	return v.res, nil
}

// msiUnowned reports the bytes of the compound file no stream owns.
func (v *verifier) msiUnowned(f *cfb.File) error {
	sub := v.sub.(*msiSubject)
	regions, err := f.Unowned()
	if err != nil {
		return msiError(err)
	}
	// Small regions add up: spread over many places they carry a payload
	// too.
	total := int64(0)
	for _, reg := range regions {
		total += reg.Len
	}
	payload := false
	for _, reg := range regions {
		sev := signing.SeverityWarning
		if reg.Len > cms.MaxToleratedRegion || total > cms.MaxToleratedTotal {
			sev, payload = signing.SeverityError, true
		}
		v.finding(RuleMSIUnownedData, sev, -1, reg.Offset,
			fmt.Sprintf("%d non-zero bytes in the compound file that no stream owns (%s): no digest covers them", reg.Len, reg.Reason))
	}
	if payload {
		sub.problems = append(sub.problems, "the compound file carries data outside its streams")
	}
	return nil
}

// msiDigests computes the database's digests, for the signatures'
// algorithms, SHA-256 and the extra ones asked for, into v.res and the
// subject: over the metadata first when MsiDigitalSignatureEx (ex, whose
// content is exData) is there. content, when not nil, is written what the
// digests read of the streams.
func (v *verifier) msiDigests(f *cfb.File, exEntry *cfb.Entry, exData []byte, content io.Writer) error {
	sub := v.sub.(*msiSubject)
	algs := []crypto.Hash{crypto.SHA256}
	algs = append(algs, v.opts.Authentihashes...)
	for _, s := range v.sigs {
		if s.spc != nil {
			algs = append(algs, s.spc.hash)
		}
	}
	v.res.Authentihash = map[string]string{}
	var hs []hash.Hash
	var use []crypto.Hash
	for _, a := range dedupe(algs) {
		if !slices.Contains(supported, a) || !a.Available() {
			continue
		}
		h := a.New()
		if exEntry != nil {
			pre := a.New()
			msiPrehash(f, sub.st, pre, true)
			p := pre.Sum(nil)
			sub.prehash(a, p, exData)
			h.Write(p)
		}
		hs, use = append(hs, h), append(use, a)
	}
	ws := make([]io.Writer, 0, len(hs)+1)
	for _, h := range hs {
		ws = append(ws, h)
	}
	if content != nil {
		ws = append(ws, content)
	}
	if err := msiHash(f, sub.st, io.MultiWriter(ws...), true); err != nil {
		return msiError(err)
	}
	for i, a := range use {
		d := hs[i].Sum(nil)
		sub.digests[a] = d
		v.res.Authentihash[cms.HashName(a)] = hex.EncodeToString(d)
	}
	return nil
}

// msiUnsignedMetadata reports what a digest without MsiDigitalSignatureEx
// leaves out. It hashes the streams' contents joined, in name order, and
// no name or size: streams can be renamed within that order and bytes can
// move between neighbours (a note), and an empty stream adds nothing, so
// empty streams, added in any number with any names, are reported like
// unowned bytes: their names' bytes, an error once they could carry a
// payload. So are the streams the database does not refer to, into which
// a stream's tail can be split.
func (v *verifier) msiUnsignedMetadata(f *cfb.File, sig *cfb.Entry) {
	v.finding(RuleMSIUnsignedMetadata, signing.SeverityNote, -1, sig.Offset,
		"the MSI has no MsiDigitalSignatureEx: its signature covers the streams' contents in name order but no name or size, so streams can be renamed within that order, bytes moved between neighbours, and a stream's tail split off into new streams of any names without breaking it")
	v.msiEmptyStreams(f)
}

// msiEmptyStreams reports the empty streams of the database (those in
// its storage, at any depth), which a digest without MsiDigitalSignatureEx
// (a signature's, or the one a catalog lists an unsigned MSI by) does not
// see, and its storages that hold no stream: such a digest sees only
// their class identifiers, joined to the streams' bytes without framing,
// so that one made of the last 16 bytes of the stream before it leaves
// the digest as it was. When the database opens, its non-empty streams
// that it does not refer to ([msiUnreferenced]) are reported alike, their
// names counted with the empty ones': a stream's tail split off into
// streams of any names leaves such a digest as it was.
func (v *verifier) msiEmptyStreams(f *cfb.File) {
	st := v.sub.(*msiSubject).st
	var empty []*cfb.Entry
	total := 0
	holds := msiHoldsStream(f, st)
	unref, _ := msiUnreferenced(f, st)
	for _, e := range msiSubtree(f, st) {
		switch {
		case e.Type == cfb.TypeStream && e.Size == 0 && !(isMSISignatureStream(e) && slices.Contains(f.Children(st), e)),
			e.Type == cfb.TypeStorage && !holds[e.Index],
			unref[e.Index]:
			empty = append(empty, e)
			total += 2 * len(e.RawName)
		}
	}
	payload := false
	for _, e := range empty {
		sev := signing.SeverityWarning
		if 2*len(e.RawName) > cms.MaxToleratedRegion || total > cms.MaxToleratedTotal {
			sev, payload = signing.SeverityError, true
		}
		what := "empty stream"
		switch {
		case e.Type == cfb.TypeStorage:
			what = "storage holding no stream"
		case e.Size > 0:
			what = "stream the database does not refer to"
		}
		v.finding(RuleMSIUnsignedMetadata, sev, -1, e.Offset,
			fmt.Sprintf("%s %q: without MsiDigitalSignatureEx no digest covers its existence or its %d-byte name", what, e.Name, 2*len(e.RawName)))
	}
	if payload {
		v.sub.(*msiSubject).problems = append(v.sub.(*msiSubject).problems, fmt.Sprintf("%d empty or unreferenced streams or storages whose names no digest covers", len(empty)))
	}
}

// msiHoldsStream reports, by entry index, the storages under st (st
// included) that hold a stream at some depth.
func msiHoldsStream(f *cfb.File, st *cfb.Entry) map[int]bool {
	holds := map[int]bool{}
	var walk func(e *cfb.Entry) bool
	walk = func(e *cfb.Entry) bool {
		found := false
		for _, k := range f.Children(e) {
			if k.Type == cfb.TypeStream || k.Type == cfb.TypeStorage && walk(k) {
				found = true
			}
		}
		holds[e.Index] = found
		return found
	}
	walk(st)
	return holds
}

// msiSubtree returns the entries under storage st, at any depth, in
// directory order. cfb has refused a directory whose tree loops.
func msiSubtree(f *cfb.File, st *cfb.Entry) []*cfb.Entry {
	if st == f.Root() {
		return f.Entries
	}
	var out []*cfb.Entry
	stack := []*cfb.Entry{st}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range f.Children(e) {
			out = append(out, k)
			if k.Type == cfb.TypeStorage {
				stack = append(stack, k)
			}
		}
	}
	slices.SortFunc(out, func(a, b *cfb.Entry) int { return a.Index - b.Index })
	return out
}

func msiError(err error) error {
	var fe *cfb.FormatError
	if errors.As(err, &fe) {
		return &FormatError{Offset: fe.Offset, Reason: "compound file: " + fe.Reason}
	}
	return fmt.Errorf("authenticode: %w", err)
}

// msiSignature reads the DigitalSignature stream and parses its PKCS#7.
func (v *verifier) msiSignature(f *cfb.File, e *cfb.Entry) error {
	blob, err := f.ReadAll(e, maxTableBytes)
	if err != nil {
		var fe *cfb.FormatError
		if errors.As(err, &fe) {
			v.addMalformed(0, -1, 0, e.Offset, "DigitalSignature stream: "+fe.Reason)
			return nil
		}
		return msiError(err)
	}
	sd, err := cms.Parse(blob)
	if err != nil {
		v.addMalformed(0, -1, 0, e.Offset, "PKCS#7 SignedData does not parse: "+err.Error())
		return nil
	}
	if extra := len(blob) - sd.Len; extra > 0 {
		sub := v.sub.(*msiSubject)
		sub.problems = append(sub.problems, fmt.Sprintf("%d bytes after the PKCS#7 in the DigitalSignature stream", extra))
		v.finding(RuleMSISignatureTrailingData, signing.SeverityError, 0, e.Offset,
			fmt.Sprintf("the DigitalSignature stream holds %d bytes after its PKCS#7 SignedData: no signature covers them", extra))
	}
	v.addSignature(0, -1, 0, e.Offset, sd, nil, 0)
	return nil
}

// isMSISignatureStream reports whether e is one of the signature streams
// the digest leaves out. A storage of that name is hashed like any other.
func isMSISignatureStream(e *cfb.Entry) bool {
	return e.Type == cfb.TypeStream && (e.Name == msiSignatureStream || e.Name == msiSignatureExStream)
}

// msiSorted returns a storage's children in the order the MSI SIP hashes
// them: names compared as UTF-16LE bytes, a name before its extensions.
func msiSorted(f *cfb.File, st *cfb.Entry) []*cfb.Entry {
	kids := slices.Clone(f.Children(st))
	slices.SortStableFunc(kids, func(a, b *cfb.Entry) int {
		for k := 0; k < len(a.RawName) && k < len(b.RawName); k++ {
			x, y := a.RawName[k], b.RawName[k]
			if x&0xff != y&0xff {
				return int(x&0xff) - int(y&0xff)
			}
			if x>>8 != y>>8 {
				return int(x>>8) - int(y>>8)
			}
		}
		return len(a.RawName) - len(b.RawName)
	})
	return kids
}

// msiHash writes every stream's content in order, recursing into storages,
// then the storage's class identifier. The signature streams of the root
// are left out.
func msiHash(f *cfb.File, st *cfb.Entry, w io.Writer, root bool) error {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	return msiHashBuf(f, st, w, root, *bp)
}

// msiHashBuf is msiHash reading through buf.
func msiHashBuf(f *cfb.File, st *cfb.Entry, w io.Writer, root bool, buf []byte) error {
	for _, e := range msiSorted(f, st) {
		if root && isMSISignatureStream(e) {
			continue
		}
		switch e.Type {
		case cfb.TypeStream:
			// Not the stream's WriteTo (an io.MultiReader's), which
			// reads 32 KiB at a time whatever buf is.
			if _, err := io.CopyBuffer(w, struct{ io.Reader }{f.Open(e)}, buf); err != nil {
				return err
			}
		case cfb.TypeStorage:
			if err := msiHashBuf(f, e, w, false, buf); err != nil {
				return err
			}
		}
	}
	w.Write(st.CLSID[:])
	return nil
}

// msiPrehash writes the metadata MsiDigitalSignatureEx covers: for the
// storage its name (not the database's top one's, top), class identifier,
// state bits and times (not the top one's), then each child in order, a
// stream as its name, size, state bits and times. The top storage is the
// root, or the storage a nested database was stored in, which took the
// place of the root it was signed as.
func msiPrehash(f *cfb.File, st *cfb.Entry, w io.Writer, top bool) {
	msiDirent(st, w, top)
	for _, e := range msiSorted(f, st) {
		if top && isMSISignatureStream(e) {
			continue
		}
		switch e.Type {
		case cfb.TypeStream:
			msiDirent(e, w, false)
		case cfb.TypeStorage:
			msiPrehash(f, e, w, false)
		}
	}
}

func msiDirent(e *cfb.Entry, w io.Writer, top bool) {
	raw := e.Raw[:]
	if !top {
		w.Write(raw[:2*len(e.RawName)])
	}
	if e.Type != cfb.TypeStream {
		w.Write(e.CLSID[:])
	} else {
		w.Write(raw[120:124])
	}
	w.Write(raw[96:100])
	if !top {
		w.Write(raw[100:116])
	}
}

// msiSubject is an MSI database for the shared signature steps.
type msiSubject struct {
	f        *cfb.File
	st       *cfb.Entry // the database's storage: the root, or a nested one's
	digests  map[crypto.Hash][]byte
	pre      map[crypto.Hash]string // why MsiDigitalSignatureEx does not match, per algorithm
	problems []string
}

func (m *msiSubject) prehash(h crypto.Hash, computed, stored []byte) {
	if m.pre == nil {
		m.pre = map[crypto.Hash]string{}
	}
	if !bytes.Equal(computed, stored) {
		m.pre[h] = fmt.Sprintf("MsiDigitalSignatureEx holds %x, the %s metadata digest is %x: the streams' names, sizes, times or class identifiers were changed after signing", stored, cms.HashName(h), computed)
	}
}

func (m *msiSubject) exProblem(h crypto.Hash) string { return m.pre[h] }

func (m *msiSubject) structure(*verifier, *sigState) (signing.CheckName, []string, string) {
	return "compound-file", m.problems, "every byte of the compound file belongs to a stream, a table or the header; MsiDigitalSignatureEx, when present, matches"
}

func (m *msiSubject) dataType(j *judgement) bool { return sipDataType(j, msiGUID, "MSI database") }

func (m *msiSubject) digest(h crypto.Hash) ([]byte, bool) {
	d, ok := m.digests[h]
	return d, ok
}

func (m *msiSubject) what() string { return "MSI database" }

func (m *msiSubject) extra(*judgement) bool { return true }

func (m *msiSubject) rules() formatRules {
	return formatRules{digestMismatch: RuleMSIDigestMismatch, malformed: RuleMSIMalformedSignature}
}
