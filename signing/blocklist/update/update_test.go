package update

import (
	"bytes"
	"context"
	"errors"
	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate/signing/blocklist"
)

// feed serves the files in its map over TLS; tests change them between
// runs.
type feed struct {
	mu    sync.Mutex
	files map[string][]byte
	srv   *httptest.Server
}

func newFeed(t *testing.T) *feed {
	t.Helper()
	f := &feed{files: map[string][]byte{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		b, ok := f.files[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *feed) set(path string, b []byte) {
	f.mu.Lock()
	f.files[path] = b
	f.mu.Unlock()
}

func (f *feed) url(path string) string { return f.srv.URL + path }

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	b, err := pefixtures.Zip(0, files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var fetchTime = time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)

func (f *feed) options(dir string, sources ...Source) Options {
	return Options{Dir: dir, Sources: sources, Client: f.srv.Client(), Now: func() time.Time { return fetchTime }}
}

// hashList returns a hash list with n distinct SHA-256 entries.
func hashList(n int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat("0", 56))
		b.WriteString(strings.ToLower(strings.Repeat("0", 8-len(itoa(i)))))
		b.WriteString(itoa(i))
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var s []byte
	for ; i > 0; i /= 10 {
		s = append([]byte{digits[i%10]}, s...)
	}
	return string(s)
}

func TestUpdateFetchesLocksAndLoadDirReads(t *testing.T) {
	f := newFeed(t)
	f.set("/drivers.json", testdata(t, "loldrivers-drivers.json"))
	f.set("/blocklist.zip", zipOf(t, map[string][]byte{
		"VulnerableDriverBlockList/SiPolicy_Enforced.xml": testdata(t, "sipolicy.xml"),
		"VulnerableDriverBlockList/SiPolicy_Audit.xml":    []byte("<not-used/>"),
	}))
	f.set("/iocs.csv", testdata(t, "sophos-3cx.csv"))
	dir := filepath.Join(t.TempDir(), "lists")
	res, err := Run(context.Background(), f.options(dir,
		Source{Name: "loldrivers", URL: f.url("/drivers.json"), Format: blocklist.FormatLOLDrivers},
		Source{Name: "ms-drivers", URL: f.url("/blocklist.zip"), Member: "SiPolicy_Enforced.xml", Format: blocklist.FormatWDAC},
		Source{Name: "vendor-iocs", URL: f.url("/iocs.csv")},
	))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Sources {
		if s.Status != Updated || s.Entries == 0 {
			t.Errorf("%s: %s with %d entries", s.Name, s.Status, s.Entries)
		}
	}
	lock, err := blocklist.ReadLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(lock.Sources) != 3 {
		t.Fatalf("lock has %d sources", len(lock.Sources))
	}
	csv := lock.Source("vendor-iocs")
	if csv == nil || csv.Format != blocklist.FormatCSV || csv.File != "vendor-iocs.csv" || !csv.Fetched.Equal(fetchTime) {
		t.Errorf("vendor-iocs lock record: %+v", csv)
	}
	if ms := lock.Source("ms-drivers"); ms == nil || ms.FetchedSHA256 == "" || ms.FetchedSHA256 == ms.SHA256 {
		t.Errorf("ms-drivers lock record does not tell the archive from the member: %+v", ms)
	}
	l, err := blocklist.Load(dir, blocklist.LoadOptions{Now: fetchTime.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, s := range res.Sources {
		want += s.Entries
	}
	if l.Len() != want {
		t.Errorf("LoadDir: %d entries, want %d", l.Len(), want)
	}
	if len(l.Warnings()) != 0 && strings.Contains(l.Warnings()[0].Message, "days ago") {
		t.Errorf("a fresh directory warns: %v", l.Warnings())
	}
	// The lock is deterministic: the same run gives the same bytes.
	b1, _ := os.ReadFile(filepath.Join(dir, blocklist.LockName))
	res, err = Run(context.Background(), Options{Dir: dir, KeepLocked: true, Client: f.srv.Client(), Now: func() time.Time { return fetchTime }})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Sources {
		if s.Status != Unchanged {
			t.Errorf("%s: %s on an unchanged feed", s.Name, s.Status)
		}
	}
	b2, _ := os.ReadFile(filepath.Join(dir, blocklist.LockName))
	if !bytes.Equal(b1, b2) {
		t.Errorf("lock changed on an unchanged feed:\n%s\n%s", b1, b2)
	}
}

func TestUpdateRefusesListThatDoesNotParse(t *testing.T) {
	f := newFeed(t)
	f.set("/h.txt", hashList(4))
	dir := t.TempDir()
	src := Source{Name: "iocs", URL: f.url("/h.txt"), Format: blocklist.FormatHashes}
	if _, err := Run(context.Background(), f.options(dir, src)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "iocs.txt"))
	lockBefore, _ := os.ReadFile(filepath.Join(dir, blocklist.LockName))
	f.set("/h.txt", []byte("<html>502 Bad Gateway</html>\n"))
	res, err := Run(context.Background(), f.options(dir, src))
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("error %v, want ErrRefused", err)
	}
	if res.Sources[0].Status != Failed || res.Sources[0].Locked.Entries != 4 {
		t.Errorf("result %+v", res.Sources[0])
	}
	after, _ := os.ReadFile(filepath.Join(dir, "iocs.txt"))
	lockAfter, _ := os.ReadFile(filepath.Join(dir, blocklist.LockName))
	if !bytes.Equal(before, after) || !bytes.Equal(lockBefore, lockAfter) {
		t.Error("a list that does not parse replaced the stored one")
	}
	if _, err := blocklist.LoadDir(dir, blocklist.LoadOptions{}); err != nil {
		t.Errorf("directory unusable after a refused update: %v", err)
	}
}

func TestUpdateRefusesEmptyList(t *testing.T) {
	f := newFeed(t)
	f.set("/h.txt", []byte("# no hashes today\n"))
	_, err := Run(context.Background(), f.options(t.TempDir(), Source{Name: "iocs", URL: f.url("/h.txt"), Format: blocklist.FormatHashes}))
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("error %v, want ErrRefused", err)
	}
}

func TestUpdateRefusesShrunkListUnlessAllowed(t *testing.T) {
	f := newFeed(t)
	f.set("/h.txt", hashList(10))
	dir := t.TempDir()
	src := Source{Name: "iocs", URL: f.url("/h.txt"), Format: blocklist.FormatHashes}
	if _, err := Run(context.Background(), f.options(dir, src)); err != nil {
		t.Fatal(err)
	}
	f.set("/h.txt", hashList(4))
	if _, err := Run(context.Background(), f.options(dir, src)); !errors.Is(err, ErrRefused) {
		t.Fatalf("a list shrunk from 10 to 4 entries: error %v, want ErrRefused", err)
	}
	opts := f.options(dir, src)
	opts.AllowShrink = true
	res, err := Run(context.Background(), opts)
	if err != nil || res.Sources[0].Status != Updated || res.Sources[0].Previous != 10 || res.Sources[0].Entries != 4 {
		t.Fatalf("AllowShrink: %+v, %v", res, err)
	}
	// Growing or shrinking a little needs nothing.
	f.set("/h.txt", hashList(3))
	if _, err := Run(context.Background(), f.options(dir, src)); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateRefusesPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(hashList(2)) }))
	defer srv.Close()
	dir := t.TempDir()
	src := Source{Name: "iocs", URL: srv.URL + "/h.txt", Format: blocklist.FormatHashes}
	_, err := Run(context.Background(), Options{Dir: dir, Sources: []Source{src}})
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("error %v, want a refusal of plain http", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "iocs.txt")); err == nil {
		t.Error("a list fetched over plain http was stored")
	}
	if _, err := Run(context.Background(), Options{Dir: dir, Sources: []Source{src}, AllowHTTP: true}); err != nil {
		t.Errorf("AllowHTTP: %v", err)
	}
}

func TestUpdateRefusesRedirectToPlainHTTP(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(hashList(2)) }))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.RedirectHandler(plain.URL+"/h.txt", http.StatusFound))
	defer tlsSrv.Close()
	_, err := Run(context.Background(), Options{Dir: t.TempDir(), Client: tlsSrv.Client(), Sources: []Source{{Name: "iocs", URL: tlsSrv.URL, Format: blocklist.FormatHashes}}})
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("error %v, want a refused redirect", err)
	}
}

func TestUpdateBodyOverCap(t *testing.T) {
	f := newFeed(t)
	f.set("/h.txt", hashList(100))
	opts := f.options(t.TempDir(), Source{Name: "iocs", URL: f.url("/h.txt"), Format: blocklist.FormatHashes})
	opts.MaxSize = 1000
	if _, err := Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "cap") {
		t.Fatalf("error %v, want the size cap", err)
	}
}

func TestUpdateMemberMustBeUnique(t *testing.T) {
	f := newFeed(t)
	f.set("/z.zip", zipOf(t, map[string][]byte{"a/SiPolicy.xml": nil, "b/SiPolicy.xml": nil}))
	_, err := Run(context.Background(), f.options(t.TempDir(), Source{Name: "ms", URL: f.url("/z.zip"), Member: "SiPolicy.xml", Format: blocklist.FormatWDAC}))
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "more than one") {
		t.Fatalf("error %v", err)
	}
}

func TestUpdateOneFailingSourceKeepsTheOthers(t *testing.T) {
	f := newFeed(t)
	f.set("/good.txt", hashList(3))
	dir := t.TempDir()
	res, err := Run(context.Background(), f.options(dir,
		Source{Name: "good", URL: f.url("/good.txt"), Format: blocklist.FormatHashes},
		Source{Name: "gone", URL: f.url("/missing.txt"), Format: blocklist.FormatHashes},
	))
	if err == nil || !strings.Contains(err.Error(), "gone") {
		t.Fatalf("error %v, want one naming the failed source", err)
	}
	if res.Sources[0].Status != Updated || res.Sources[1].Status != Failed {
		t.Errorf("statuses %s, %s", res.Sources[0].Status, res.Sources[1].Status)
	}
	l, err := blocklist.LoadDir(dir, blocklist.LoadOptions{})
	if err != nil || l.Len() != 3 {
		t.Fatalf("LoadDir: %v, %v", l, err)
	}
}

func TestUpdateRejectsBadSourceNames(t *testing.T) {
	for _, name := range []string{"", "../x", "a/b", "UPPER", ".hidden", strings.Repeat("a", 65), "sources.lock", "sources"} {
		_, err := Run(context.Background(), Options{Dir: t.TempDir(), Sources: []Source{{Name: name, URL: "https://example.invalid/"}}})
		if err == nil || !strings.Contains(err.Error(), "invalid source name") {
			t.Errorf("name %q: error %v", name, err)
		}
	}
}

func TestLoadDirRefusesListChangedAfterFetch(t *testing.T) {
	f := newFeed(t)
	f.set("/h.txt", hashList(3))
	dir := t.TempDir()
	if _, err := Run(context.Background(), f.options(dir, Source{Name: "iocs", URL: f.url("/h.txt"), Format: blocklist.FormatHashes})); err != nil {
		t.Fatal(err)
	}
	// An attacker (or an editor) drops an entry from the stored list.
	p := filepath.Join(dir, "iocs.txt")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)/3], 0o644)
	if _, err := blocklist.LoadDir(dir, blocklist.LoadOptions{}); !errors.Is(err, blocklist.ErrLock) {
		t.Fatalf("error %v, want ErrLock", err)
	}
}

func TestLoadDirWarnsWhenStale(t *testing.T) {
	f := newFeed(t)
	f.set("/h.txt", hashList(3))
	dir := t.TempDir()
	if _, err := Run(context.Background(), f.options(dir, Source{Name: "iocs", URL: f.url("/h.txt"), Format: blocklist.FormatHashes})); err != nil {
		t.Fatal(err)
	}
	l, err := blocklist.LoadDir(dir, blocklist.LoadOptions{Now: fetchTime.Add(blocklist.DirStaleAfter + 24*time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if w := l.Warnings(); len(w) != 1 || !strings.Contains(w[0].Message, "31 days ago") {
		t.Errorf("warnings %v, want one saying the list is 31 days old", w)
	}
}

func TestLoadDirWithoutLock(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "iocs.txt"), hashList(2), 0o644)
	if _, err := blocklist.Load(dir, blocklist.LoadOptions{}); !errors.Is(err, blocklist.ErrLock) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error %v, want ErrLock and ErrNotExist", err)
	}
}

func TestParseLockRejectsPathsOutOfTheDirectory(t *testing.T) {
	sum := strings.Repeat("a", 64)
	for name, lock := range map[string]string{
		"file escapes":   `{"version":1,"sources":[{"name":"x","file":"../x.txt","url":"u","format":"hashes","fetched":"2026-01-01T00:00:00Z","sha256":"` + sum + `","size":1,"entries":1}]}`,
		"bad name":       `{"version":1,"sources":[{"name":"../x","file":"../x.txt","url":"u","format":"hashes","fetched":"2026-01-01T00:00:00Z","sha256":"` + sum + `","size":1,"entries":1}]}`,
		"unknown field":  `{"version":1,"sources":[],"extra":1}`,
		"wrong version":  `{"version":2,"sources":[]}`,
		"auto format":    `{"version":1,"sources":[{"name":"x","file":"x.txt","url":"u","format":"","fetched":"2026-01-01T00:00:00Z","sha256":"` + sum + `","size":1,"entries":1}]}`,
		"upper-case sum": `{"version":1,"sources":[{"name":"x","file":"x.txt","url":"u","format":"hashes","fetched":"2026-01-01T00:00:00Z","sha256":"` + strings.Repeat("A", 64) + `","size":1,"entries":1}]}`,
		"duplicate":      `{"version":1,"sources":[{"name":"x","file":"x.txt","url":"u","format":"hashes","fetched":"2026-01-01T00:00:00Z","sha256":"` + sum + `","size":1,"entries":1},{"name":"x","file":"x.txt","url":"u","format":"hashes","fetched":"2026-01-01T00:00:00Z","sha256":"` + sum + `","size":1,"entries":1}]}`,
		"trailing data":  `{"version":1,"sources":[]} {}`,
	} {
		if _, err := blocklist.ParseLock([]byte(lock), "lock"); !errors.Is(err, blocklist.ErrLock) {
			t.Errorf("%s: error %v, want ErrLock", name, err)
		}
	}
}

func TestDefaultSourcesAreValid(t *testing.T) {
	for _, s := range Default() {
		if !blocklist.ValidSourceName(s.Name) || !strings.HasPrefix(s.URL, "https://") && s.Signed == "" || s.Format == blocklist.FormatAuto {
			t.Errorf("default source %+v", s)
		}
	}
}
