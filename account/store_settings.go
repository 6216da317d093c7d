package account

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"guatu/auth"
	"guatu/db"
)

// LoadSecurity returns the stored settings, or the defaults where none are stored.
func LoadSecurity(ctx context.Context, q db.Querier) (Security, error) {
	s := DefaultSecurity()
	var raw string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, securityKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("account.LoadSecurity: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return DefaultSecurity(), fmt.Errorf("account.LoadSecurity: %w", err)
	}
	return s, nil
}

func storeSecurity(ctx context.Context, tx *db.Tx, by auth.Actor, s Security) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		securityKey, string(raw), db.Time(tx.Now()), by.UserID)
	return err
}
