// Package db opens the database (embedded SQLite or PostgreSQL), applies the
// migrations and runs transactions. It knows nothing about the domain.
//
// One SQL text serves both engines: placeholders are $1…$N (modernc binds
// them by number, like PostgreSQL), times and dates are text, money is BIGINT
// yuan, and "now" always comes from Go through Tx.Now so the clock can be
// injected (STYLE.md §2).
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the database engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a database: for SQLite a single-connection writer pool and a
// read-only reader pool on the same file; for PostgreSQL one pool used for both.
type DB struct {
	w, r    *sql.DB
	dialect Dialect
	// Path is the SQLite file, empty for PostgreSQL.
	Path string
	// Clock is the time source. Tests replace it; every transaction reads it once.
	Clock func() time.Time
}

// sqlitePragmas come in this order because modernc applies busy_timeout first
// only when it is listed first. synchronous(FULL): a town office may have no
// UPS, and a committed monthly report must survive a power cut.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=secure_delete(1)" +
	// Savepoint journals and sort spills stay in memory: an import's savepoint
	// per row otherwise writes a temporary file for every row. A 32 MB page
	// cache (grown only as used) keeps a large transaction from spilling
	// pages to the WAL before it commits: a 10,000-row import went from 10 s to 3 s.
	"&_pragma=temp_store(2)&_pragma=cache_size(-32000)"

// IsPostgresURL reports whether dsn names a PostgreSQL server rather than a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL, or a SQLite file
// path (optionally prefixed with "sqlite:"). It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var d *DB
	var err error
	if IsPostgresURL(dsn) {
		d, err = openPostgres(dsn)
	} else {
		d, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := d.r.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	return d, nil
}

func openSQLite(path string) (*DB, error) {
	if path == "" || path == ":memory:" {
		return nil, errors.New("db: a SQLite database needs a file path")
	}
	// Writer: BEGIN IMMEDIATE, so a read-then-write transaction never fails
	// while upgrading its lock; one connection, so writers queue in Go.
	w, err := sql.Open("sqlite", "file:"+path+"?"+sqlitePragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Readers: deferred transactions and query_only, so a read can never take the write lock.
	r, err := sql.Open("sqlite", "file:"+path+"?"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	d := &DB{w: w, r: r, dialect: SQLite, Path: path, Clock: time.Now}
	// The writer creates the file and switches it to WAL before any reader opens it.
	if err := w.Ping(); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	return d, nil
}

func openPostgres(dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(16)
	p.SetMaxIdleConns(4)
	p.SetConnMaxLifetime(time.Hour)
	return &DB{w: p, r: p, dialect: Postgres, Clock: time.Now}, nil
}

// Dialect reports the engine.
func (d *DB) Dialect() Dialect { return d.dialect }

// Close closes both pools.
func (d *DB) Close() error {
	err := d.w.Close()
	if d.r != d.w {
		err = errors.Join(err, d.r.Close())
	}
	return err
}

// Querier is what read functions take: a *DB (the reader pool) or a *Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	// Now is the current time: the transaction's start, or the clock for a *DB.
	Now() time.Time
}

// QueryContext runs a read query on the reader pool.
func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.r.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a single-row read query on the reader pool.
func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.r.QueryRowContext(ctx, query, args...)
}

// Now reads the injected clock.
func (d *DB) Now() time.Time {
	if d.Clock == nil {
		return time.Now()
	}
	return d.Clock()
}

// Tx is a write transaction with the time fixed at its start.
type Tx struct {
	*sql.Tx
	now     time.Time
	dialect Dialect
	stmts   map[string]*sql.Stmt
}

// maxCachedStatements bounds the statements a transaction keeps prepared;
// queries built with varying IN lists beyond it simply run unprepared.
const maxCachedStatements = 64

// stmt returns the statement for query, prepared once per transaction on
// SQLite. A long transaction (an import of thousands of rows) runs the same
// few statements again and again, and SQLite spends most of a short
// statement's time parsing it; pgx already keeps a per-connection cache of
// prepared statements, so PostgreSQL passes through.
//
// The driver keeps one cursor per prepared statement, so a cached query
// could not run again while its own rows are open; no code may do that
// anyway, since a PostgreSQL connection refuses a second query while rows
// are open ("conn busy"), and the test suite runs on both engines. Queries
// with long parameter lists (IN lists of ids) vary per call and are not kept.
func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if tx.dialect != SQLite || strings.Count(query, "$") > 16 {
		return nil, nil
	}
	if s, ok := tx.stmts[query]; ok {
		return s, nil
	}
	if len(tx.stmts) >= maxCachedStatements {
		return nil, nil
	}
	s, err := tx.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = s
	return s, nil
}

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return tx.Tx.ExecContext(ctx, query, args...)
	}
	return s.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return tx.Tx.QueryContext(ctx, query, args...)
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext runs a query expected to return at most one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := tx.stmt(ctx, query)
	if err != nil || s == nil {
		// A query that fails to prepare fails the same way unprepared, with its error in the Row.
		return tx.Tx.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// Now is the time the transaction began; every change in it carries this time.
func (tx *Tx) Now() time.Time { return tx.now }

// Dialect reports the engine.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

// Savepoint runs fn inside a savepoint of the transaction. When fn fails,
// all it did is undone and the transaction goes on, so a caller can try
// one part after another (an import, row by row) and report each refusal:
// on PostgreSQL an error otherwise aborts the whole transaction. It returns
// fn's error.
func (tx *Tx) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT part`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		// Released after the rollback too: savepoints left open would nest, one per failure.
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT part`); rerr != nil {
			return rerr
		}
		if _, rerr := tx.ExecContext(ctx, `RELEASE SAVEPOINT part`); rerr != nil {
			return rerr
		}
		return err
	}
	_, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT part`)
	return err
}

// InTx runs fn in a write transaction. It commits when fn returns nil and
// rolls back when fn returns an error or panics.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	// Stored times keep microseconds: truncating here makes a value read back
	// equal to the one written (the audit chain hashes it).
	tx := &Tx{Tx: stx, now: d.Now().UTC().Truncate(time.Microsecond), dialect: d.dialect}
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
		if err != nil {
			stx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", Translate(err))
	}
	return nil
}

// Exec runs a statement outside any domain transaction (maintenance only).
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.w.ExecContext(ctx, query, args...)
}

// Redacted returns dsn with any password removed, for logs and messages.
func Redacted(dsn string) string {
	if !IsPostgresURL(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Ping checks that both pools answer.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.r.PingContext(ctx); err != nil {
		return err
	}
	return d.w.PingContext(ctx)
}
