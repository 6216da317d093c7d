// Package account is the accounts of Guatu: users and their role grants,
// password hashing and policy, lockout, server-side sessions, the TOTP second
// factor with recovery codes, first-run set-up, and the security settings
// that the security administrator keeps (等保 2.0 第三级 身份鉴别).
//
// It builds the auth.Actor for a session; the permission policy itself is in
// package auth.
package account

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

// Security is the security administrator's settings. Every rule of the
// password, lockout and session policy is one of these, with 等保 defaults.
type Security struct {
	PasswordMinLength   int  `json:"password_min_length"`  // characters
	PasswordMinClasses  int  `json:"password_min_classes"` // of lower, upper, digit, symbol
	PasswordExpiryDays  int  `json:"password_expiry_days"` // 0 = never
	PasswordHistory     int  `json:"password_history"`     // last N not reusable
	LockoutThreshold    int  `json:"lockout_threshold"`    // consecutive failures
	LockoutMinutes      int  `json:"lockout_minutes"`      //
	IdleTimeoutMinutes  int  `json:"idle_timeout_minutes"` //
	AbsoluteTimeoutHour int  `json:"absolute_timeout_hours"`
	RequireAdminTOTP    bool `json:"require_admin_totp"`     // 三员 must use a second factor
	AuditRetentionDays  int  `json:"audit_retention_days"`   // ≥ 184
	BehindTLSProxy      bool `json:"behind_tls_proxy"`       // cookies Secure and __Host- even if the app sees plain HTTP
	IPThrottlePerWindow int  `json:"ip_throttle_per_window"` // failed sign-ins per client address per 15 minutes
}

// DefaultSecurity are the defaults the issue and security.md §1.2 give.
func DefaultSecurity() Security {
	return Security{
		PasswordMinLength:   12,
		PasswordMinClasses:  3,
		PasswordExpiryDays:  90,
		PasswordHistory:     5,
		LockoutThreshold:    5,
		LockoutMinutes:      30,
		IdleTimeoutMinutes:  30,
		AbsoluteTimeoutHour: 12,
		RequireAdminTOTP:    true,
		AuditRetentionDays:  365,
		BehindTLSProxy:      false,
		IPThrottlePerWindow: 20,
	}
}

// IdleTimeout is the idle session limit.
func (s Security) IdleTimeout() time.Duration {
	return time.Duration(s.IdleTimeoutMinutes) * time.Minute
}

// AbsoluteTimeout is the absolute session limit.
func (s Security) AbsoluteTimeout() time.Duration {
	return time.Duration(s.AbsoluteTimeoutHour) * time.Hour
}

const securityKey = "security"

// SecurityInput is the settings form as typed.
type SecurityInput map[string]string

// Form returns the settings as form values, for rendering the form.
func (s Security) Form() SecurityInput {
	b := func(v bool) string {
		if v {
			return "on"
		}
		return ""
	}
	return SecurityInput{
		"password_min_length":    strconv.Itoa(s.PasswordMinLength),
		"password_min_classes":   strconv.Itoa(s.PasswordMinClasses),
		"password_expiry_days":   strconv.Itoa(s.PasswordExpiryDays),
		"password_history":       strconv.Itoa(s.PasswordHistory),
		"lockout_threshold":      strconv.Itoa(s.LockoutThreshold),
		"lockout_minutes":        strconv.Itoa(s.LockoutMinutes),
		"idle_timeout_minutes":   strconv.Itoa(s.IdleTimeoutMinutes),
		"absolute_timeout_hours": strconv.Itoa(s.AbsoluteTimeoutHour),
		"audit_retention_days":   strconv.Itoa(s.AuditRetentionDays),
		"ip_throttle_per_window": strconv.Itoa(s.IPThrottlePerWindow),
		"require_admin_totp":     b(s.RequireAdminTOTP),
		"behind_tls_proxy":       b(s.BehindTLSProxy),
	}
}

// parse validates the form into settings, with a Chinese message per bad field.
func (in SecurityInput) parse() (Security, error) {
	var f apperr.Fields
	num := func(key string, lo, hi int, what string) int {
		v, err := strconv.Atoi(in[key])
		if err != nil || v < lo || v > hi {
			f.Add(key, fmt.Sprintf("%s应为 %d 到 %d 之间的整数", what, lo, hi))
		}
		return v
	}
	s := Security{
		PasswordMinLength:   num("password_min_length", 8, 64, "密码最短长度"),
		PasswordMinClasses:  num("password_min_classes", 1, 4, "字符种类数"),
		PasswordExpiryDays:  num("password_expiry_days", 0, 180, "密码有效期"),
		PasswordHistory:     num("password_history", 0, 24, "不可重复使用的历史密码数"),
		LockoutThreshold:    num("lockout_threshold", 3, 10, "连续失败次数"),
		LockoutMinutes:      num("lockout_minutes", 5, 1440, "锁定时长"),
		IdleTimeoutMinutes:  num("idle_timeout_minutes", 5, 30, "空闲超时"),
		AbsoluteTimeoutHour: num("absolute_timeout_hours", 1, 24, "会话最长时间"),
		AuditRetentionDays:  num("audit_retention_days", audit.MinRetentionDays, 3650, "审计记录保留天数"),
		IPThrottlePerWindow: num("ip_throttle_per_window", 5, 1000, "同一地址登录失败上限"),
		RequireAdminTOTP:    in["require_admin_totp"] != "",
		BehindTLSProxy:      in["behind_tls_proxy"] != "",
	}
	return s, f.Err()
}

// SaveSecurity validates and stores the settings. Only the security administrator may.
func SaveSecurity(ctx context.Context, tx *db.Tx, by auth.Actor, in SecurityInput) (Security, error) {
	if !auth.CanAnywhere(by, auth.ManageSecurity) {
		return Security{}, apperr.Forbiddenf("只有安全管理员可以修改安全设置")
	}
	s, err := in.parse()
	if err != nil {
		return s, err
	}
	old, err := LoadSecurity(ctx, tx)
	if err != nil {
		return s, err
	}
	if err := storeSecurity(ctx, tx, by, s); err != nil {
		return s, err
	}
	return s, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.SettingsChanged, ObjectType: "settings",
		ObjectName: "安全设置", Before: old, After: s})
}

// SetDemoSecurity relaxes the administrators' second factor for the demo town
// (the demo accounts share a published password; TOTP would lock visitors out).
func SetDemoSecurity(ctx context.Context, tx *db.Tx, by auth.Actor) error {
	if !by.System {
		return apperr.Forbiddenf("只有演示数据载入程序可以这样设置")
	}
	s, err := LoadSecurity(ctx, tx)
	if err != nil {
		return err
	}
	old := s
	s.RequireAdminTOTP = false
	if err := storeSecurity(ctx, tx, by, s); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.SettingsChanged, ObjectType: "settings",
		ObjectName: "安全设置", Before: old, After: s, Note: "演示环境：管理员免用动态口令"})
}

// ViewSecurity returns the settings for the security administrator's page.
// (LoadSecurity itself is unrestricted: every request needs the settings.)
func ViewSecurity(ctx context.Context, q db.Querier, by auth.Actor) (Security, error) {
	if !auth.CanAnywhere(by, auth.ManageSecurity) {
		return Security{}, apperr.Forbiddenf("只有安全管理员可以查看和修改安全设置")
	}
	return LoadSecurity(ctx, q)
}
