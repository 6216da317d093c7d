package account

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
)

// Personal API tokens (接口令牌) let an integration (a county platform, a
// spreadsheet macro) call /api/v1 as the user who made the token. A token
// acts exactly as its user, with the same roles and scope, so it can never do
// more than the pages would let that user do.
//
// The secret is "gt_" and 256 random bits (base64url), shown once; only its
// SHA-256 is stored, with the first few characters for recognition. A token
// always expires (30 to 365 days). It stops working when revoked, when its
// user is disabled or has their password reset by an administrator (both
// revoke every token), and while the user is locked or must change their
// password. The three administrator roles (三员) hold no tokens: their work
// is interactive and protected by the second factor, which a bearer token
// would bypass.

// TokenSecretPrefix starts every token secret, so a leaked one is easy to
// recognise (and to search for in code or logs).
const TokenSecretPrefix = "gt_"

// tokenSecretLen is the length of a secret: the prefix and 43 base64url characters.
const tokenSecretLen = len(TokenSecretPrefix) + 43

// tokenShownPrefix is how many characters of the secret are kept in clear
// for the list: the prefix and 8 random characters (48 of the 256 bits).
const tokenShownPrefix = len(TokenSecretPrefix) + 8

// MaxLiveTokens is how many unexpired, unrevoked tokens one account may hold.
const MaxLiveTokens = 10

// TokenLifetimes are the lifetimes a token may be given, in days; there is no "never".
var TokenLifetimes = []int{30, 90, 180, 365}

// DefaultTokenDays is the lifetime the form offers first.
const DefaultTokenDays = 90

// Token is a personal API token as stored: never the secret.
type Token struct {
	ID            int64
	UserID        int64
	Name          string // 用途
	Prefix        string // the secret's first characters, not secret
	CreatedAt     time.Time
	ExpiresAt     time.Time
	LastUsedAt    time.Time // zero until first used; refreshed at most once a minute
	LastUsedIP    string
	RevokedAt     time.Time // zero unless revoked
	RevokedReason string
}

// TokenState is where a token stands.
type TokenState string

// The token states.
const (
	TokenLive    TokenState = "live"
	TokenExpired TokenState = "expired"
	TokenRevoked TokenState = "revoked"
)

// Label is the state's Chinese name.
func (s TokenState) Label() string {
	switch s {
	case TokenLive:
		return "有效"
	case TokenExpired:
		return "已过期"
	case TokenRevoked:
		return "已撤销"
	}
	return string(s)
}

// State is the token's state at now.
func (t *Token) State(now time.Time) TokenState {
	switch {
	case !t.RevokedAt.IsZero():
		return TokenRevoked
	case !now.Before(t.ExpiresAt):
		return TokenExpired
	}
	return TokenLive
}

// TokenOrigin is the audit origin of a request made with the token: the
// trail names the credential, not only the user.
func TokenOrigin(id int64) string { return "api:token:" + strconv.FormatInt(id, 10) }

// CanHoldTokens reports whether the user may create API tokens: not the
// three administrator roles (see the package comment above).
func CanHoldTokens(u *User) bool { return !u.IsAdmin() }

// wellFormedSecret reports whether s could be a token secret at all, so junk
// is refused without a database lookup.
func wellFormedSecret(s string) bool {
	if len(s) != tokenSecretLen || !strings.HasPrefix(s, TokenSecretPrefix) {
		return false
	}
	for _, c := range s[len(TokenSecretPrefix):] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// newTokenSecret returns a fresh secret.
func newTokenSecret() string { return TokenSecretPrefix + NewToken() }

// TokenInput is the new-token form as typed.
type TokenInput struct {
	Name     string // 用途
	Days     string // one of TokenLifetimes
	Password string // the user's password, asked again: a stolen session must not mint a long-lived credential
}

func (in TokenInput) validate() (name string, days int, err error) {
	var f apperr.Fields
	name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 30 {
		f.Add("name", "请填写用途（不超过30个字），如“县平台对接”")
	} else if strings.IndexFunc(name, func(r rune) bool { return r < ' ' }) >= 0 {
		f.Add("name", "用途不能包含控制字符")
	}
	days, convErr := strconv.Atoi(strings.TrimSpace(in.Days))
	valid := false
	for _, d := range TokenLifetimes {
		valid = valid || convErr == nil && d == days
	}
	if !valid {
		f.Add("days", "请选择有效期")
	}
	return name, days, f.Err()
}
