package account

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the OWASP minimum (19 MiB, 2 passes). A password hash
// costs about 30 ms and 19 MiB here; hashSlots bounds how many run at once
// so a burst of sign-ins cannot exhaust a small server's memory.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// hashSlots limits concurrent hashing. It is process-wide on purpose: it
// guards the machine's memory, which is process-wide too.
var hashSlots = make(chan struct{}, 2)

// HashPassword returns the argon2id hash of pw in PHC string form.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	hashSlots <- struct{}{}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	<-hashSlots
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC-form hash. The whole
// password is used, never a prefix (unlike bcrypt's 72 bytes).
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	hashSlots <- struct{}{}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	<-hashSlots
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a username does not exist, so an unknown
// user and a wrong password take the same time.
var dummyHash = func() string {
	h, err := HashPassword("guatu-dummy-password-for-timing")
	if err != nil {
		panic(err)
	}
	return h
}()

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// maxPasswordBytes bounds the input to hashing; 64 Chinese characters are 192 bytes.
const maxPasswordBytes = 256

// ErrPasswordPolicy carries the policy message for a rejected password.
var ErrPasswordPolicy = errors.New("password does not meet the policy")

// CheckStrength returns a Chinese message saying why pw breaks the policy,
// or "" when it is acceptable.
func CheckStrength(s Security, username, pw string) string {
	n := utf8.RuneCountInString(pw)
	if n < s.PasswordMinLength {
		return fmt.Sprintf("密码至少 %d 个字符", s.PasswordMinLength)
	}
	if len(pw) > maxPasswordBytes {
		return fmt.Sprintf("密码不能超过 %d 字节", maxPasswordBytes)
	}
	var lower, upper, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsControl(r):
			return "密码不能包含控制字符"
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, symbol} {
		if b {
			classes++
		}
	}
	if classes < s.PasswordMinClasses {
		return fmt.Sprintf("密码须包含小写字母、大写字母、数字、符号中的至少 %d 种", s.PasswordMinClasses)
	}
	low := strings.ToLower(pw)
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" && strings.Contains(low, u) {
		return "密码不能包含用户名"
	}
	if commonPasswords[low] {
		return "这个密码太常见，容易被猜中，请换一个"
	}
	return ""
}

// RandomPassword makes a temporary password of at least minLength (and at
// least 16) characters with all four classes; it avoids look-alike
// characters because people read it aloud or from paper.
func RandomPassword(minLength int) string {
	const (
		lowers  = "abcdefghjkmnpqrstuvwxyz"
		uppers  = "ABCDEFGHJKMNPQRSTUVWXYZ"
		digits  = "23456789"
		symbols = "@#%+=!"
	)
	sets := []string{lowers, uppers, digits, symbols, lowers, uppers, digits, lowers, uppers, digits, lowers, uppers, digits, symbols, lowers, digits}
	for len(sets) < minLength {
		sets = append(sets, lowers+digits)
	}
	out := make([]byte, len(sets))
	for i, set := range sets {
		out[i] = set[randIntn(len(set))]
	}
	return string(out)
}

func randIntn(n int) int {
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}
