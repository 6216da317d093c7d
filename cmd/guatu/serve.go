package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"guatu/account"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/demo"
	"guatu/notify"
	"guatu/web"
)

// Server limits (security.md §6.4): ReadHeaderTimeout stops slow-header
// attacks; the body and write limits leave room for a phone on a poor
// mobile connection uploading photos with a monthly report.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	// shutdownGrace is how long in-flight requests get after SIGTERM; the
	// issue allows 30 s in all, and closing the database needs a moment too.
	shutdownGrace = 25 * time.Second
	// maintenanceEvery is the period of the session and audit clean-up.
	maintenanceEvery = 24 * time.Hour
)

func newLogger(w io.Writer, dev bool) *slog.Logger {
	if dev {
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// openDB opens the configured database, creating the SQLite file's folder.
// Commands that change data migrate first; read-only ones (backup, audit
// verify, the lists) leave the file exactly as found and refuse a missing
// file rather than create an empty one.
func openDB(ctx context.Context, cfg Config, migrate bool) (*db.DB, error) {
	if !db.IsPostgresURL(cfg.DB) {
		path := strings.TrimPrefix(cfg.DB, "sqlite:")
		if !migrate {
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("找不到数据库文件 %s（用 --db 或 GUATU_DB 指定；新数据库请先运行 guatu serve 或 guatu migrate）", path)
			}
		} else if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("创建数据库目录失败：%w", err)
		}
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("打开数据库 %s 失败：%w", describeDB(cfg.DB), err)
	}
	if !migrate {
		return d, nil
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("升级数据库结构失败：%w", err)
	}
	return d, nil
}

// serve runs the web server until ctx ends (SIGINT or SIGTERM), then stops
// accepting, lets requests in flight finish, stops the jobs and closes the
// database.
func serve(ctx context.Context, o options, args []string) error {
	cfg, err := loadConfig(args, o.getenv)
	if err != nil {
		return err
	}
	log := newLogger(o.stderr, cfg.Dev)
	if cfg.Dev {
		if _, err := os.Stat(filepath.Join("web", "templates")); err != nil {
			return errors.New("--dev 每次请求从 ./web 读取模板，请在代码仓库的根目录运行")
		}
	}
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return fmt.Errorf("创建数据目录 %s 失败：%w", cfg.Data, err)
	}
	if !db.IsPostgresURL(cfg.DB) {
		// Held while serving: a second server or a restore on this file is refused.
		path := strings.TrimPrefix(cfg.DB, "sqlite:")
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return fmt.Errorf("创建数据库目录失败：%w", err)
		}
		release, err := db.Lock(path)
		if err != nil {
			return err
		}
		defer release()
	}
	d, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer d.Close() // on the early returns; the normal path closes and checks below
	if verdict, err := d.QuickCheck(ctx); err != nil || verdict != "ok" {
		return fmt.Errorf("数据库完整性检查未通过（%s %v），请用 guatu restore 从备份恢复", verdict, err)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s：%w（端口被占用时可换一个，如 --addr 127.0.0.1:8081）", cfg.Addr, err)
	}
	defer ln.Close()
	base, anyHost := baseURL(ln.Addr())

	fmt.Fprintf(o.stdout, "Guatu 挂图作战 %s\n数据库：%s\n", version, describeDB(cfg.DB))
	demoOn := false
	if cfg.Demo {
		if demoOn, err = prepareDemo(ctx, d, o.stdout); err != nil {
			return err
		}
	} else if err := printSetupLink(ctx, d, o.stdout, base); err != nil {
		return err
	}

	robots := &notify.Sender{BaseURL: cfg.PublicURL}
	app, err := web.New(web.Config{DB: d, Logger: log, Dev: cfg.Dev, Demo: demoOn, Version: version, Robots: robots})
	if err != nil {
		return err
	}
	h := app.Handler()
	if o.wrap != nil {
		h = o.wrap(h)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	jobsCtx, stopJobs := context.WithCancel(context.Background())
	defer stopJobs()
	var jobs sync.WaitGroup
	jobs.Go(func() { maintenance(jobsCtx, d, log, maintenanceEvery) })
	sched := scheduledJobs(d, robots, log)
	jobs.Go(func() { sched.Run(jobsCtx) })

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(o.stdout, "请在浏览器打开：%s/\n", base)
	if anyHost {
		fmt.Fprintln(o.stdout, "（已在本机所有网络地址上监听，其他电脑请用本机的 IP 地址访问）")
	}
	fmt.Fprintln(o.stdout, "按 Ctrl+C 停止服务。")
	log.Info("listening", "addr", ln.Addr().String(), "db", db.Redacted(cfg.DB), "version", version, "demo", demoOn)

	select {
	case <-ctx.Done():
	case err := <-served:
		stopJobs()
		jobs.Wait()
		return fmt.Errorf("网页服务意外停止：%w", err)
	}
	fmt.Fprintln(o.stdout, "正在停止服务：不再接受新请求，等待进行中的请求完成……")
	log.Info("shutting down")
	shCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shCtx); err != nil {
		// The grace period ran out: cut the remaining connections; their
		// transactions roll back, nothing is half-saved.
		log.Warn("shutdown grace period over, closing connections", "err", err)
		srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
	}
	stopJobs()
	jobs.Wait()
	if err := d.Close(); err != nil {
		return fmt.Errorf("关闭数据库失败：%w", err)
	}
	log.Info("stopped")
	fmt.Fprintln(o.stdout, "服务已停止。")
	return nil
}

// baseURL is the address to open for a listener, and whether it listens on
// every interface (then 127.0.0.1 is shown, which works on the machine itself).
func baseURL(a net.Addr) (string, bool) {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String(), false
	}
	host := tcp.IP.String()
	all := tcp.IP == nil || tcp.IP.IsUnspecified()
	if all {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)), all
}

// prepareDemo seeds the demo town into an empty database, or finds it
// already there, and prints the demo accounts. On a database holding other
// accounts it seeds nothing and turns the demo hints off.
func prepareDemo(ctx context.Context, d *db.DB, out io.Writer) (bool, error) {
	present, err := demo.Present(ctx, d)
	if err != nil {
		return false, err
	}
	if present {
		fmt.Fprintf(out, "数据库中已有演示镇“%s”，不再重复载入。\n", demo.TownName)
	} else {
		n, err := account.CountUsers(ctx, d)
		if err != nil {
			return false, err
		}
		if n > 0 {
			fmt.Fprintln(out, "数据库中已有正式账号，不载入演示数据；--demo 被忽略。")
			return false, nil
		}
		if err := demo.Seed(ctx, d); err != nil {
			return false, fmt.Errorf("载入演示数据失败：%w", err)
		}
		fmt.Fprintf(out, "已载入演示镇“%s”。\n", demo.TownName)
	}
	printDemoAccounts(out)
	return true, nil
}

func printDemoAccounts(out io.Writer) {
	fmt.Fprintf(out, "演示账号（密码均为 %s，首次登录须修改密码；改过的以新密码为准）：\n", demo.Password)
	rows := [][]string{{"用户名", "身份", "姓名", "授权范围"}}
	for _, a := range demo.Accounts {
		rows = append(rows, []string{a.Username, a.Role, a.Name, a.Unit})
	}
	writeTable(out, "  ", rows)
}

// printSetupLink prints the one-time link for creating the first system
// administrator when the database has no accounts yet.
func printSetupLink(ctx context.Context, d *db.DB, out io.Writer, base string) error {
	n, err := account.CountUsers(ctx, d)
	if err != nil || n > 0 {
		return err
	}
	var token string
	err = d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		token, err = account.NewSetupToken(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "系统还没有账号。请在 1 小时内打开下面的一次性链接，创建第一个系统管理员（只能使用一次）：\n  %s/setup/%s\n", base, token)
	fmt.Fprintln(out, "链接过期后重新启动服务即可得到新的链接。想先看看演示，请用 guatu serve --demo（另用一个 --data 目录）。")
	return nil
}

// maintenance runs the daily clean-up at start and then every period until
// ctx ends.
func maintenance(ctx context.Context, d *db.DB, log *slog.Logger, every time.Duration) {
	runMaintenance(ctx, d, log)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			runMaintenance(ctx, d, log)
		}
	}
}

// runMaintenance removes expired sessions, audit records past the
// retention setting and old notification data, each in its own
// transaction so one failing does not hold back the others.
func runMaintenance(ctx context.Context, d *db.DB, log *slog.Logger) {
	sys := auth.SystemActor("job")
	if err := d.InTx(ctx, func(tx *db.Tx) error { return account.PurgeSessions(ctx, tx) }); err != nil && ctx.Err() == nil {
		log.Error("maintenance: purge sessions", "err", err)
	}
	var purged int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		sec, err := account.LoadSecurity(ctx, tx)
		if err != nil {
			return err
		}
		purged, err = audit.Purge(ctx, tx, sys, sec.AuditRetentionDays)
		return err
	})
	if err != nil && ctx.Err() == nil {
		log.Error("maintenance: purge audit", "err", err)
	}
	var notices int64
	err = d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		notices, err = notify.Purge(ctx, tx, tx.Now())
		return err
	})
	if err != nil && ctx.Err() == nil {
		log.Error("maintenance: purge notifications", "err", err)
	}
	if err := d.Optimize(ctx); err != nil && ctx.Err() == nil {
		log.Warn("maintenance: optimize", "err", err)
	}
	log.Info("maintenance done", "audit_purged", purged, "notify_purged", notices)
}
