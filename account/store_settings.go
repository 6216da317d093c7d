package account

import (
	"context"
	"fmt"

	"guatu/auth"
	"guatu/db"
)

// LoadSecurity returns the stored settings, or the defaults where none are stored.
func LoadSecurity(ctx context.Context, q db.Querier) (Security, error) {
	s := DefaultSecurity()
	if _, err := db.LoadSetting(ctx, q, securityKey, &s); err != nil {
		return DefaultSecurity(), fmt.Errorf("account.LoadSecurity: %w", err)
	}
	return s, nil
}

func storeSecurity(ctx context.Context, tx *db.Tx, by auth.Actor, s Security) error {
	return db.SaveSetting(ctx, tx, securityKey, s, by.UserID)
}
