package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrPostgresBackup explains that PostgreSQL is backed up with its own tools.
var ErrPostgresBackup = errors.New("PostgreSQL 数据库请用 pg_dump 备份，例如：pg_dump --format=custom --file=guatu.dump \"$GUATU_DB\"；" +
	"恢复用 pg_restore --clean --if-exists --dbname=\"$GUATU_DB\" guatu.dump")

// Backup writes a consistent copy of a SQLite database to out while the
// server may be running and writing (VACUUM INTO reads one snapshot), then
// checks the copy with integrity_check. out must not exist.
func (d *DB) Backup(ctx context.Context, out string) error {
	if d.dialect != SQLite {
		return ErrPostgresBackup
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("备份文件 %s 已存在，请换一个文件名", out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
		return err
	}
	if _, err := d.w.ExecContext(ctx, `VACUUM INTO $1`, out); err != nil {
		return fmt.Errorf("db.Backup: %w", err)
	}
	// The copy holds password hashes and second-factor secrets: owner only.
	if err := os.Chmod(out, 0o600); err != nil {
		os.Remove(out)
		return err
	}
	if err := CheckFile(ctx, out); err != nil {
		os.Remove(out)
		return err
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check (SQLite) and returns its verdict,
// "ok" when the file is sound. On PostgreSQL it returns "ok" after a ping.
func (d *DB) IntegrityCheck(ctx context.Context) (string, error) {
	if d.dialect != SQLite {
		return "ok", d.w.PingContext(ctx)
	}
	return integrity(ctx, d.r)
}

func integrity(ctx context.Context, q *sql.DB) (string, error) {
	rows, err := q.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		if out != "" {
			out += "; "
		}
		out += s
	}
	return out, rows.Err()
}

// CheckFile opens a SQLite file read-only and verifies that it passes
// integrity_check and holds a Guatu schema.
func CheckFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("找不到文件 %s", path)
	}
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer c.Close()
	verdict, err := integrity(ctx, c)
	if err != nil {
		return fmt.Errorf("%s 不是可用的 SQLite 数据库：%w", path, err)
	}
	if verdict != "ok" {
		return fmt.Errorf("%s 完整性检查未通过：%s", path, verdict)
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("%s 不是 Guatu 的数据库（没有迁移记录）", path)
	}
	return nil
}

// HasUsers reports whether the database holds any user account; restore and
// first-run set-up use it to tell an empty database from a live one.
func (d *DB) HasUsers(ctx context.Context) (bool, error) {
	var n int
	err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n > 0, err
}

// Restore replaces the SQLite database at target with the backup at from,
// after verifying the backup. It refuses a target that holds data unless
// force is set. The server must not be running on target.
func Restore(ctx context.Context, from, target string, force bool) error {
	if IsPostgresURL(target) {
		return ErrPostgresBackup
	}
	if err := CheckFile(ctx, from); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return err
	}
	release, err := Lock(target)
	if err != nil {
		return err
	}
	defer release()
	if _, err := os.Stat(target); err == nil && !force {
		t, err := Open(ctx, target)
		if err != nil {
			return err
		}
		has, err := t.HasUsers(ctx)
		t.Close()
		if err == nil && has {
			return fmt.Errorf("目标数据库 %s 已有数据；确认要覆盖时加 --force", target)
		}
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return err
	}
	tmp := target + ".restore-tmp"
	if err := copyFileSync(from, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	// The old WAL and shared-memory files belong to the old database: remove
	// them together with it, or SQLite would replay them onto the restored copy.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	if dir, err := os.Open(filepath.Dir(target)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return CheckFile(ctx, target)
}

func copyFileSync(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
