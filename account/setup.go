package account

import (
	"guatu/auth"
)

// SetupInput is the first-run form.
type SetupInput struct {
	TownName    string
	Username    string
	DisplayName string
	Password    string
	Confirm     string
}

// Handover is an account made at set-up whose temporary password must be
// handed to its holder (and changed at first sign-in).
type Handover struct {
	Username string
	Role     auth.Role
	Password string
}

// SetupResult is what set-up created.
type SetupResult struct {
	Admin  *User
	Others []Handover
}
