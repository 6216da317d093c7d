package db

import (
	"context"
	"errors"
	"fmt"
	"regexp"
)

// pragmaName keeps Pragma to plain names: a PRAGMA cannot take a bound
// parameter, so the name is written into the statement.
var pragmaName = regexp.MustCompile(`^[a-z_]+$`)

// Pragma returns a SQLite PRAGMA's value on the writer connection, for the
// configuration test and the operator's diagnostics.
func (d *DB) Pragma(ctx context.Context, name string) (string, error) {
	if d.dialect != SQLite {
		return "", errors.New("db.Pragma: only SQLite has PRAGMAs")
	}
	if !pragmaName.MatchString(name) {
		return "", fmt.Errorf("db.Pragma: bad name %q", name)
	}
	var v string
	err := d.w.QueryRowContext(ctx, `PRAGMA `+name).Scan(&v)
	return v, err
}

// ReaderPragmas returns a PRAGMA's value on n reader connections held at
// once, so a test sees every pooled connection and not one reused n times.
// n may not exceed the pool's size, or it would wait for itself.
func (d *DB) ReaderPragmas(ctx context.Context, name string, n int) ([]string, error) {
	if d.dialect != SQLite {
		return nil, errors.New("db.ReaderPragmas: only SQLite has PRAGMAs")
	}
	if size := d.r.Stats().MaxOpenConnections; n > size {
		return nil, fmt.Errorf("db.ReaderPragmas: %d connections asked, the pool holds %d", n, size)
	}
	if !pragmaName.MatchString(name) {
		return nil, fmt.Errorf("db.ReaderPragmas: bad name %q", name)
	}
	out := make([]string, 0, n)
	for range n {
		c, err := d.r.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		var v string
		if err := c.QueryRowContext(ctx, `PRAGMA `+name).Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// QuickCheck runs PRAGMA quick_check (SQLite), a cheaper integrity_check
// for start-up (security.md §6.1); it returns "ok" for a sound file. On
// PostgreSQL it returns "ok" after a ping.
func (d *DB) QuickCheck(ctx context.Context) (string, error) {
	if d.dialect != SQLite {
		return "ok", d.w.PingContext(ctx)
	}
	rows, err := d.r.QueryContext(ctx, `PRAGMA quick_check`)
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

// Optimize lets SQLite refresh its query planner statistics (PRAGMA
// optimize, advised daily for long-running processes). PostgreSQL's
// autovacuum does this by itself.
func (d *DB) Optimize(ctx context.Context) error {
	if d.dialect != SQLite {
		return nil
	}
	_, err := d.w.ExecContext(ctx, `PRAGMA optimize`)
	return err
}
