package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guatu/account"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/org"
)

// writeAuditUntil records audit entries in a loop until stop is closed and
// returns how many it committed; any error fails the test.
func writeAuditUntil(t *testing.T, d *db.DB, stop <-chan struct{}, written *atomic.Int64) {
	t.Helper()
	ctx := context.Background()
	sys := auth.SystemActor("test")
	for {
		select {
		case <-stop:
			return
		default:
		}
		err := d.InTx(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, audit.Entry{Actor: sys, Action: audit.SettingsChanged, ObjectType: "settings",
				ObjectName: "负载", Note: "备份期间的写入"})
		})
		if err != nil {
			t.Errorf("writer: %v", err)
			return
		}
		written.Add(1)
	}
}

// seedUser gives d a town and one account, so it counts as holding data.
func seedUser(t *testing.T, d *db.DB, username string) {
	t.Helper()
	ctx := context.Background()
	sys := auth.SystemActor("test")
	err := d.InTx(ctx, func(tx *db.Tx) error {
		town, err := org.CreateRoot(ctx, tx, sys, org.Town, "XX镇")
		if err != nil {
			return err
		}
		_, _, err = account.Create(ctx, tx, sys, account.Input{Username: username, DisplayName: "张三",
			UnitID: strconv.FormatInt(town.ID, 10)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBackup_UnderConcurrentWrites(t *testing.T) {
	skipOnPostgres(t, "PostgreSQL is backed up with pg_dump (see TestBackup_PostgresExplainsPgDump)")
	ctx := context.Background()
	d := dbtest.New(t)
	seedUser(t, d, "zhangsan")

	stop := make(chan struct{})
	var written atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() { writeAuditUntil(t, d, stop, &written) })
	for written.Load() < 20 { // the backup must start while the writer is busy
		time.Sleep(time.Millisecond)
	}
	out := filepath.Join(t.TempDir(), "backups", "guatu-backup.db")
	err := d.Backup(ctx, out)
	atBackup := written.Load()
	for written.Load() < atBackup+20 { // and the writer keeps going after it
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := db.CheckFile(ctx, out); err != nil {
		t.Fatalf("CheckFile on the backup: %v", err)
	}
	if err := d.Backup(ctx, out); err == nil {
		t.Error("Backup overwrote an existing file")
	}

	b, err := db.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	v, err := audit.Verify(ctx, b)
	if err != nil || !v.OK {
		t.Fatalf("audit.Verify on the backup = %+v, %v", v, err)
	}
	live, err := audit.Verify(ctx, d)
	if err != nil || !live.OK {
		t.Fatalf("audit.Verify on the live database = %+v, %v", live, err)
	}
	if v.Checked < 20 || v.Checked >= live.Checked {
		t.Errorf("backup holds %d audit rows, live %d: the copy should be a snapshot taken mid-stream", v.Checked, live.Checked)
	}
	before, err := b.Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Migrate(ctx); err != nil {
		t.Fatalf("Migrate on the backup: %v", err)
	}
	after, err := b.Applied(ctx)
	if err != nil || !slices.Equal(before, after) {
		t.Errorf("Migrate on the backup was not a no-op: %v → %v (%v)", before, after, err)
	}
	if has, err := b.HasUsers(ctx); err != nil || !has {
		t.Errorf("backup HasUsers = %v, %v", has, err)
	}
}

func TestBackup_PostgresExplainsPgDump(t *testing.T) {
	ctx := context.Background()
	if err := db.Restore(ctx, "x.db", "postgres://guatu@localhost/guatu", false); !errors.Is(err, db.ErrPostgresBackup) {
		t.Errorf("Restore to a PostgreSQL URL = %v, want ErrPostgresBackup", err)
	}
	if dbtest.Engine() != "postgres" {
		return
	}
	d := dbtest.New(t)
	out := filepath.Join(t.TempDir(), "pg.db")
	if err := d.Backup(ctx, out); !errors.Is(err, db.ErrPostgresBackup) {
		t.Errorf("Backup on PostgreSQL = %v, want ErrPostgresBackup", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("Backup on PostgreSQL wrote a file")
	}
}

// newSQLiteFile makes a migrated SQLite file at path, optionally with an account, and closes it.
func newSQLiteFile(t *testing.T, path, username string) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if username != "" {
		seedUser(t, d, username)
	}
}

func usernames(t *testing.T, path string) []string {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	us, err := account.List(ctx, d, auth.SystemActor("test"), account.Filter{IncludeDisabled: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range us {
		out = append(out, u.Username)
	}
	return out
}

func TestRestore_RefusesTargetWithDataUnlessForced(t *testing.T) {
	skipOnPostgres(t, "restore replaces a SQLite file")
	ctx := context.Background()
	dir := t.TempDir()
	source := filepath.Join(dir, "source.db")
	newSQLiteFile(t, source, "fromsource")
	backup := filepath.Join(dir, "backup.db")
	s, err := db.Open(ctx, source)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	s.Close()

	target := filepath.Join(dir, "live", "guatu.db")
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		t.Fatal(err)
	}
	newSQLiteFile(t, target, "intarget")

	if err := db.Restore(ctx, backup, target, false); err == nil {
		t.Fatal("Restore overwrote a database with accounts without force")
	}
	if got := usernames(t, target); !slices.Equal(got, []string{"intarget"}) {
		t.Fatalf("after a refused restore the target holds %v, want [intarget]", got)
	}

	if err := db.Restore(ctx, backup, target, true); err != nil {
		t.Fatalf("Restore with force: %v", err)
	}
	if got := usernames(t, target); !slices.Equal(got, []string{"fromsource"}) {
		t.Fatalf("after a forced restore the target holds %v, want [fromsource]", got)
	}
	r, err := db.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, err := r.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Errorf("restored integrity_check = %q, %v", v, err)
	}
	if v, err := audit.Verify(ctx, r); err != nil || !v.OK {
		t.Errorf("restored audit.Verify = %+v, %v", v, err)
	}
	before, _ := r.Applied(ctx)
	if err := r.Migrate(ctx); err != nil {
		t.Fatalf("Migrate on the restored copy: %v", err)
	}
	if after, _ := r.Applied(ctx); !slices.Equal(before, after) || len(after) == 0 {
		t.Errorf("Migrate on the restored copy was not a no-op: %v → %v", before, after)
	}
}

func TestRestore_IntoNewAndEmptyTargets(t *testing.T) {
	skipOnPostgres(t, "restore replaces a SQLite file")
	ctx := context.Background()
	dir := t.TempDir()
	source := filepath.Join(dir, "source.db")
	newSQLiteFile(t, source, "fromsource")
	backup := filepath.Join(dir, "backup.db")
	s, err := db.Open(ctx, source)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	s.Close()

	fresh := filepath.Join(dir, "new", "deeper", "guatu.db")
	if err := db.Restore(ctx, backup, fresh, false); err != nil {
		t.Fatalf("Restore into a new path: %v", err)
	}
	if got := usernames(t, fresh); !slices.Equal(got, []string{"fromsource"}) {
		t.Errorf("restored into a new path: %v", got)
	}

	empty := filepath.Join(dir, "empty.db")
	newSQLiteFile(t, empty, "") // migrated, no accounts: nothing to lose
	if err := db.Restore(ctx, backup, empty, false); err != nil {
		t.Fatalf("Restore into an empty database: %v", err)
	}
	if got := usernames(t, empty); !slices.Equal(got, []string{"fromsource"}) {
		t.Errorf("restored into an empty database: %v", got)
	}
}

func TestRestore_VerifiesTheBackupFirst(t *testing.T) {
	skipOnPostgres(t, "restore replaces a SQLite file")
	ctx := context.Background()
	dir := t.TempDir()
	target := filepath.Join(dir, "guatu.db")
	newSQLiteFile(t, target, "intarget")

	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("这不是数据库"), 0o600); err != nil {
		t.Fatal(err)
	}
	notOurs := filepath.Join(dir, "other.db")
	o, err := db.Open(ctx, notOurs) // a sound SQLite file without Guatu's schema
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Exec(ctx, `CREATE TABLE t (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	o.Close()

	for _, from := range []string{junk, notOurs, filepath.Join(dir, "missing.db")} {
		if err := db.Restore(ctx, from, target, true); err == nil {
			t.Errorf("Restore from %s succeeded", filepath.Base(from))
		}
	}
	if got := usernames(t, target); !slices.Equal(got, []string{"intarget"}) {
		t.Errorf("a refused restore changed the target: %v", got)
	}
}

func TestRestore_RefusesWhileTheDatabaseIsLocked(t *testing.T) {
	if dbtest.Engine() != "sqlite" {
		t.Skip("the lock file guards the embedded SQLite file")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	s, err := db.Open(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	target := filepath.Join(dir, "live.db")
	release, err := db.Lock(target) // as a running server does
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Restore(t.Context(), src, target, true); !errors.Is(err, db.ErrInUse) {
		t.Fatalf("restore onto a locked database: %v, want ErrInUse", err)
	}
	if _, err := db.Lock(target); !errors.Is(err, db.ErrInUse) {
		t.Fatalf("second lock: %v, want ErrInUse", err)
	}
	release()
	if err := db.Restore(t.Context(), src, target, true); err != nil {
		t.Fatalf("restore after the server stopped: %v", err)
	}
}
