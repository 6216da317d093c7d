package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guatu/account"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/demo"
	"guatu/org"
)

// seedRoot creates a root unit and returns its id.
func seedRoot(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		u, err := org.CreateRoot(ctx, tx, auth.SystemActor("test"), org.Town, name)
		if u != nil {
			id = u.ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// login tries a password and reports whether it was accepted.
func login(t *testing.T, d *db.DB, username, pw string) (*account.User, bool) {
	t.Helper()
	ctx := context.Background()
	var res account.LoginResult
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		res, err = account.Login(ctx, tx, username, pw, "127.0.0.1", "cli-test", "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.User, res.Failure == ""
}

var tempPassword = regexp.MustCompile(`临时密码：(\S+)`)

func TestUserCommands(t *testing.T) {
	dsn, _ := testDB(t)
	d := openTestDB(t, dsn)
	town := seedRoot(t, d, "XX镇")
	unit := fmt.Sprint(town)

	r := cli(t, "user", "add", "wangwu", "--name", "王五", "--unit", unit, "--role", "staff", "--db", dsn)
	if r.code != 0 {
		t.Fatalf("user add: %d %s", r.code, r.errOut)
	}
	mustContain(t, "user add", r.out, "wangwu", "王五", "经办人", "首次登录须修改密码")
	m := tempPassword.FindStringSubmatch(r.out)
	if m == nil {
		t.Fatalf("no temporary password printed:\n%s", r.out)
	}
	first := m[1]
	u, ok := login(t, d, "wangwu", first)
	if !ok || !u.MustChangePassword {
		t.Fatalf("login with the printed password: ok %v, user %+v", ok, u)
	}
	if len(u.Grants) != 1 || u.Grants[0].Role != auth.Staff || u.Grants[0].UnitID != town {
		t.Errorf("grants %+v, want staff on the town", u.Grants)
	}

	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("Zhao#liu2026ok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "user", "add", "--db", dsn, "zhaoliu", "--name", "赵六", "--unit", unit, "--password-file", pwFile)
	if r.code != 0 {
		t.Fatalf("user add --password-file: %s", r.errOut)
	}
	if tempPassword.MatchString(r.out) {
		t.Error("a temporary password was printed although a password file was given")
	}
	if u, ok := login(t, d, "zhaoliu", "Zhao#liu2026ok"); !ok || !u.MustChangePassword || len(u.Grants) != 0 {
		t.Errorf("zhaoliu: ok %v user %+v", ok, u)
	}

	t.Run("mistakes are explained per field", func(t *testing.T) {
		r := cli(t, "user", "add", "x", "--db", dsn)
		if r.code != 1 {
			t.Fatalf("code %d", r.code)
		}
		mustContain(t, "stderr", r.errOut, "请检查填写的内容", "--name：", "--unit：", "用户名：")
		r = cli(t, "user", "add", "wangwu", "--name", "王五", "--unit", unit, "--db", dsn)
		if r.code != 1 || !strings.Contains(r.errOut, "已被使用") {
			t.Errorf("duplicate username: %d %s", r.code, r.errOut)
		}
		r = cli(t, "user", "add", "qianqi", "--name", "钱七", "--unit", unit, "--role", "boss", "--db", dsn)
		if r.code != 1 || !strings.Contains(r.errOut, "sysadmin") {
			t.Errorf("bad role: %d %s", r.code, r.errOut)
		}
		weak := filepath.Join(t.TempDir(), "weak")
		os.WriteFile(weak, []byte("short"), 0o600)
		r = cli(t, "user", "add", "qianqi", "--name", "钱七", "--unit", unit, "--password-file", weak, "--db", dsn)
		if r.code != 1 || !strings.Contains(r.errOut, "密码：") {
			t.Errorf("weak password: %d %s", r.code, r.errOut)
		}
		r = cli(t, "user", "passwd", "nobody", "--db", dsn)
		if r.code != 1 || !strings.Contains(r.errOut, "nobody 不存在") {
			t.Errorf("unknown user: %d %s", r.code, r.errOut)
		}
		if r := cli(t, "user", "frobnicate"); r.code != 1 {
			t.Errorf("unknown subcommand: %d", r.code)
		}
		if r := cli(t, "user", "add", "--db", dsn); r.code != 1 || !strings.Contains(r.errOut, "用法") {
			t.Errorf("missing username: %d %s", r.code, r.errOut)
		}
	})

	r = cli(t, "user", "passwd", "wangwu", "--db", dsn)
	if r.code != 0 {
		t.Fatalf("user passwd: %s", r.errOut)
	}
	m = tempPassword.FindStringSubmatch(r.out)
	if m == nil || m[1] == first {
		t.Fatalf("user passwd printed no new temporary password:\n%s", r.out)
	}
	if _, ok := login(t, d, "wangwu", first); ok {
		t.Error("the old password still works after user passwd")
	}
	if u, ok := login(t, d, "wangwu", m[1]); !ok || !u.MustChangePassword {
		t.Errorf("new temporary password: ok %v", ok)
	}

	if err := os.WriteFile(pwFile, []byte("Wang#wu2026new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := cli(t, "user", "passwd", "wangwu", "--password-file", pwFile, "--db", dsn); r.code != 0 {
		t.Fatalf("user passwd --password-file: %s", r.errOut)
	}
	if u, ok := login(t, d, "wangwu", "Wang#wu2026new"); !ok || !u.MustChangePassword {
		t.Errorf("password from file: ok %v", ok)
	}

	if r := cli(t, "user", "disable", "wangwu", "--db", dsn); r.code != 0 || !strings.Contains(r.out, "已停用") {
		t.Fatalf("user disable: %d %s %s", r.code, r.out, r.errOut)
	}
	if _, ok := login(t, d, "wangwu", "Wang#wu2026new"); ok {
		t.Error("a disabled account signed in")
	}

	r = cli(t, "user", "list", "--db", dsn)
	if r.code != 0 {
		t.Fatalf("user list: %s", r.errOut)
	}
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 4 { // header, two accounts, total
		t.Fatalf("user list:\n%s", r.out)
	}
	mustContain(t, "user list header", lines[0], "用户名", "姓名", "单位", "角色", "状态")
	for _, l := range lines[1:3] {
		switch {
		case strings.HasPrefix(l, "wangwu"):
			mustContain(t, "wangwu row", l, "王五", "XX镇", "经办人@XX镇", "停用", "须改密码")
		case strings.HasPrefix(l, "zhaoliu"):
			mustContain(t, "zhaoliu row", l, "赵六", "须改密码")
			if strings.Contains(l, "停用") {
				t.Errorf("zhaoliu shown disabled: %s", l)
			}
		default:
			t.Errorf("unexpected row %q", l)
		}
	}
	mustContain(t, "user list", lines[3], "共 2 个账号")

	if r := cli(t, "user", "enable", "wangwu", "--db", dsn); r.code != 0 {
		t.Fatalf("user enable: %s", r.errOut)
	}
	if _, ok := login(t, d, "wangwu", "Wang#wu2026new"); !ok {
		t.Error("a re-enabled account cannot sign in")
	}

	// Every change above is in the audit trail, made by the command line.
	rows, _, err := audit.List(context.Background(), d, auth.SystemActor("test"), audit.Filter{User: "system"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[audit.Action]bool{}
	for _, row := range rows {
		if row.Origin == "cli" {
			seen[row.Action] = true
		}
	}
	for _, a := range []audit.Action{audit.UserCreated, audit.RoleGranted, audit.PasswordReset, audit.UserDisabled, audit.UserEnabled} {
		if !seen[a] {
			t.Errorf("no audit record of %s from the command line", a)
		}
	}
}

func TestUnitListAndMigrate(t *testing.T) {
	dsn, _ := testDB(t)
	r := cli(t, "migrate", "--db", dsn)
	if r.code != 0 {
		t.Fatalf("migrate: %s", r.errOut)
	}
	mustContain(t, "migrate", r.out, "0001_init", "0002_audit_guard")
	if r := cli(t, "migrate", "--db", dsn); r.code != 0 {
		t.Errorf("migrate twice: %s", r.errOut)
	}
	r = cli(t, "unit", "list", "--db", dsn)
	if r.code != 0 || !strings.Contains(r.out, "还没有单位") {
		t.Errorf("unit list on an empty database: %d %s%s", r.code, r.out, r.errOut)
	}
	if err := demo.Seed(context.Background(), openTestDB(t, dsn)); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "unit", "list", "--db", dsn)
	if r.code != 0 {
		t.Fatal(r.errOut)
	}
	mustContain(t, "unit list", r.out, "编号", "XX镇", "  经济发展办公室（经发办）", "东岙村", "村")
}

func TestBackupUnderWritesAndRestore(t *testing.T) {
	sqliteOnly(t, "guatu backup copies the SQLite file; PostgreSQL uses pg_dump (TestBackup_PostgresExplains)")
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live", "guatu.db")
	d := openTestDB(t, live) // stands for the running server
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	var written atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		sys := auth.SystemActor("test")
		for {
			select {
			case <-stop:
				return
			default:
			}
			err := d.InTx(ctx, func(tx *db.Tx) error {
				return audit.Record(ctx, tx, audit.Entry{Actor: sys, Action: audit.SettingsChanged, ObjectType: "settings", Note: "备份时的写入"})
			})
			if err != nil {
				t.Errorf("writer: %v", err)
				return
			}
			written.Add(1)
			// A server writes in bursts, not back to back: SQLite's busy
			// handler is not fair, and a writer that never pauses starves
			// the backup's own audit record in the other process.
			time.Sleep(2 * time.Millisecond)
		}
	})
	for written.Load() < 10 {
		time.Sleep(time.Millisecond)
	}
	out := filepath.Join(dir, "backups", "guatu-2026-03-15.db")
	r := cli(t, "backup", "--out", out, "--db", live)
	for n := written.Load(); written.Load() < n+10; {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if r.code != 0 {
		t.Fatalf("backup: %d %s", r.code, r.errOut)
	}
	mustContain(t, "backup", r.out, "备份完成", "完整性检查通过")
	if err := db.CheckFile(ctx, out); err != nil {
		t.Fatalf("CheckFile: %v", err)
	}
	if r := cli(t, "backup", "--out", out, "--db", live); r.code != 1 || !strings.Contains(r.errOut, "已存在") {
		t.Errorf("backup over an existing file: %d %s", r.code, r.errOut)
	}
	_, n, err := audit.List(ctx, d, auth.SystemActor("test"), audit.Filter{Action: audit.Backup})
	if err != nil || n != 1 {
		t.Errorf("backup records in the live audit trail: %d, %v; want 1", n, err)
	}

	restored := filepath.Join(dir, "restored", "guatu.db")
	if r := cli(t, "restore", "--from", out, "--db", restored); r.code != 0 {
		t.Fatalf("restore into a new path: %s", r.errOut)
	}
	r = cli(t, "audit", "verify", "--db", restored)
	if r.code != 0 || !strings.Contains(r.out, "审计记录完整") {
		t.Fatalf("audit verify on the restored copy: %d %s%s", r.code, r.out, r.errOut)
	}
	rd := openTestDB(t, restored)
	v, err := audit.Verify(ctx, rd)
	if err != nil || !v.OK || v.Checked < 10 {
		t.Errorf("audit.Verify on the restored copy = %+v, %v", v, err)
	}
	if n, err := account.CountUsers(ctx, rd); err != nil || n != len(demo.Accounts) {
		t.Errorf("restored copy has %d accounts (%v)", n, err)
	}
}

func TestRestore_RefusesNonEmptyTargetWithoutForce(t *testing.T) {
	sqliteOnly(t, "restore replaces a SQLite file")
	ctx := context.Background()
	dir := t.TempDir()
	source := filepath.Join(dir, "source.db")
	s := openTestDB(t, source)
	seedRoot(t, s, "XX镇")
	if r := cli(t, "user", "add", "fromsource", "--name", "甲", "--unit", "1", "--db", source); r.code != 0 {
		t.Fatal(r.errOut)
	}
	out := filepath.Join(dir, "b.db")
	if r := cli(t, "backup", "--out", out, "--db", source); r.code != 0 {
		t.Fatal(r.errOut)
	}

	target := filepath.Join(dir, "target.db")
	td := openTestDB(t, target)
	seedRoot(t, td, "YY镇")
	if r := cli(t, "user", "add", "intarget", "--name", "乙", "--unit", "1", "--db", target); r.code != 0 {
		t.Fatal(r.errOut)
	}
	td.Close()

	r := cli(t, "restore", "--from", out, "--db", target)
	if r.code != 1 || !strings.Contains(r.errOut, "--force") {
		t.Fatalf("restore over a database with accounts: %d %s", r.code, r.errOut)
	}
	check := func(want string) {
		t.Helper()
		c, err := db.Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := account.ByUsername(ctx, c, want); err != nil {
			t.Errorf("target lacks %s: %v", want, err)
		}
	}
	check("intarget")
	if r := cli(t, "restore", "--from", out, "--db", target, "--force"); r.code != 0 {
		t.Fatalf("restore --force: %s", r.errOut)
	}
	check("fromsource")
	if r := cli(t, "restore", "--from", filepath.Join(dir, "missing.db"), "--db", target, "--force"); r.code != 1 {
		t.Errorf("restore from a missing file: %d", r.code)
	}
	if r := cli(t, "restore", "--db", target); r.code != 1 || !strings.Contains(r.errOut, "--from") {
		t.Errorf("restore without --from: %d %s", r.code, r.errOut)
	}
}

func TestBackup_PostgresExplains(t *testing.T) {
	if os.Getenv("GUATU_TEST_POSTGRES") == "" {
		r := cli(t, "backup", "--out", "x.db", "--db", "postgres://guatu@127.0.0.1:1/none")
		if r.code != 1 || !strings.Contains(r.errOut, "pg_dump") {
			t.Errorf("backup with a PostgreSQL URL: %d %s", r.code, r.errOut)
		}
		return
	}
	dsn, dir := testDB(t)
	out := filepath.Join(dir, "pg.db")
	r := cli(t, "backup", "--out", out, "--db", dsn)
	if r.code == 0 || !strings.Contains(r.errOut, "pg_dump") || !strings.Contains(r.errOut, "pg_restore") {
		t.Errorf("backup on PostgreSQL: %d %s", r.code, r.errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a file was written")
	}
	if r := cli(t, "restore", "--from", out, "--db", dsn); r.code == 0 || !strings.Contains(r.errOut, "pg_restore") {
		t.Errorf("restore on PostgreSQL: %d %s", r.code, r.errOut)
	}
}

func TestAuditVerify_NamesTheTamperedRow(t *testing.T) {
	ctx := context.Background()
	dsn, _ := testDB(t)
	d := openTestDB(t, dsn)
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "audit", "verify", "--db", dsn)
	if r.code != 0 || !strings.Contains(r.out, "审计记录完整") {
		t.Fatalf("audit verify on an intact trail: %d %s%s", r.code, r.out, r.errOut)
	}

	// An attacker with database access removes the guard and edits a record.
	guard := `DROP TRIGGER audit_log_no_update`
	if d.Dialect() == db.Postgres {
		guard = `DROP TRIGGER audit_log_guard ON audit_log`
	}
	if _, err := d.Exec(ctx, guard); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `UPDATE audit_log SET detail = $1 WHERE id = 7`, `{"note":"改过"}`); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "audit", "verify", "--db", dsn)
	if r.code != 1 {
		t.Fatalf("audit verify after tampering: exit %d, want 1\n%s", r.code, r.out)
	}
	mustContain(t, "audit verify", r.out, "校验未通过", "第 7 条", "被修改")
}

func TestVersionAndHelp(t *testing.T) {
	r := cli(t, "version")
	if r.code != 0 || !strings.Contains(r.out, "guatu dev") || !strings.Contains(r.out, "go1.") {
		t.Errorf("version: %d %q", r.code, r.out)
	}
	r = cli(t, "help")
	if r.code != 0 {
		t.Errorf("help: %d", r.code)
	}
	for _, c := range []string{"serve", "migrate", "user add", "user passwd", "user list", "backup", "restore", "audit verify", "version", "GUATU_DB_FILE"} {
		mustContain(t, "usage", r.out, c)
	}
	if r := cli(t); r.code != 1 || !strings.Contains(r.errOut, "guatu serve") {
		t.Errorf("no command: %d %s", r.code, r.errOut)
	}
	if r := cli(t, "frobnicate"); r.code != 1 || !strings.Contains(r.errOut, "frobnicate") {
		t.Errorf("unknown command: %d %s", r.code, r.errOut)
	}
	if r := cli(t, "serve", "--help"); r.code != 0 || !strings.Contains(r.out, "用法") {
		t.Errorf("serve --help: %d %s", r.code, r.errOut)
	}
}

func TestUserResetTOTP(t *testing.T) {
	dsn, _ := testDB(t)
	d := openTestDB(t, dsn)
	town := seedRoot(t, d, "XX镇")
	if r := cli(t, "user", "add", "wangwu", "--name", "王五", "--unit", fmt.Sprint(town), "--db", dsn); r.code != 0 {
		t.Fatalf("user add: %s", r.errOut)
	}
	r := cli(t, "user", "reset-totp", "wangwu", "--db", dsn)
	if r.code != 1 || !strings.Contains(r.errOut, "没有启用动态口令") {
		t.Fatalf("reset without TOTP: %d %s", r.code, r.errOut)
	}
	ctx := context.Background()
	u, err := account.ByUsername(ctx, d, "wangwu")
	if err != nil {
		t.Fatal(err)
	}
	by := u.Actor("127.0.0.1", "t", "ui")
	var secret string
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if secret, err = account.BeginTOTP(ctx, tx, by); err != nil {
			return err
		}
		_, err = account.ConfirmTOTP(ctx, tx, by, account.TOTPCode(secret, account.TOTPStep(tx.Now())))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "user", "reset-totp", "wangwu", "--db", dsn)
	if r.code != 0 || !strings.Contains(r.out, "已重置") {
		t.Fatalf("reset-totp: %d %s %s", r.code, r.out, r.errOut)
	}
	if u, _ = account.ByUsername(ctx, d, "wangwu"); u.TOTPEnabled || u.TOTPSecret != "" {
		t.Errorf("after reset: enabled %v, secret %q", u.TOTPEnabled, u.TOTPSecret)
	}
	if n, _ := account.RecoveryCodesLeft(ctx, d, u.ID); n != 0 {
		t.Errorf("%d recovery codes left", n)
	}
}
