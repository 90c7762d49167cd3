package git

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// A generated repository for the path-history benchmark and its cross-check
// with git: a long mostly linear history with regular merges, a vendored
// directory (vendor/, 10 libraries of 20 files) changed every 37th commit and
// by some side branches, and source files changed by the rest. It is built
// with git fast-import in a temporary directory, never committed.

const (
	// bigCommits is the benchmarks' repository size.
	bigCommits = 50000
	// checkCommits is the size of the repository the cross-check with git
	// runs on: every structure of the generated history (vendor updates
	// every 37th commit, side branches every 100th merged back, one in
	// three touching vendor/) recurs dozens of times, and its ~22,000
	// objects are over five times the pack reader's 4096-object cache, so
	// eviction is exercised as on the big one.
	checkCommits = 6000
	bigSince     = "refs/tags/base" // tag at a tenth of the commits
)

// genRepo is a generated repository, built once per test binary and size.
type genRepo struct {
	once sync.Once
	dir  string
	err  error
}

var (
	genMu    sync.Mutex
	genRepos = map[int]*genRepo{}
	bigDirs  []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range bigDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// genFastImport writes a fast-import stream of n commits, with the tag
// refs/tags/base at commit n/10.
func genFastImport(w *bufio.Writer, n int) {
	mark := 0
	file := func(path, content string) {
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	ts := int64(1700000000)
	commit := func(ref string, from int, merges []int, msg string, body func()) int {
		mark++
		ts += 60
		fmt.Fprintf(w, "commit %s\nmark :%d\nauthor Dev <dev@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\ndata %d\n%s\n",
			ref, mark, ts, ts, len(msg), msg)
		if from > 0 {
			fmt.Fprintf(w, "from :%d\n", from)
		}
		for _, m := range merges {
			fmt.Fprintf(w, "merge :%d\n", m)
		}
		body()
		w.WriteString("\n")
		return mark
	}
	vendorFile := func(i int) string { return fmt.Sprintf("vendor/lib%d/src/file%02d.c", i%10, i%20) }
	srcFile := func(i int) string { return fmt.Sprintf("src/mod%d/file%02d.go", i%10, (i/10)%10) }
	head := commit("refs/heads/master", 0, nil, "initial", func() {
		for i := 0; i < 200; i++ {
			file(vendorFile(i*11), fmt.Sprintf("vendor %d v0\n", i))
		}
		for i := 0; i < 100; i++ {
			file(srcFile(i), fmt.Sprintf("package mod\n// %d\n", i))
		}
		file("README.md", "generated\n")
	})
	for i := 1; i < n; i++ {
		if i == n/10 {
			fmt.Fprintf(w, "reset refs/tags/base\nfrom :%d\n\n", head)
		}
		switch {
		case i%100 == 50 && i+4 < n:
			// A side branch of three commits from ten commits back would
			// need the mark; branch from the current head instead and
			// merge it after two more mainline commits.
			base := head
			touchVendor := i%300 == 50
			side := base
			var sideFiles [][2]string
			for j := 0; j < 3; j++ {
				p := srcFile(i*3 + j + 7)
				if touchVendor && j == 1 {
					p = vendorFile(i + j)
				}
				c := fmt.Sprintf("side %d %d\n", i, j)
				sideFiles = append(sideFiles, [2]string{p, c})
				side = commit("refs/heads/side", side, nil, fmt.Sprintf("side %d.%d", i, j), func() { file(p, c) })
			}
			for j := 0; j < 2; j++ {
				p, c := srcFile(i+j+1), fmt.Sprintf("main %d %d\n", i, j)
				head = commit("refs/heads/master", head, nil, fmt.Sprintf("main %d.%d", i, j), func() { file(p, c) })
			}
			head = commit("refs/heads/master", head, []int{side}, fmt.Sprintf("merge side %d", i), func() {
				for _, f := range sideFiles {
					file(f[0], f[1])
				}
			})
			i += 5
		case i%37 == 0:
			p, c := vendorFile(i), fmt.Sprintf("vendor update %d\n", i)
			head = commit("refs/heads/master", head, nil, fmt.Sprintf("vendor %d", i), func() { file(p, c) })
		default:
			p, c := srcFile(i), fmt.Sprintf("package mod\n// change %d\n", i)
			head = commit("refs/heads/master", head, nil, fmt.Sprintf("change %d", i), func() { file(p, c) })
		}
	}
}

// bigRepo returns the benchmarks' generated repository of bigCommits
// commits, building it on first use.
func bigRepo(tb testing.TB) string {
	tb.Helper()
	return generatedRepo(tb, bigCommits)
}

// generatedRepo returns a generated repository of n commits, building it
// on first use in this test binary.
func generatedRepo(tb testing.TB, n int) string {
	tb.Helper()
	git := gitBin(tb)
	genMu.Lock()
	g := genRepos[n]
	if g == nil {
		g = &genRepo{}
		genRepos[n] = g
	}
	genMu.Unlock()
	g.once.Do(func() {
		dir, err := os.MkdirTemp("", "shipgate-bigrepo")
		if err != nil {
			g.err = err
			return
		}
		genMu.Lock()
		bigDirs = append(bigDirs, dir)
		genMu.Unlock()
		if out, err := exec.Command(git, "init", "-q", "--bare", dir).CombinedOutput(); err != nil {
			g.err = fmt.Errorf("git init: %v: %s", err, out)
			return
		}
		var buf bytes.Buffer
		bw := bufio.NewWriter(&buf)
		genFastImport(bw, n)
		bw.Flush()
		cmd := exec.Command(git, "-C", dir, "fast-import", "--quiet")
		cmd.Stdin = &buf
		cmd.Env = fastImportEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			g.err = fmt.Errorf("git fast-import: %v: %s", err, out)
			return
		}
		cmd = exec.Command(git, "-C", dir, "symbolic-ref", "HEAD", "refs/heads/master")
		if out, err := cmd.CombinedOutput(); err != nil {
			g.err = fmt.Errorf("git symbolic-ref: %v: %s", err, out)
			return
		}
		g.dir = dir
	})
	if g.err != nil {
		tb.Fatal(g.err)
	}
	return g.dir
}

// gitLogSet runs the reference command.
func gitLogSet(tb testing.TB, dir string) []string {
	out, err := exec.Command(gitBin(tb), "-C", dir, "log", "--full-history", "--format=%H", bigSince+"..master", "--", "vendor/").Output()
	if err != nil {
		tb.Fatal(err)
	}
	return lines(string(out))
}

func TestPathHistoryMatchesGitOnGeneratedRepo(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates a 6,000-commit repository")
	}
	dir := generatedRepo(t, checkCommits)
	want := gitLogSet(t, dir)
	t.Logf("git log: %d commits change vendor/", len(want))
	if len(want) < 150 {
		t.Fatalf("git reports only %d vendor commits", len(want))
	}
	for _, b := range []Backend{BackendGoGit, BackendGitCLI} {
		got, err := PathHistory(context.Background(), dir, bigSince, "master", []string{"vendor"}, HistoryOptions{Backend: b})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d commits, git log %d; first difference %v", b, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " vs " + b[i]
		}
	}
	return fmt.Sprintf("lengths %d, %d", len(a), len(b))
}

// BenchmarkPathHistory compares git log --full-history -- vendor/ with both
// backends on the generated repository, without and with a commit-graph.
// Run: go test -run XXX -bench PathHistory -benchtime 5x ./git/
func BenchmarkPathHistory(b *testing.B) {
	dir := bigRepo(b)
	for _, graph := range []bool{false, true} {
		name := "nograph"
		if graph {
			name = "commitgraph"
			if out, err := exec.Command(gitBin(b), "-C", dir, "commit-graph", "write", "--reachable").CombinedOutput(); err != nil {
				b.Fatalf("commit-graph write: %v: %s", err, out)
			}
		} else {
			os.Remove(filepath.Join(dir, "objects", "info", "commit-graph"))
		}
		b.Run(name+"/git-log", func(b *testing.B) {
			for b.Loop() {
				gitLogSet(b, dir)
			}
		})
		for _, be := range []Backend{BackendGoGit, BackendGitCLI} {
			b.Run(name+"/"+be.String(), func(b *testing.B) {
				for b.Loop() {
					if _, err := PathHistory(context.Background(), dir, bigSince, "master", []string{"vendor"}, HistoryOptions{Backend: be}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	os.Remove(filepath.Join(dir, "objects", "info", "commit-graph"))
}

// BenchmarkAudit runs the whole audit (every commit's signature, dates and
// blobs, plus the protected-path walk) over the generated repository's
// 45,000-commit range.
// Paths are matched ignoring case (the default) and with caseSensitivePaths.
func BenchmarkAudit(b *testing.B) {
	dir := bigRepo(b)
	for _, cs := range []bool{false, true} {
		name := "fold"
		if cs {
			name = "exact"
		}
		b.Run(name, func(b *testing.B) {
			opts := Options{Since: bigSince, Until: "master", Backend: BackendGoGit, Now: time.Unix(1800000000, 0),
				Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}, CaseSensitivePaths: cs}}
			for b.Loop() {
				res, err := Audit(context.Background(), dir, opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Commits) < 1000 {
					b.Fatalf("%d protected commits", len(res.Commits))
				}
			}
		})
	}
}

// BenchmarkAuditVsGitLog interleaves one "git log --raw -m --full-history"
// over the generated repository's range (a tree diff of every commit against
// every parent: the work the repository-wide binary heuristic needs) and one
// Audit with every check on, per backend, so load on a shared machine affects
// both alike. It reports the ratios of wall time (mean and best-of) and of
// CPU time (targets: at most 1.5 with the git backend, 2.5 with go-git), and
// the audit's cost per commit.
// Run: go test -run XXX -bench AuditVsGitLog -benchtime 3x ./git/
func BenchmarkAuditVsGitLog(b *testing.B) {
	dir := bigRepo(b)
	git := gitBin(b)
	for _, be := range []Backend{BackendGitCLI, BackendGoGit} {
		b.Run(be.String(), func(b *testing.B) {
			opts := Options{Since: bigSince, Until: "master", Backend: be, Now: time.Unix(1800000000, 0),
				Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}}}
			var tGit, tAudit, cGit, cAudit time.Duration
			bestGit, bestAudit := time.Duration(1<<62), time.Duration(1<<62)
			commits := 0
			for b.Loop() {
				cmd := exec.Command(git, "-C", dir, "log", "--raw", "-m", "--full-history", "--format=%H", bigSince+"..master")
				// A pipe, as a reader of the log has: git may skip work
				// for output to /dev/null.
				cmd.Stdout = io.Discard
				c0, _ := cpuTime()
				t0 := time.Now()
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				c1, _ := cpuTime()
				res, err := Audit(context.Background(), dir, opts)
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				c2, _ := cpuTime()
				commits = res.RangeSize
				dGit, dAudit := t1.Sub(t0), t2.Sub(t1)
				tGit += dGit
				tAudit += dAudit
				bestGit, bestAudit = min(bestGit, dGit), min(bestAudit, dAudit)
				// Both include the children: git log itself, and the git
				// rev-list the git backend runs.
				cGit += c1 - c0
				cAudit += c2 - c1
			}
			b.ReportMetric(tAudit.Seconds()/tGit.Seconds(), "audit/git-log")
			b.ReportMetric(bestAudit.Seconds()/bestGit.Seconds(), "best-audit/git-log")
			if cAudit > 0 && cGit > 0 {
				b.ReportMetric(cAudit.Seconds()/cGit.Seconds(), "cpu-audit/git-log")
			}
			if commits > 0 {
				n := float64(commits) * float64(b.N)
				b.ReportMetric(float64(tAudit.Microseconds())/n, "audit-µs/commit")
				b.ReportMetric(float64(cAudit.Microseconds())/n, "audit-cpu-µs/commit")
			}
		})
	}
}
