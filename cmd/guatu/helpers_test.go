package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guatu/db"
)

// syncBuffer is an io.Writer the server writes to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// noEnv keeps the developer's GUATU_* variables out of the tests.
func noEnv(string) string { return "" }

var schemaSeq atomic.Int64

// testDB returns a database location of the test's own: a SQLite file in a
// temp dir, or a fresh schema on GUATU_TEST_POSTGRES. data is a temp dir.
func testDB(t *testing.T) (dsn, data string) {
	t.Helper()
	data = t.TempDir()
	base := os.Getenv("GUATU_TEST_POSTGRES")
	if base == "" {
		return filepath.Join(data, "guatu.db"), data
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, base)
	if err != nil {
		t.Fatalf("GUATU_TEST_POSTGRES: %v", err)
	}
	schema := fmt.Sprintf("cmd_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, schemaSeq.Add(1))
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), data
}

func sqliteOnly(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("GUATU_TEST_POSTGRES") != "" {
		t.Skipf("skipped on PostgreSQL: %s", why)
	}
}

// openTestDB opens and migrates dsn for a test to look at or prepare.
func openTestDB(t *testing.T, dsn string) *db.DB {
	t.Helper()
	ctx := context.Background()
	if !db.IsPostgresURL(dsn) {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// result is one finished command.
type result struct {
	out, errOut string
	code        int
}

// cli runs one command as the binary would, with the exit status main would give.
func cli(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runWith(context.Background(), args, options{stdout: &out, stderr: &errOut, getenv: noEnv})
	code := report(&errOut, err)
	return result{out: out.String(), errOut: errOut.String(), code: code}
}

// server is a running `guatu serve` inside the test.
type server struct {
	base   string
	out    *syncBuffer
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan struct{} // closed when run returns
	err    error         // run's result, once done is closed
}

var addrLine = regexp.MustCompile(`请在浏览器打开：(http://[^\s/]+)/`)

// startServe starts serve with args (plus a free port) and waits until it
// prints its address.
func startServe(t *testing.T, wrap func(http.Handler) http.Handler, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{out: &syncBuffer{}, log: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	args = append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	go func() {
		s.err = runWith(ctx, args, options{stdout: s.out, stderr: s.log, getenv: noEnv, wrap: wrap})
		close(s.done)
	}()
	deadline := time.After(30 * time.Second)
	for {
		if m := addrLine.FindStringSubmatch(s.out.String()); m != nil {
			s.base = m[1]
			break
		}
		select {
		case <-s.done:
			t.Fatalf("serve ended before listening: %v\nstdout:\n%s\nlog:\n%s", s.err, s.out, s.log)
		case <-deadline:
			cancel()
			t.Fatalf("serve printed no address in 30 s\nstdout:\n%s\nlog:\n%s", s.out, s.log)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
		}
	})
	return s
}

// stop cancels the server's context (what SIGTERM does) and returns run's
// result; it fails the test if run does not return promptly.
func (s *server) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case <-s.done:
		return s.err
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not return within 10 s of the signal\nlog:\n%s", s.log)
		return nil
	}
}

func (s *server) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := http.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
