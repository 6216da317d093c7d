package account

import (
	"strconv"
	"testing"

	"guatu/apperr"
	"guatu/audit"
)

// The security settings form is outside input: accepted values are always
// inside their ranges (above all, audit retention never below 184 days).
func FuzzSecurityInput(f *testing.F) {
	f.Add("12", "3", "90", "5", "5", "30", "30", "12", "365", "20", "on")
	f.Add("", "", "", "", "", "", "", "", "", "", "")
	f.Add("8", "1", "0", "0", "3", "5", "5", "1", "183", "5", "")
	f.Add("64", "4", "180", "24", "10", "1440", "30", "24", "3650", "1000", "x")
	f.Fuzz(func(t *testing.T, minLen, classes, expiry, history, threshold, lockMin, idle, abs, retention, throttle, totp string) {
		in := SecurityInput{"password_min_length": minLen, "password_min_classes": classes, "password_expiry_days": expiry,
			"password_history": history, "lockout_threshold": threshold, "lockout_minutes": lockMin,
			"idle_timeout_minutes": idle, "absolute_timeout_hours": abs, "audit_retention_days": retention,
			"ip_throttle_per_window": throttle, "require_admin_totp": totp}
		s, err := in.parse()
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if s.AuditRetentionDays < audit.MinRetentionDays || s.PasswordMinLength < 8 || s.IdleTimeoutMinutes > 30 ||
			s.LockoutThreshold < 3 || s.PasswordMinClasses < 1 || s.PasswordMinClasses > 4 {
			t.Fatalf("accepted out-of-range settings %+v", s)
		}
		// What was accepted is shown back unchanged.
		if back := s.Form(); back["audit_retention_days"] != strconv.Itoa(s.AuditRetentionDays) {
			t.Fatalf("form round trip: %v", back)
		}
	})
}

// Any password is judged without panicking; an accepted one meets the length and class rules.
func FuzzCheckStrength(f *testing.F) {
	f.Add("zhang", "Demo@2026guatu")
	f.Add("", "")
	f.Add("a", "密码密码密码密码密码密码Aa1")
	f.Fuzz(func(t *testing.T, username, pw string) {
		s := DefaultSecurity()
		if CheckStrength(s, username, pw) != "" {
			return
		}
		if len([]rune(pw)) < s.PasswordMinLength || len(pw) > maxPasswordBytes {
			t.Fatalf("accepted %q", pw)
		}
	})
}
