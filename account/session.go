package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Session is a signed-in browser. The cookie carries a 256-bit random token;
// only its SHA-256 is stored, so the table cannot be replayed.
type Session struct {
	IDHash     string
	UserID     int64
	CSRFToken  string
	MFAPending bool // the password was right; the second factor is still due
	CreatedAt  time.Time
	LastSeenAt time.Time
	ClientIP   string
	UserAgent  string
}

// NewToken returns a 256-bit random token, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// touchEvery limits writes: last_seen_at is refreshed at most once a minute,
// which is far finer than the idle timeout it serves.
const touchEvery = time.Minute
