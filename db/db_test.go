package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/db"
	"guatu/db/dbtest"
)

func TestWhere_NumbersPlaceholders(t *testing.T) {
	var w db.Where
	if w.SQL() != "" {
		t.Errorf("empty Where SQL = %q", w.SQL())
	}
	w.Add("kind = $?", "village")
	w.Add("name LIKE $? OR phone LIKE $?", "%a%", "%b%")
	w.Add("disabled = FALSE")
	limit := w.Next(10)
	offset := w.Next(20)
	want := "WHERE (kind = $1) AND (name LIKE $2 OR phone LIKE $3) AND (disabled = FALSE)"
	if got := w.SQL(); got != want {
		t.Errorf("SQL = %q, want %q", got, want)
	}
	if limit != "$4" || offset != "$5" {
		t.Errorf("Next = %s, %s; want $4, $5", limit, offset)
	}
	if want := []any{"village", "%a%", "%b%", 10, 20}; !slices.Equal(w.Args, want) {
		t.Errorf("Args = %v, want %v", w.Args, want)
	}
}

// The numbered text runs on both engines and LikeEscape makes % and _ literal.
func TestWhere_RunsOnTheEngine(t *testing.T) {
	ctx := t.Context()
	d := dbtest.New(t)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for _, k := range []string{"a%b", "axb", "a_b"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`,
				k, "v", db.Time(tx.Now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var w db.Where
	w.Add(`key LIKE $? ESCAPE '\'`, db.LikeEscape("a%")+"%")
	w.Add("value = $?", "v")
	q := `SELECT key FROM settings ` + w.SQL() + ` ORDER BY key LIMIT ` + w.Next(5)
	rows, err := d.QueryContext(ctx, q, w.Args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		got = append(got, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"a%b"}) {
		t.Errorf("LIKE 'a\\%%' matched %q, want only a%%b", got)
	}
}

func insertSetting(ctx context.Context, tx *db.Tx, key string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, '{}', $2)`, key, db.Time(tx.Now()))
	return err
}

func settingExists(t *testing.T, d *db.DB, key string) bool {
	t.Helper()
	var n int
	if err := d.QueryRowContext(t.Context(), `SELECT count(*) FROM settings WHERE key = $1`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestTranslate(t *testing.T) {
	ctx := t.Context()
	d := dbtest.New(t)
	t.Logf("engine %s", d.Dialect())
	if err := d.InTx(ctx, func(tx *db.Tx) error { return insertSetting(ctx, tx, "dup") }); err != nil {
		t.Fatal(err)
	}

	t.Run("unique violation is a Conflict", func(t *testing.T) {
		var raw error
		err := d.InTx(ctx, func(tx *db.Tx) error {
			raw = insertSetting(ctx, tx, "dup")
			return raw
		})
		if raw == nil || err == nil {
			t.Fatal("second insert of the same key succeeded")
		}
		if !db.IsUnique(raw) {
			t.Errorf("IsUnique(%v) = false", raw)
		}
		tr := db.Translate(raw)
		if apperr.KindOf(tr) != apperr.Conflict {
			t.Errorf("Translate(%v) kind = %v, want Conflict", raw, apperr.KindOf(tr))
		}
		if !errors.Is(tr, raw) {
			t.Error("translated error does not wrap the driver error")
		}
	})

	t.Run("foreign key violation is a Conflict", func(t *testing.T) {
		var raw error
		d.InTx(ctx, func(tx *db.Tx) error {
			_, raw = tx.ExecContext(ctx, `INSERT INTO people (unit_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)`,
				999, "无单位", db.Time(tx.Now()))
			return raw
		})
		if raw == nil {
			t.Fatal("insert with a missing unit succeeded")
		}
		if db.IsUnique(raw) {
			t.Error("a foreign key error is reported as unique")
		}
		if k := apperr.KindOf(db.Translate(raw)); k != apperr.Conflict {
			t.Errorf("kind = %v, want Conflict", k)
		}
	})

	t.Run("other errors pass through", func(t *testing.T) {
		_, raw := d.QueryContext(ctx, `SELECT no_such_column FROM settings`)
		if raw == nil {
			t.Fatal("bad query succeeded")
		}
		if tr := db.Translate(raw); tr != raw || apperr.KindOf(tr) != apperr.Internal {
			t.Errorf("Translate changed %v into %v", raw, tr)
		}
		if db.Translate(nil) != nil {
			t.Error("Translate(nil) != nil")
		}
	})
}

func TestInTx(t *testing.T) {
	ctx := t.Context()
	d := dbtest.New(t)

	t.Run("commits on nil", func(t *testing.T) {
		if err := d.InTx(ctx, func(tx *db.Tx) error { return insertSetting(ctx, tx, "kept") }); err != nil {
			t.Fatal(err)
		}
		if !settingExists(t, d, "kept") {
			t.Error("committed row is missing")
		}
	})

	t.Run("rolls back on error", func(t *testing.T) {
		boom := errors.New("boom")
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if err := insertSetting(ctx, tx, "failed"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want the function's error", err)
		}
		if settingExists(t, d, "failed") {
			t.Error("row of a failed transaction was kept")
		}
	})

	t.Run("rolls back on panic and re-panics", func(t *testing.T) {
		func() {
			defer func() {
				if p := recover(); p != "kaboom" {
					t.Errorf("recovered %v, want the original panic", p)
				}
			}()
			d.InTx(ctx, func(tx *db.Tx) error {
				if err := insertSetting(ctx, tx, "panicked"); err != nil {
					return err
				}
				panic("kaboom")
			})
		}()
		if settingExists(t, d, "panicked") {
			t.Error("row of a panicked transaction was kept")
		}
		// The writer connection was given back: another write works (on
		// SQLite the writer pool has one connection, so a leak would hang here).
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := d.InTx(c, func(tx *db.Tx) error { return insertSetting(c, tx, "after-panic") }); err != nil {
			t.Fatalf("write after a panic: %v", err)
		}
	})
}

func TestTxNow_IsTheInjectedClockAndConstant(t *testing.T) {
	ctx := t.Context()
	d := dbtest.New(t)
	clock := dbtest.NewClock(dbtest.Now)
	d.Clock = clock.Now
	if !d.Now().Equal(dbtest.Now) {
		t.Errorf("d.Now() = %v, want %v", d.Now(), dbtest.Now)
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		first := tx.Now()
		if !first.Equal(dbtest.Now) {
			t.Errorf("tx.Now() = %v, want the clock's %v", first, dbtest.Now)
		}
		if first.Location() != time.UTC {
			t.Errorf("tx.Now() location = %v, want UTC", first.Location())
		}
		clock.Advance(2 * time.Hour)
		if !tx.Now().Equal(first) {
			t.Errorf("tx.Now() moved with the clock inside a transaction: %v → %v", first, tx.Now())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d.InTx(ctx, func(tx *db.Tx) error {
		if want := dbtest.Now.Add(2 * time.Hour); !tx.Now().Equal(want) {
			t.Errorf("next tx.Now() = %v, want %v", tx.Now(), want)
		}
		return nil
	})
}

func TestTime_RoundTripKeepsMicrosecondsInUTC(t *testing.T) {
	ctx := t.Context()
	d := dbtest.New(t)
	in := time.Date(2026, 3, 15, 9, 30, 15, 123456789, dbtest.Shanghai)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('t', '{}', $1)`, db.Time(in))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var text string
	var out time.Time
	if err := d.QueryRowContext(ctx, `SELECT updated_at, updated_at FROM settings WHERE key = 't'`).Scan(&text, (*db.Time)(&out)); err != nil {
		t.Fatal(err)
	}
	if want := "2026-03-15T01:30:15.123456Z"; text != want {
		t.Errorf("stored %q, want %q", text, want)
	}
	if want := in.Truncate(time.Microsecond); !out.Equal(want) {
		t.Errorf("read back %v, want %v", out, want)
	}
	if out.Location() != time.UTC {
		t.Errorf("location %v, want UTC", out.Location())
	}
	// Fixed width: text order is time order, on both engines.
	a, _ := db.Time(time.Date(2026, 1, 1, 0, 0, 9, 0, time.UTC)).Value()
	b, _ := db.Time(time.Date(2026, 1, 1, 0, 0, 10, 500, time.UTC)).Value()
	if !(a.(string) < b.(string)) || len(a.(string)) != len(b.(string)) {
		t.Errorf("%q and %q do not sort as times", a, b)
	}
}

func TestNullTime(t *testing.T) {
	v, err := db.NullTime{}.Value()
	if err != nil || v != nil {
		t.Errorf("zero NullTime.Value() = %v, %v; want NULL", v, err)
	}
	var nt db.NullTime
	if err := nt.Scan(nil); err != nil || !time.Time(nt).IsZero() {
		t.Errorf("Scan(nil) = %v, %v", time.Time(nt), err)
	}
	if err := nt.Scan(""); err != nil || !time.Time(nt).IsZero() {
		t.Errorf(`Scan("") = %v, %v`, time.Time(nt), err)
	}
	if err := nt.Scan("2026-03-15T01:00:00.000001Z"); err != nil || time.Time(nt).Nanosecond() != 1000 {
		t.Errorf("Scan = %v, %v", time.Time(nt), err)
	}
	var bad db.Time
	if err := bad.Scan("yesterday"); err == nil {
		t.Error("Scan of a non-time succeeded")
	}
	if err := bad.Scan(42); err == nil {
		t.Error("Scan of an int succeeded")
	}
}

func TestMigrate_IsIdempotentAndRecordsNames(t *testing.T) {
	ctx := t.Context()
	d := dbtest.New(t)
	// Every file in migrations/ is one step, recorded under its name without
	// the engine suffix (0002_audit_guard.sqlite.sql → 0002_audit_guard).
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		name, _, _ := strings.Cut(strings.TrimSuffix(f.Name(), ".sql"), ".")
		if !slices.Contains(want, name) {
			want = append(want, name)
		}
	}
	slices.Sort(want)
	if len(want) < 2 || want[0] != "0001_init" || want[1] != "0002_audit_guard" {
		t.Fatalf("migration files %q", want)
	}
	got, err := d.Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Applied = %q, want %q", got, want)
	}
	for i := range 2 {
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again (%d): %v", i+1, err)
		}
	}
	got, err = d.Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("after migrating again Applied = %q, want %q", got, want)
	}
	// The seed row of audit_head was not inserted twice.
	var n int
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM audit_head`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit_head rows = %d, %v; want 1", n, err)
	}
}

func TestReaderPool_IsReadOnlyOnSQLite(t *testing.T) {
	ctx := t.Context()
	d := dbtest.New(t)
	if d.Dialect() != db.SQLite {
		t.Logf("%s uses one pool for reads and writes; nothing to check", d.Dialect())
		return
	}
	rows, err := d.QueryContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('sneaky', '{}', '') RETURNING key`)
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if err == nil {
		t.Error("INSERT through the reader pool succeeded")
	}
	if settingExists(t, d, "sneaky") {
		t.Error("the reader pool wrote a row")
	}
}

func TestOpen_RefusesMemoryDatabase(t *testing.T) {
	ctx := t.Context()
	for _, dsn := range []string{"", ":memory:", "sqlite::memory:"} {
		if d, err := db.Open(ctx, dsn); err == nil {
			d.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	if db.Redacted("postgres://u:secret@h/db") == "postgres://u:secret@h/db" {
		t.Error("Redacted kept the password")
	}
}

// The statements a transaction keeps prepared must not change what a query
// returns: the same query run again, statements after a savepoint is rolled
// back, and errors, all behave as unprepared.
func TestTx_PreparedStatementsBehaveAsPlainOnes(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if _, err := tx.ExecContext(ctx, `CREATE TABLE stmt_t (id BIGINT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			return err
		}
		for i := 1; i <= 3; i++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stmt_t (id, v) VALUES ($1, $2)`, i, fmt.Sprint("v", i)); err != nil {
				return err
			}
		}
		// The same query again and again, each time to the end.
		for range 3 {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM stmt_t WHERE id >= $1 ORDER BY id`, 2)
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if !slices.Equal(ids, []int64{2, 3}) {
				t.Errorf("ids = %v", ids)
			}
		}
		// A cached insert inside a savepoint that fails leaves nothing; the statement still works after.
		refused := errors.New("refused")
		err = tx.Savepoint(ctx, func() error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stmt_t (id, v) VALUES ($1, $2)`, 4, "v4"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO stmt_t (id, v) VALUES ($1, $2)`, 1, "again"); err == nil {
				t.Error("a duplicate key was accepted")
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Errorf("Savepoint returned %v, want fn's error", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stmt_t (id, v) VALUES ($1, $2)`, 5, "v5"); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM stmt_t WHERE id > $1`, 0).Scan(&n); err != nil {
			return err
		}
		if n != 4 {
			t.Errorf("rows = %d, want 4 (1–3 and 5)", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
