package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"guatu/account"
	"guatu/db"
	"guatu/demo"
)

func TestServe_EmptyDatabasePrintsSetupLinkAndStops(t *testing.T) {
	dsn, data := testDB(t)
	s := startServe(t, nil, "--db", dsn, "--data", data)

	code, body := s.get(t, "/healthz")
	if code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Errorf("/healthz = %d %s", code, body)
	}
	code, body = s.get(t, "/login")
	if code != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Errorf("/login = %d\n%s", code, body)
	}
	if strings.Contains(body, demo.Password) {
		t.Error("the sign-in page shows the demo password outside the demo")
	}

	m := regexp.MustCompile(regexp.QuoteMeta(s.base) + `(/setup/[A-Za-z0-9_-]{20,})`).FindStringSubmatch(s.out.String())
	if m == nil {
		t.Fatalf("no set-up link printed on an empty database:\n%s", s.out)
	}
	mustContain(t, "stdout", s.out.String(), "1 小时", "只能使用一次")
	if code, _ := s.get(t, m[1]); code != http.StatusOK {
		t.Errorf("GET printed set-up link = %d, want 200", code)
	}
	if code, _ := s.get(t, "/setup/not-a-token-at-all-xxxxxxxxxxxx"); code == http.StatusOK {
		t.Error("a made-up set-up token was accepted")
	}

	start := time.Now()
	if err := s.stop(t); err != nil {
		t.Fatalf("serve returned %v after the signal, want nil", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %s", d)
	}
	mustContain(t, "stdout", s.out.String(), "服务已停止")
	if _, err := http.Get(s.base + "/healthz"); err == nil {
		t.Error("the server still answers after serve returned")
	}
	// The log is JSON outside --dev, one object per line.
	for _, line := range strings.Split(strings.TrimSpace(s.log.String()), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Errorf("log line is not JSON: %s", line)
		}
	}
	mustContain(t, "log", s.log.String(), `"msg":"listening"`, `"msg":"maintenance done"`)
}

func TestServe_DemoSeedsOnceAndPrintsAccounts(t *testing.T) {
	dsn, data := testDB(t)
	t.Chdir("../..") // --dev reads templates from ./web, as it does for a developer at the repository root
	s := startServe(t, nil, "--db", dsn, "--data", data, "--demo", "--dev")
	out := s.out.String()
	mustContain(t, "stdout", out, "已载入演示镇", demo.Password)
	for _, a := range demo.Accounts {
		mustContain(t, "stdout", out, a.Username)
	}
	if strings.Contains(out, "/setup/") {
		t.Error("a set-up link was printed for the demo")
	}
	code, body := s.get(t, "/login")
	if code != http.StatusOK || !strings.Contains(body, "supervisor") || !strings.Contains(body, demo.Password) {
		t.Errorf("the demo sign-in page does not list the demo accounts: %d\n%s", code, body)
	}
	if !strings.Contains(s.log.String(), "level=INFO") {
		t.Errorf("--dev should log as text:\n%s", s.log)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}

	again := startServe(t, nil, "--db", dsn, "--data", data, "--demo")
	mustContain(t, "stdout of the second start", again.out.String(), "已有演示镇", "chief", demo.Password)
	if strings.Contains(again.out.String(), "已载入演示镇") {
		t.Error("the demo was seeded twice")
	}
	if err := again.stop(t); err != nil {
		t.Fatal(err)
	}

	plain := startServe(t, nil, "--db", dsn, "--data", data)
	if strings.Contains(plain.out.String(), "/setup/") {
		t.Error("a set-up link was printed for a database with accounts")
	}
	if _, body := plain.get(t, "/login"); strings.Contains(body, demo.Password) {
		t.Error("without --demo the sign-in page still shows the demo password")
	}
	if err := plain.stop(t); err != nil {
		t.Fatal(err)
	}

	d := openTestDB(t, dsn)
	n, err := account.CountUsers(context.Background(), d)
	if err != nil || n != len(demo.Accounts) {
		t.Errorf("%d accounts after three starts, want %d (%v)", n, len(demo.Accounts), err)
	}
}

func TestServe_DemoIgnoredOnARealDatabase(t *testing.T) {
	dsn, data := testDB(t)
	d := openTestDB(t, dsn)
	seedTown(t, d)
	if r := cli(t, "user", "add", "zhangsan", "--name", "张三", "--unit", "1", "--db", dsn); r.code != 0 {
		t.Fatalf("user add: %s%s", r.out, r.errOut)
	}
	s := startServe(t, nil, "--db", dsn, "--data", data, "--demo")
	mustContain(t, "stdout", s.out.String(), "--demo 被忽略")
	if _, body := s.get(t, "/login"); strings.Contains(body, demo.Password) {
		t.Error("the demo password is shown on a real database")
	}
	if ok, err := demo.Present(context.Background(), d); err != nil || ok {
		t.Errorf("demo.Present = %v, %v", ok, err)
	}
}

func TestServe_GracefulShutdownLetsRequestsFinish(t *testing.T) {
	dsn, data := testDB(t)
	started := make(chan struct{})
	release := make(chan struct{})
	wrap := func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/", h)
		mux.HandleFunc("GET /test/slow", func(w http.ResponseWriter, r *http.Request) {
			close(started)
			select {
			case <-release:
			case <-time.After(20 * time.Second):
			}
			io.WriteString(w, "finished")
		})
		return mux
	}
	s := startServe(t, wrap, "--db", dsn, "--data", data)

	type reply struct {
		code int
		body string
		err  error
	}
	replies := make(chan reply, 1)
	go func() {
		res, err := http.Get(s.base + "/test/slow")
		if err != nil {
			replies <- reply{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		replies <- reply{code: res.StatusCode, body: string(b), err: err}
	}()
	<-started
	s.cancel() // SIGTERM

	// New connections are refused while the slow request is still running.
	refused := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(s.base + "/healthz"); err != nil {
			refused = true
			break
		} else {
			res.Body.Close()
		}
	}
	if !refused {
		t.Error("the server kept accepting connections after the signal")
	}
	select {
	case <-s.done:
		t.Fatalf("serve returned (%v) while a request was in flight", s.err)
	case <-time.After(200 * time.Millisecond):
	}

	close(release)
	r := <-replies
	if r.err != nil || r.code != http.StatusOK || r.body != "finished" {
		t.Fatalf("in-flight request = %d %q %v; want 200 finished", r.code, r.body, r.err)
	}
	select {
	case <-s.done:
		if s.err != nil {
			t.Fatalf("serve = %v, want nil", s.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the last request finished")
	}
	// The database was closed cleanly and is still sound.
	d := openTestDB(t, dsn)
	if v, err := d.IntegrityCheck(context.Background()); err != nil || v != "ok" {
		t.Errorf("integrity after shutdown = %q, %v", v, err)
	}
}

func TestServe_RefusesABusyPort(t *testing.T) {
	dsn, data := testDB(t)
	s := startServe(t, nil, "--db", dsn, "--data", data)
	addr := strings.TrimPrefix(s.base, "http://")
	dsn2, data2 := testDB(t)
	r := cli(t, "serve", "--addr", addr, "--db", dsn2, "--data", data2)
	if r.code != 1 || !strings.Contains(r.errOut, "无法监听") {
		t.Errorf("second serve on %s: code %d\n%s", addr, r.code, r.errOut)
	}
}

// seedTown gives d a root unit (id 1) for account commands.
func seedTown(t *testing.T, d *db.DB) {
	t.Helper()
	seedRoot(t, d, "XX镇")
}

func TestServe_DevOutsideTheRepositoryIsExplained(t *testing.T) {
	dsn, data := testDB(t)
	r := cli(t, "serve", "--dev", "--addr", "127.0.0.1:0", "--db", dsn, "--data", data) // cwd is cmd/guatu: no ./web
	if r.code != 1 || !strings.Contains(r.errOut, "根目录") {
		t.Errorf("serve --dev outside the repository: %d %s", r.code, r.errOut)
	}
}
