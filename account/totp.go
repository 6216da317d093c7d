package account

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TOTP as RFC 6238 with the parameters every authenticator app uses by
// default: HMAC-SHA1, 30-second steps, 6 digits. One step of clock drift
// either way is accepted; a step once used is never accepted again.
const (
	totpPeriod = 30
	totpDigits = 6
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret in base32.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b32.EncodeToString(b)
}

// Recovery codes look like "k7pm-3xq9-hf2d": 12 characters from a 31-letter
// alphabet without look-alikes, about 59 bits, so a leaked table of their
// hashes cannot be reversed by trying them all; the hash is salted with the
// user id so equal codes never share a hash.
const (
	recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	recoveryCodeLen  = 14 // with the two hyphens
)

func newRecoveryCode() string {
	b := make([]byte, recoveryCodeLen)
	for j := range b {
		if j == 4 || j == 9 {
			b[j] = '-'
			continue
		}
		b[j] = recoveryAlphabet[randIntn(len(recoveryAlphabet))]
	}
	return string(b)
}

func recoveryHash(userID int64, code string) string {
	return HashToken(strconv.FormatInt(userID, 10) + ":" + code)
}

// TOTPCode is the code for secret at step (RFC 4226 dynamic truncation).
func TOTPCode(secret string, step int64) string {
	key, err := b32.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil {
		return ""
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1_000_000)
}

// TOTPStep is the time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// verifyTOTP returns the matching step when code is valid at now and newer than lastStep.
func verifyTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.TrimSpace(strings.ReplaceAll(code, " ", ""))
	if secret == "" || len(code) != totpDigits {
		return 0, false
	}
	cur := TOTPStep(now)
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		if step > lastStep && hmac.Equal([]byte(TOTPCode(secret, step)), []byte(code)) {
			return step, true
		}
	}
	return 0, false
}

// TOTPURI is the otpauth:// address an authenticator app imports.
func TOTPURI(secret, username string) string {
	label := url.PathEscape("Guatu:" + username)
	v := url.Values{"secret": {secret}, "issuer": {"Guatu"}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + v.Encode()
}
