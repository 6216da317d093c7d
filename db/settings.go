package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// The settings table holds each area's settings as one JSON value under a
// key ("report.rules", "bulletin.weights", …); the areas own their types
// and defaults, these two functions own the table.

// LoadSetting reads the setting stored under key into v. found is false,
// and v untouched, when none is stored; on an error v may be half-filled,
// so callers fall back to their defaults.
func LoadSetting(ctx context.Context, q Querier, key string, v any) (found bool, err error) {
	var raw string
	err = q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("setting %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return true, fmt.Errorf("setting %s: %w", key, err)
	}
	return true, nil
}

// SaveSetting stores v as JSON under key, recording when and by which
// account (0: the system).
func SaveSetting(ctx context.Context, tx *Tx, key string, v any, by int64) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("setting %s: %w", key, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		key, string(raw), Time(tx.Now()), by); err != nil {
		return fmt.Errorf("setting %s: %w", key, err)
	}
	return nil
}
