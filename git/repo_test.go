package git

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/crypto/ssh"
)

// epoch is the fixed time test commits start from.
var epoch = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// testRepo builds repositories object by object, so tests control every
// header (dates, signatures, mergetags).
type testRepo struct {
	t   testing.TB
	dir string
	r   *gogit.Repository
	n   int
}

func newTestRepo(t testing.TB) *testRepo {
	t.Helper()
	dir := t.TempDir()
	r, err := gogit.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: dir, r: r}
}

func (tr *testRepo) put(typ plumbing.ObjectType, b []byte) plumbing.Hash {
	tr.t.Helper()
	o := tr.r.Storer.NewEncodedObject()
	o.SetType(typ)
	w, err := o.Writer()
	if err != nil {
		tr.t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	h, err := tr.r.Storer.SetEncodedObject(o)
	if err != nil {
		tr.t.Fatal(err)
	}
	return h
}

// tree writes a tree of files (path -> content; a content starting with
// "symlink:" makes a symlink).
func (tr *testRepo) tree(files map[string]string) plumbing.Hash {
	tr.t.Helper()
	type node struct {
		files map[string]string
		dirs  map[string]map[string]string
	}
	n := node{files: map[string]string{}, dirs: map[string]map[string]string{}}
	for p, c := range files {
		first, rest, ok := strings.Cut(p, "/")
		if !ok {
			n.files[first] = c
			continue
		}
		if n.dirs[first] == nil {
			n.dirs[first] = map[string]string{}
		}
		n.dirs[first][rest] = c
	}
	type ent struct {
		name, mode string
		h          plumbing.Hash
	}
	var es []ent
	for name, c := range n.files {
		mode := "100644"
		if t, ok := strings.CutPrefix(c, "symlink:"); ok {
			mode, c = "120000", t
		}
		es = append(es, ent{name, mode, tr.put(plumbing.BlobObject, []byte(c))})
	}
	for name, sub := range n.dirs {
		es = append(es, ent{name, "40000", tr.tree(sub)})
	}
	// git sorts tree entries by name, directories as if they ended in "/".
	key := func(e ent) string {
		if e.mode == "40000" {
			return e.name + "/"
		}
		return e.name
	}
	sort.Slice(es, func(i, j int) bool { return key(es[i]) < key(es[j]) })
	var b bytes.Buffer
	for _, e := range es {
		fmt.Fprintf(&b, "%s %s\x00", e.mode, e.name)
		b.Write(e.h[:])
	}
	return tr.put(plumbing.TreeObject, b.Bytes())
}

// commitSpec describes a commit to write.
type commitSpec struct {
	files     map[string]string
	parents   []plumbing.Hash
	author    string // "Name <email>"; default Alice
	committer string
	when      time.Time // author date; zero: epoch + n hours
	cwhen     time.Time // committer date; zero: when
	msg       string
	mergetags []string
	// sign, when set, returns the armored signature over the payload.
	sign func(payload []byte) string
	// extraSig adds a second gpgsig header.
	extraSig bool
}

func (tr *testRepo) commit(s commitSpec) plumbing.Hash {
	tr.t.Helper()
	tr.n++
	if s.author == "" {
		s.author = "Alice <alice@example.com>"
	}
	if s.committer == "" {
		s.committer = s.author
	}
	if s.when.IsZero() {
		s.when = epoch.Add(time.Duration(tr.n) * time.Hour)
	}
	if s.cwhen.IsZero() {
		s.cwhen = s.when
	}
	if s.msg == "" {
		s.msg = fmt.Sprintf("commit %d\n", tr.n)
	}
	var h bytes.Buffer
	fmt.Fprintf(&h, "tree %s\n", tr.tree(s.files))
	for _, p := range s.parents {
		fmt.Fprintf(&h, "parent %s\n", p)
	}
	fmt.Fprintf(&h, "author %s %d +0000\n", s.author, s.when.Unix())
	fmt.Fprintf(&h, "committer %s %d +0000\n", s.committer, s.cwhen.Unix())
	for _, mt := range s.mergetags {
		fmt.Fprintf(&h, "mergetag %s", indentHeader(mt))
	}
	payload := append(bytes.Clone(h.Bytes()), "\n"+s.msg...)
	if s.sign != nil {
		sig := s.sign(payload)
		fmt.Fprintf(&h, "gpgsig %s", indentHeader(sig))
		if s.extraSig {
			fmt.Fprintf(&h, "gpgsig %s", indentHeader(sig))
		}
	}
	h.WriteString("\n" + s.msg)
	return tr.put(plumbing.CommitObject, h.Bytes())
}

// indentHeader formats a multi-line header value (ending in "\n").
func indentHeader(v string) string {
	v = strings.TrimSuffix(v, "\n")
	return strings.ReplaceAll(v, "\n", "\n ") + "\n"
}

// tag writes an annotated tag object, signed when sign is set.
func (tr *testRepo) tag(name string, target plumbing.Hash, sign func([]byte) string) plumbing.Hash {
	tr.t.Helper()
	body := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger Alice <alice@example.com> %d +0000\n\nrelease %s\n", target, name, epoch.Unix(), name)
	if sign != nil {
		body += sign([]byte(body))
	}
	h := tr.put(plumbing.TagObject, []byte(body))
	tr.ref("refs/tags/"+name, h)
	return h
}

func (tr *testRepo) tagBody(name string, target plumbing.Hash, sign func([]byte) string) string {
	body := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger Alice <alice@example.com> %d +0000\n\nrelease %s\n", target, name, epoch.Unix(), name)
	if sign != nil {
		body += sign([]byte(body))
	}
	return body
}

func (tr *testRepo) ref(name string, h plumbing.Hash) {
	tr.t.Helper()
	if err := tr.r.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(name), h)); err != nil {
		tr.t.Fatal(err)
	}
}

// head points HEAD's branch (master) at h.
func (tr *testRepo) head(h plumbing.Hash) { tr.ref("refs/heads/master", h) }

// pgpKey is a test OpenPGP key.
type pgpKey struct {
	e *openpgp.Entity
}

func newPGPKey(t testing.TB, name, email string) *pgpKey {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", email, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return epoch.Add(-24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	return &pgpKey{e: e}
}

func (k *pgpKey) sign(payload []byte) string {
	var b bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&b, k.e, bytes.NewReader(payload), &packet.Config{Time: func() time.Time { return epoch }}); err != nil {
		panic(err)
	}
	return b.String() + "\n"
}

func (k *pgpKey) keyring(t testing.TB) openpgp.EntityList { return openpgp.EntityList{k.e} }

// sshKey is a test ed25519 SSH key.
type sshKey struct {
	priv ed25519.PrivateKey
	pub  ssh.PublicKey
	s    ssh.Signer
}

func newSSHKey(t testing.TB) *sshKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := ssh.NewPublicKey(pub)
	return &sshKey{priv: priv, pub: sp, s: s}
}

func (k *sshKey) authorized() string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.pub)))
}

// signNS makes an armored SSHSIG over payload (written here independently of
// the verifier, from PROTOCOL.sshsig).
func (k *sshKey) signNS(payload []byte, ns, hashAlg string) string {
	var digest []byte
	switch hashAlg {
	case "sha256":
		d := sha256Sum(payload)
		digest = d
	default:
		d := sha512Sum(payload)
		digest = d
	}
	str := func(b []byte) []byte {
		l := len(b)
		return append([]byte{byte(l >> 24), byte(l >> 16), byte(l >> 8), byte(l)}, b...)
	}
	var signed []byte
	signed = append(signed, "SSHSIG"...)
	signed = append(signed, str([]byte(ns))...)
	signed = append(signed, str(nil)...)
	signed = append(signed, str([]byte(hashAlg))...)
	signed = append(signed, str(digest)...)
	sig, err := k.s.Sign(rand.Reader, signed)
	if err != nil {
		panic(err)
	}
	var blob []byte
	blob = append(blob, "SSHSIG"...)
	blob = append(blob, 0, 0, 0, 1)
	blob = append(blob, str(k.pub.Marshal())...)
	blob = append(blob, str([]byte(ns))...)
	blob = append(blob, str(nil)...)
	blob = append(blob, str([]byte(hashAlg))...)
	blob = append(blob, str(ssh.Marshal(sig))...)
	enc := base64.StdEncoding.EncodeToString(blob)
	var b strings.Builder
	b.WriteString("-----BEGIN SSH SIGNATURE-----\n")
	for len(enc) > 70 {
		b.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	b.WriteString(enc + "\n-----END SSH SIGNATURE-----\n")
	return b.String()
}

func (k *sshKey) sign(payload []byte) string { return k.signNS(payload, "git", "sha512") }

// gitBin returns the git binary or skips the test.
func gitBin(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git binary not on PATH; skipping the cross-check against git")
	}
	return p
}

// runGit runs git in dir and returns its trimmed output.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(gitBin(t), append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

func sha256Sum(b []byte) []byte { d := sha256.Sum256(b); return d[:] }
func sha512Sum(b []byte) []byte { d := sha512.Sum512(b); return d[:] }
