package notify

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
)

// Platform is the chat system a group robot belongs to.
type Platform string

// The platforms.
const (
	DingTalk Platform = "dingtalk"
	WeCom    Platform = "wecom"
)

// Platforms lists the platforms in display order.
var Platforms = []Platform{DingTalk, WeCom}

// Label is the platform's Chinese name.
func (p Platform) Label() string {
	switch p {
	case DingTalk:
		return "钉钉"
	case WeCom:
		return "企业微信"
	}
	return string(p)
}

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool { return p == DingTalk || p == WeCom }

// officialHost and officialPath are where each platform's robots live; a
// webhook anywhere else is refused unless the Sender allows any host.
func (p Platform) officialHost() string {
	if p == DingTalk {
		return "oapi.dingtalk.com"
	}
	return "qyapi.weixin.qq.com"
}

func (p Platform) officialPath() string {
	if p == DingTalk {
		return "/robot/send"
	}
	return "/cgi-bin/webhook/send"
}

// tokenParam is the query parameter that carries the robot's credential.
func (p Platform) tokenParam() string {
	if p == DingTalk {
		return "access_token"
	}
	return "key"
}

// Channel is a group robot as stored. Webhook and Secret are credentials:
// they leave this package only towards the robot, and pages show WebhookHint
// and HasSecret instead.
type Channel struct {
	ID        int64
	UnitID    int64 // 0 for 全镇
	UnitName  string
	UnitPath  string
	Platform  Platform
	Name      string
	Webhook   string
	Secret    string
	Kinds     []Kind
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Scope names whose notices the robot hears.
func (c *Channel) Scope() string {
	if c.UnitID == 0 {
		return "全镇"
	}
	return c.UnitName
}

// HasSecret reports whether a 加签 secret is stored.
func (c *Channel) HasSecret() bool { return c.Secret != "" }

// WebhookHint shows enough of the webhook to recognise it (host, path and
// the first characters of the token) and not enough to post with it.
func (c *Channel) WebhookHint() string {
	u, err := url.Parse(c.Webhook)
	if err != nil {
		return "（地址无法解析）"
	}
	hint := u.Host + u.Path
	if tok := u.Query().Get(c.Platform.tokenParam()); tok != "" {
		shown := tok
		if len(shown) > 4 {
			shown = shown[:4]
		}
		hint += "?" + c.Platform.tokenParam() + "=" + shown + "…"
	}
	return hint
}

// Hears reports whether the robot subscribes to notices of kind k.
func (c *Channel) Hears(k Kind) bool {
	for _, x := range c.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// KindLabels lists the subscribed kinds in words.
func (c *Channel) KindLabels() string {
	labels := make([]string, len(c.Kinds))
	for i, k := range c.Kinds {
		labels[i] = k.Label()
	}
	return strings.Join(labels, "、")
}

// snapshot is what the audit trail keeps of a robot: never the webhook
// token or the secret.
func (c *Channel) snapshot() map[string]any {
	return map[string]any{"名称": c.Name, "平台": c.Platform.Label(), "范围": c.Scope(), "消息类别": c.KindLabels(),
		"启用": c.Enabled, "地址": c.WebhookHint(), "加签": c.HasSecret()}
}

// encodeKinds stores kinds as ",a,b," so a LIKE '%,a,%' finds subscribers.
func encodeKinds(kinds []Kind) string {
	if len(kinds) == 0 {
		return ""
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = string(k)
	}
	return "," + strings.Join(parts, ",") + ","
}

func decodeKinds(s string) []Kind {
	var out []Kind
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, Kind(p))
		}
	}
	return out
}

// TownScope is the form value of the 全镇 choice: the robot hears notices
// about every unit.
const TownScope = "all"

// ChannelInput is the robot form exactly as typed. On an edit an empty
// Webhook or Secret keeps the stored one, since neither is sent back to the
// page.
type ChannelInput struct {
	Scope       string // a unit id, or TownScope
	Platform    string
	Name        string
	Webhook     string
	Secret      string
	ClearSecret bool
	Kinds       []string
	Enabled     bool
}

// Input is the form of a stored robot, without its credentials.
func (c *Channel) Input() ChannelInput {
	in := ChannelInput{Scope: TownScope, Platform: string(c.Platform), Name: c.Name, Enabled: c.Enabled}
	if c.UnitID != 0 {
		in.Scope = strconv.FormatInt(c.UnitID, 10)
	}
	for _, k := range c.Kinds {
		in.Kinds = append(in.Kinds, string(k))
	}
	return in
}

// Has reports whether the form has kind k ticked (for the checkboxes).
func (in ChannelInput) Has(k Kind) bool {
	for _, x := range in.Kinds {
		if x == string(k) {
			return true
		}
	}
	return false
}

// channelFields are the validated values of a ChannelInput.
type channelFields struct {
	UnitID   int64
	Platform Platform
	Name     string
	Webhook  string
	Secret   string
	Kinds    []Kind
	Enabled  bool
}

// MaxWebhook bounds the length of a webhook address.
const MaxWebhook = 500

// validate checks the form; old is the stored robot on an edit (nil on
// create), whose webhook and secret stand in for empty fields.
func (in ChannelInput) validate(s *Sender, old *Channel) (channelFields, error) {
	var f apperr.Fields
	var out channelFields
	out.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(out.Name); {
	case n == 0:
		f.Add("name", "请填写机器人名称，如“经发办工作群”")
	case n > 30:
		f.Add("name", "名称不超过30个字")
	case strings.IndexFunc(out.Name, func(r rune) bool { return r < ' ' }) >= 0:
		f.Add("name", "名称不能包含控制字符")
	}
	scope := strings.TrimSpace(in.Scope)
	switch scope {
	case TownScope:
	case "":
		f.Add("scope", "请选择机器人接收哪个范围的消息")
	default:
		id, err := strconv.ParseInt(scope, 10, 64)
		if err != nil || id <= 0 {
			f.Add("scope", "请选择机器人接收哪个范围的消息")
		}
		out.UnitID = id
	}
	out.Platform = Platform(in.Platform)
	if !out.Platform.Valid() {
		f.Add("platform", "请选择钉钉或企业微信")
	}
	out.Webhook = strings.TrimSpace(in.Webhook)
	if out.Webhook == "" && old != nil {
		out.Webhook = old.Webhook
		if out.Platform.Valid() && out.Platform != old.Platform {
			f.Add("webhook", "更换平台时请重新填写 Webhook 地址")
		}
	}
	if out.Platform.Valid() {
		if msg := s.checkWebhook(out.Platform, out.Webhook); msg != "" {
			f.Add("webhook", msg)
		}
	}
	out.Secret = strings.TrimSpace(in.Secret)
	if out.Secret == "" && old != nil && !in.ClearSecret && out.Platform == old.Platform {
		out.Secret = old.Secret
	}
	switch {
	case out.Platform == WeCom && strings.TrimSpace(in.Secret) != "":
		f.Add("secret", "企业微信群机器人没有加签密钥，Webhook 地址中的 key 就是凭据，请留空")
	case out.Platform == WeCom:
		out.Secret = ""
	case out.Secret == "":
	case !strings.HasPrefix(out.Secret, "SEC") || len(out.Secret) > 100 || strings.ContainsAny(out.Secret, " \t\r\n"):
		f.Add("secret", "加签密钥以 SEC 开头，请从钉钉机器人安全设置中完整复制")
	}
	seen := map[Kind]bool{}
	for _, k := range in.Kinds {
		kind := Kind(k)
		if !kind.Valid() {
			f.Add("kinds", "消息类别无效")
			continue
		}
		seen[kind] = true
	}
	for _, k := range Kinds { // the catalogue's order, whatever order the form sent
		if seen[k] {
			out.Kinds = append(out.Kinds, k)
		}
	}
	if len(out.Kinds) == 0 {
		f.Add("kinds", "请至少选择一类要推送的消息")
	}
	out.Enabled = in.Enabled
	return out, f.Err()
}
