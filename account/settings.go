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
	specs := map[string]SecuritySetting{}
	for _, g := range SecuritySettings() {
		for _, st := range g.Settings {
			specs[st.Key] = st
		}
	}
	num := func(key string) int {
		st := specs[key]
		v, err := strconv.Atoi(in[key])
		if err != nil || v < st.Min || v > st.Max {
			f.Add(key, fmt.Sprintf("%s应为 %d 到 %d 之间的整数", st.Label, st.Min, st.Max))
		}
		return v
	}
	s := Security{
		PasswordMinLength:   num("password_min_length"),
		PasswordMinClasses:  num("password_min_classes"),
		PasswordExpiryDays:  num("password_expiry_days"),
		PasswordHistory:     num("password_history"),
		LockoutThreshold:    num("lockout_threshold"),
		LockoutMinutes:      num("lockout_minutes"),
		IdleTimeoutMinutes:  num("idle_timeout_minutes"),
		AbsoluteTimeoutHour: num("absolute_timeout_hours"),
		AuditRetentionDays:  num("audit_retention_days"),
		IPThrottlePerWindow: num("ip_throttle_per_window"),
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

// SecuritySetting describes one security setting: its name, the 等保 reason
// for it, and the range the form accepts. The form and the validation both
// read this one catalog.
type SecuritySetting struct {
	Key      string
	Label    string
	Unit     string // shown after a number
	Min, Max int
	Note     string // what a special value means, e.g. "0 表示不过期"
	Why      string
	Check    bool // a switch rather than a number
}

// SecurityGroup is a heading of the settings form.
type SecurityGroup struct {
	Title    string
	Settings []SecuritySetting
}

// SecuritySettings is the catalog of the security administrator's settings, in form order.
func SecuritySettings() []SecurityGroup {
	return []SecurityGroup{
		{"口令复杂度与更换（身份鉴别）", []SecuritySetting{
			{Key: "password_min_length", Label: "密码最短长度", Unit: "位", Min: 8, Max: 64,
				Why: "等保2.0 要求身份鉴别信息具有复杂度要求；长密码是抵御暴力破解的基础。"},
			{Key: "password_min_classes", Label: "至少包含的字符种类", Unit: "种", Min: 1, Max: 4,
				Why: "大写字母、小写字母、数字、符号四类中至少包含几类，满足口令复杂度要求。"},
			{Key: "password_expiry_days", Label: "密码有效期", Unit: "天", Min: 0, Max: 180, Note: "0 表示不过期",
				Why: "等保2.0 要求身份鉴别信息定期更换；到期后登录须先改密码。"},
			{Key: "password_history", Label: "不可重复使用的历史密码数", Unit: "个", Min: 0, Max: 24,
				Why: "防止更换密码时换回最近用过的密码，使定期更换真正有效。"},
		}},
		{"登录失败处理", []SecuritySetting{
			{Key: "lockout_threshold", Label: "连续登录失败锁定次数", Unit: "次", Min: 3, Max: 10,
				Why: "等保2.0 要求具有登录失败处理功能，限制非法登录次数。"},
			{Key: "lockout_minutes", Label: "锁定时长", Unit: "分钟", Min: 5, Max: 1440,
				Why: "达到失败次数后账号锁定的时长；系统管理员可提前解锁。"},
			{Key: "ip_throttle_per_window", Label: "同一地址 15 分钟内登录失败上限", Unit: "次", Min: 5, Max: 1000,
				Why: "防止从同一地址轮流尝试多个账号（撞库），与账号锁定互为补充。"},
		}},
		{"会话", []SecuritySetting{
			{Key: "idle_timeout_minutes", Label: "空闲超时", Unit: "分钟", Min: 5, Max: 30,
				Why: "等保2.0 要求登录连接超时自动退出；无操作超过该时长须重新登录。"},
			{Key: "absolute_timeout_hours", Label: "会话最长时间", Unit: "小时", Min: 1, Max: 24,
				Why: "无论是否有操作，登录超过该时长须重新登录，限制被盗会话的可用时间。"},
		}},
		{"双因素认证", []SecuritySetting{
			{Key: "require_admin_totp", Label: "三员必须使用动态口令", Check: true,
				Why: "等保2.0 第三级要求采用两种或两种以上组合的鉴别技术；系统管理员、安全管理员、审计管理员登录须输入手机验证器上的动态口令。"},
		}},
		{"安全审计", []SecuritySetting{
			{Key: "audit_retention_days", Label: "审计记录保留天数", Unit: "天", Min: audit.MinRetentionDays, Max: 3650,
				Why: "《网络安全法》要求网络日志留存不少于六个月（184 天）；等保2.0 要求保护审计记录。"},
		}},
		{"通信传输", []SecuritySetting{
			{Key: "behind_tls_proxy", Label: "经 HTTPS 反向代理访问", Check: true,
				Why: "等保2.0 要求保证通信过程中数据的保密性。开启后登录凭据只经加密连接发送，并从本机代理读取客户端地址。仅在确已通过 HTTPS 访问时开启，否则将无法登录。"},
		}},
	}
}
