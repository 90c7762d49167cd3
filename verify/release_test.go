package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/signing"
)

// run verifies paths with the fixture trust store at checkTime.
func run(t testing.TB, opts Options, paths ...string) *Report {
	t.Helper()
	if opts.Trust == nil {
		opts.Trust = getFixtures(t).trust
	}
	if opts.Time.IsZero() {
		opts.Time = checkTime
	}
	r, err := Release(context.Background(), opts, paths...)
	if err != nil {
		t.Fatalf("Release: %v", err)
	}
	return r
}

func fileByPath(r *Report, p string) *File {
	for i := range r.Files {
		if r.Files[i].Path == p {
			return &r.Files[i]
		}
	}
	return nil
}

// rulesFor lists "severity rule" of the findings about path p, sorted.
func rulesFor(r *Report, p string) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Path == p {
			out = append(out, f.Severity.String()+" "+string(f.Rule))
		}
	}
	sort.Strings(out)
	return out
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// releaseDir writes the standard fixture release and returns its directory.
func releaseDir(t testing.TB) string {
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"win/app.exe":           f.peValid,
		"win/unsigned.dll":      f.peUnsigned,
		"win/tampered.dll":      f.peTampered,
		"win/untrusted.dll":     f.peUntrusted,
		"win/renamed.dat":       f.peValid,
		"win/truncated.exe":     f.peValid[:0x100],
		"mac/MyApp":             f.machoValid,
		"mac/helper":            f.machoAdhoc,
		"mac/libunsigned.dylib": f.machoUnsigned,
		"mac/universal":         f.fat,
		"mac/Truncated":         f.machoValid[:64],
		"web/index.js":          []byte("console.log('hi')\n"),
		"web/Main.class":        {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 1, 2, 3},
		"resources/app.asar":    packAsar([]electronfix.AsarFile{{Path: "package.json", Data: []byte(`{"name":"x"}`)}, {Path: "node_modules/native/build/addon.node", Data: f.machoValid}}),
		"README.txt":            []byte("hello\n"),
	})
	return dir
}

func TestReleaseDirectory(t *testing.T) {
	t.Parallel()
	dir := releaseDir(t)
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "web", "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../README.txt", filepath.Join(dir, "web", "inside")); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{}, dir)

	kinds := map[string]Kind{
		"win/app.exe": KindPE, "win/renamed.dat": KindPE, "win/unsigned.dll": KindPE,
		"mac/MyApp": KindMachO, "mac/universal": KindMachOUniversal, "web/Main.class": KindOther,
		"resources/app.asar": KindAsar, "resources/app.asar/node_modules/native/build/addon.node": KindMachO,
		"resources/app.asar/package.json": KindOther, "README.txt": KindOther,
	}
	for p, k := range kinds {
		f := fileByPath(r, p)
		if f == nil {
			t.Errorf("%s: not in the report", p)
			continue
		}
		if f.Kind != k {
			t.Errorf("%s: kind %s, want %s", p, f.Kind, k)
		}
	}
	if f := fileByPath(r, "web/inside"); f != nil {
		t.Errorf("a symlink inside the release was reported as a file")
	}

	status := func(p string) signing.Status {
		f := fileByPath(r, p)
		if f == nil || len(f.Signatures) == 0 {
			return signing.StatusUnsigned
		}
		s := f.Signatures[0].Status
		for _, x := range f.Signatures {
			s = s.Worse(x.Status)
		}
		return s
	}
	for p, want := range map[string]signing.Status{
		"win/app.exe": signing.StatusValid, "win/renamed.dat": signing.StatusValid,
		"win/untrusted.dll": signing.StatusUntrusted, "win/tampered.dll": signing.StatusInvalid,
		"mac/MyApp": signing.StatusValid, "mac/helper": signing.StatusAdhoc, "mac/universal": signing.StatusValid,
		"resources/app.asar/node_modules/native/build/addon.node": signing.StatusValid,
	} {
		if got := status(p); got != want {
			t.Errorf("%s: status %s, want %s", p, got, want)
		}
	}

	for p, want := range map[string][]string{
		"win/unsigned.dll":      {"warning policy/unsigned"},
		"win/untrusted.dll":     {"warning policy/untrusted"},
		"mac/helper":            {"warning policy/adhoc-not-allowed"},
		"mac/libunsigned.dylib": {"warning policy/unsigned"},
		"web/escape":            {"error file/symlink-escape"},
		"win/app.exe":           nil,
		"mac/MyApp":             nil,
		"README.txt":            nil,
	} {
		got := rulesFor(r, p)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: findings %q, want %q", p, got, want)
		}
	}
	// Malformed files are findings, not failures of the run.
	for _, p := range []string{"win/truncated.exe", "mac/Truncated"} {
		got := rulesFor(r, p)
		if len(got) == 0 || !strings.HasPrefix(got[0], "error ") || !strings.Contains(strings.Join(got, ","), "malformed") {
			t.Errorf("%s: findings %q, want a malformed error", p, got)
		}
	}
	tam := rulesFor(r, "win/tampered.dll")
	if len(tam) == 0 || !strings.HasPrefix(tam[0], "error ") {
		t.Errorf("win/tampered.dll: findings %q, want an error", tam)
	}
	if r.Summary.Passed {
		t.Errorf("summary passed with errors present: %+v", r.Summary)
	}
	if r.Summary.Files != len(r.Files) {
		t.Errorf("summary files %d, report lists %d", r.Summary.Files, len(r.Files))
	}
	for _, f := range r.Files {
		if f.SHA256.IsZero() {
			t.Errorf("%s: sha256 %q", f.Path, f.SHA256)
		}
	}
}

// TestDeterministic checks that the report does not depend on scheduling.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	dir := releaseDir(t)
	var outs [][]byte
	for _, w := range []int{1, 2, 7} {
		r := run(t, Options{Workers: w}, dir)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Fatalf("report with different worker counts differs:\n%s\n---\n%s", outs[0], outs[i])
		}
	}
}

func TestReleaseZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := makeZip(t, []zipEntry{
		{name: "app/app.exe", data: f.peValid, store: true},
		{name: "app/deflated.exe", data: f.peValid},
		{name: "app/lib.dylib", data: f.machoValid},
		{name: "app/readme.txt", data: []byte("hi")},
		{name: "app/resources/app.asar", data: packAsar([]electronfix.AsarFile{{Path: "a.js", Data: []byte("x")}})},
		{name: "../evil.exe", data: f.peValid},
		{name: "app/dup.txt", data: []byte("one")},
		{name: "app/dup.txt", data: []byte("two")},
		{name: "app/link", data: []byte("../../etc/passwd"), mode: os.ModeSymlink | 0o777},
		{name: "app/dir/", data: nil},
	})
	dir := t.TempDir()
	zp := filepath.Join(dir, "release.zip")
	if err := os.WriteFile(zp, z, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{MaxBuffer: 1 << 20}, zp)
	for p, k := range map[string]Kind{"app/app.exe": KindPE, "app/deflated.exe": KindPE, "app/lib.dylib": KindMachO,
		"app/readme.txt": KindOther, "app/resources/app.asar/a.js": KindOther} {
		got := fileByPath(r, p)
		if got == nil {
			t.Errorf("%s: missing", p)
			continue
		}
		if got.Kind != k {
			t.Errorf("%s: kind %s, want %s", p, got.Kind, k)
		}
		if k.Native() && (len(got.Signatures) == 0 || got.Signatures[0].Status != signing.StatusValid) {
			t.Errorf("%s: signatures %+v, want valid", p, got.Signatures)
		}
	}
	want := fileByPath(r, "app/app.exe").SHA256
	if got := fileByPath(r, "app/deflated.exe").SHA256; got != want {
		t.Errorf("stored and deflated copies hash differently: %s vs %s", want, got)
	}
	if !has(rulesFor(r, ""), "error file/insecure-path") {
		t.Errorf("no file/insecure-path finding for ../evil.exe: %q", rulesFor(r, ""))
	}
	if !has(rulesFor(r, "app/dup.txt"), "error file/duplicate-entry") {
		t.Errorf("no duplicate-entry finding: %q", rulesFor(r, "app/dup.txt"))
	}
	if !has(rulesFor(r, "app/link"), "error file/symlink-escape") {
		t.Errorf("no symlink-escape finding for a zip symlink: %q", rulesFor(r, "app/link"))
	}
}

func TestZipLimits(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	t.Run("compressed native code over the memory cap", func(t *testing.T) {
		z := makeZip(t, []zipEntry{{name: "big.exe", data: f.peValid}})
		zp := filepath.Join(t.TempDir(), "r.zip")
		os.WriteFile(zp, z, 0o644)
		r := run(t, Options{MaxBuffer: 64}, zp)
		if !has(rulesFor(r, "big.exe"), "error file/unreadable") {
			t.Errorf("findings %q, want file/unreadable", rulesFor(r, "big.exe"))
		}
		if g := fileByPath(r, "big.exe"); g == nil || g.Kind != KindPE || g.SHA256.IsZero() {
			t.Errorf("file entry %+v: want a hashed pe", g)
		}
	})
	t.Run("stored entry with a bad CRC", func(t *testing.T) {
		z := makeZip(t, []zipEntry{{name: "a.txt", data: []byte("hello, world"), store: true}})
		i := bytes.Index(z, []byte("hello, world"))
		z[i] = 'j'
		zp := filepath.Join(t.TempDir(), "r.zip")
		os.WriteFile(zp, z, 0o644)
		r := run(t, Options{}, zp)
		if !has(rulesFor(r, "a.txt"), "error file/malformed") {
			t.Errorf("findings %q, want file/malformed", rulesFor(r, "a.txt"))
		}
	})
	t.Run("deflated entry with a bad CRC", func(t *testing.T) {
		z := makeZip(t, []zipEntry{{name: "a.txt", data: bytes.Repeat([]byte("hello, world "), 100)}})
		// Flip the CRC-32 in the local and central headers.
		for _, sig := range [][]byte{{'P', 'K', 3, 4}, {'P', 'K', 1, 2}} {
			i := bytes.Index(z, sig)
			off := 14
			if sig[2] == 1 {
				off = 16
			}
			z[i+off] ^= 0xff
		}
		zp := filepath.Join(t.TempDir(), "r.zip")
		os.WriteFile(zp, z, 0o644)
		r := run(t, Options{}, zp)
		if !has(rulesFor(r, "a.txt"), "error file/malformed") {
			t.Errorf("findings %q, want file/malformed", rulesFor(r, "a.txt"))
		}
	})
}

func TestMultipleInputs(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	a, b := t.TempDir(), t.TempDir()
	writeTree(t, a, map[string][]byte{"x.exe": f.peValid})
	writeTree(t, b, map[string][]byte{"y.dylib": f.machoValid, "asar/app.asar": packAsar([]electronfix.AsarFile{{Path: "m.js", Data: []byte("1")}})})
	r := run(t, Options{}, filepath.Join(a, "x.exe"), b, filepath.Join(b, "asar", "app.asar"))
	base := filepath.Base(b)
	for _, p := range []string{"x.exe", base + "/y.dylib", "app.asar", "app.asar/m.js", base + "/asar/app.asar/m.js"} {
		if fileByPath(r, p) == nil {
			var got []string
			for _, f := range r.Files {
				got = append(got, f.Path)
			}
			t.Errorf("%s missing; files %q", p, got)
		}
	}
	if _, err := Release(context.Background(), Options{Trust: f.trust}, a, filepath.Join(t.TempDir(), filepath.Base(a))); err == nil {
		t.Errorf("inputs with the same base name: no error")
	}
	if _, err := Release(context.Background(), Options{}, filepath.Join(a, "missing")); err == nil {
		t.Errorf("missing input: no error")
	}
}

func TestPolicyRules(t *testing.T) {
	t.Parallel()
	dir := releaseDir(t)
	yes := true
	pol := &Policy{
		Rules: []Rule{
			{Match: []string{"**"}, Require: RequireValid},
			{Match: []string{"win/**"}, Signers: []Signer{{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}}},
			{Match: []string{"mac/helper"}, AllowAdhoc: &yes},
			{Match: []string{"mac/libunsigned.dylib"}, AllowUnsigned: &yes},
			{Match: []string{"web/**"}, ForbidKinds: []Kind{KindPE}},
		},
		Severity: map[string]string{"file/symlink-escape": "off"},
	}
	f := getFixtures(t)
	writeTree(t, dir, map[string][]byte{"web/sneaky.png": f.peUnsigned})
	r := run(t, Options{Policy: pol}, dir)
	for p, want := range map[string][]string{
		"win/app.exe":           nil,
		"win/untrusted.dll":     {"error policy/signer-not-allowed", "error policy/untrusted"},
		"win/unsigned.dll":      {"error policy/unsigned"},
		"mac/helper":            nil,
		"mac/libunsigned.dylib": nil,
		"mac/MyApp":             nil,
		"web/sneaky.png":        {"error policy/forbidden-kind", "error policy/unsigned"},
	} {
		got := rulesFor(r, p)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: findings %q, want %q", p, got, want)
		}
	}
	// A valid signature by another identity is not allowed.
	pol.Rules[1].Signers = []Signer{{TeamID: "OTHERTEAM1"}}
	r = run(t, Options{Policy: pol}, dir)
	if got := rulesFor(r, "win/app.exe"); !has(got, "error policy/signer-not-allowed") {
		t.Errorf("win/app.exe with a foreign signer: findings %q", got)
	}
	if got := rulesFor(r, "win/untrusted.dll"); !has(got, "error policy/signer-not-allowed") {
		t.Errorf("an untrusted signature must never match an allowed signer: %q", got)
	}
	// The thumbprint form matches the leaf.
	pol.Rules[1].Signers = []Signer{{Thumbprint: strings.ToUpper(fileByPath(r, "win/app.exe").Signatures[0].Signer.SHA1)}}
	r = run(t, Options{Policy: pol}, dir)
	if got := rulesFor(r, "win/app.exe"); len(got) != 0 {
		t.Errorf("win/app.exe pinned by thumbprint: findings %q", got)
	}
	if got := rulesFor(r, "web/escape"); len(got) != 0 {
		t.Errorf("severity off did not drop the finding: %q", got)
	}
}

func TestFailOn(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"a.dll": f.peUnsigned})
	for _, c := range []struct {
		failOn FailOn
		pass   bool
	}{{"", true}, {FailOnError, true}, {FailOnWarning, false}, {FailOnNote, false}, {FailOnNever, true}} {
		r := run(t, Options{FailOn: c.failOn}, dir)
		if r.Summary.Passed != c.pass || r.Summary.Warnings != 1 {
			t.Errorf("failOn %q: summary %+v, want passed=%v with 1 warning", c.failOn, r.Summary, c.pass)
		}
	}
	r := run(t, Options{Policy: &Policy{FailOn: FailOnWarning}}, dir)
	if r.Summary.Passed {
		t.Errorf("policy failOn warning did not fail the gate")
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	dir := releaseDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Release(ctx, Options{Trust: getFixtures(t).trust}, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before start: err %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	_, err := Release(ctx, Options{Trust: getFixtures(t).trust, Workers: 1, Progress: func(Progress) {
		calls++
		cancel()
	}}, dir)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during the run: err %v", err)
	}
	if calls > 2 {
		t.Errorf("%d files were checked after cancellation", calls-1)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	dir := releaseDir(t)
	var last Progress
	n := 0
	r := run(t, Options{Progress: func(p Progress) { last = p; n++ }}, dir)
	if n != len(r.Files) || last.Files != len(r.Files) {
		t.Errorf("progress called %d times, last %+v; %d files", n, last, len(r.Files))
	}
	var total int64
	for _, f := range r.Files {
		total += f.Size
	}
	if last.Bytes != total {
		t.Errorf("progress bytes %d, want %d", last.Bytes, total)
	}
}

func TestUnreadableFile(t *testing.T) {
	t.Parallel()
	if os.Getuid() == 0 {
		t.Skip("running as root: permissions do not stop reads")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b")})
	os.Chmod(filepath.Join(dir, "a.txt"), 0)
	r := run(t, Options{}, dir)
	if !has(rulesFor(r, "a.txt"), "error file/unreadable") || fileByPath(r, "b.txt") == nil {
		t.Errorf("findings %q, files %+v", rulesFor(r, "a.txt"), r.Files)
	}
}

func TestMain(m *testing.M) {
	runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0)))
	// No verdict may depend on the machine's own roots: the default policy
	// trusts the system store, which tests stand in for (withSystemRoots).
	defaultSystemRootFiles = []string{}
	code := m.Run()
	for _, d := range []string{benchDir, bigAppDir, smallDir} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

// TestCompressedArchivesUnderBudget checks a zip whose deflated entries
// (asar archives holding native code, and native code) need more memory
// together than the budget allows: they are taken in turn, never deadlock.
func TestCompressedArchivesUnderBudget(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	asar := packAsar([]electronfix.AsarFile{{Path: "a.node", Data: f.machoValid}, {Path: "b.node", Data: f.peValid}})
	var entries []zipEntry
	for i := 0; i < 8; i++ {
		entries = append(entries, zipEntry{name: "r" + itoa(i) + "/app.asar", data: asar}, zipEntry{name: "r" + itoa(i) + "/x.exe", data: f.peValid})
	}
	zp := filepath.Join(t.TempDir(), "r.zip")
	os.WriteFile(zp, makeZip(t, entries), 0o644)
	budget := int64(len(asar) + 16)
	r := run(t, Options{MaxBuffer: budget, Workers: 2}, zp)
	for i := 0; i < 8; i++ {
		for _, p := range []string{"r" + itoa(i) + "/app.asar/a.node", "r" + itoa(i) + "/app.asar/b.node", "r" + itoa(i) + "/x.exe"} {
			if g := fileByPath(r, p); g == nil || len(g.Signatures) == 0 || g.Signatures[0].Status != signing.StatusValid {
				t.Errorf("%s: %+v", p, g)
			}
		}
	}
}
