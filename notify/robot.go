package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Sender posts messages to group robots over HTTPS. The zero value sends
// to the official hosts with a 10-second timeout.
type Sender struct {
	// Client makes the requests; nil means a client with a 10 s timeout.
	Client *http.Client
	// AnyHost accepts webhooks on any http or https host, so tests can put
	// a local httptest server in the robot's place. Production leaves it
	// false: only oapi.dingtalk.com and qyapi.weixin.qq.com, over https.
	AnyHost bool
	// BaseURL is the address people open Guatu at (https://gt.example.gov.cn);
	// robot messages link to the notice's page under it. Empty leaves the
	// link out, since a group on a phone cannot open a bare path.
	BaseURL string
	// Now is the clock for DingTalk's signing timestamp; nil means the
	// wall clock, which DingTalk requires to be within an hour of its own.
	Now func() time.Time
}

// sendTimeout bounds one request: a robot that does not answer in time is
// retried later rather than holding up the other robots.
const sendTimeout = 10 * time.Second

func (s *Sender) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{Timeout: sendTimeout}
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// checkWebhook returns a message for the form when raw is not a webhook of
// the platform's robots, else "".
func (s *Sender) checkWebhook(p Platform, raw string) string {
	example := "https://" + p.officialHost() + p.officialPath() + "?" + p.tokenParam() + "=…"
	if raw == "" {
		return "请粘贴" + p.Label() + "机器人的 Webhook 地址，形如 " + example
	}
	if len(raw) > MaxWebhook {
		return "Webhook 地址太长，请检查是否粘贴了多余的内容"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return "Webhook 地址格式不对，应形如 " + example
	}
	q := u.Query()
	switch {
	case s.AnyHost && (u.Scheme == "http" || u.Scheme == "https"):
	case u.Scheme != "https":
		return "Webhook 地址须以 https:// 开头"
	case !strings.EqualFold(u.Host, p.officialHost()) || u.Path != p.officialPath():
		return p.Label() + "机器人的地址应形如 " + example + "，请检查是否选错了平台"
	}
	if q.Get(p.tokenParam()) == "" {
		return "Webhook 地址缺少 " + p.tokenParam() + " 参数，请从机器人设置中完整复制"
	}
	if p == DingTalk && (q.Has("timestamp") || q.Has("sign")) {
		return "地址中不要包含 timestamp 和 sign：系统每次发送时用加签密钥自动计算"
	}
	return ""
}

// SendError is a robot's refusal, or a failure to reach it. Retryable
// errors (network, server errors, rate limits) are tried again later;
// the others (a bad token or signature, a removed robot) fail at once.
type SendError struct {
	Retryable bool
	Status    int    // the HTTP status, 0 when no answer came
	Code      int    // the platform's errcode, 0 when there was none
	Msg       string // the platform's errmsg
	Err       error  // the transport error, if any
}

func (e *SendError) Error() string {
	switch {
	case e.Err != nil:
		return "robot unreachable: " + e.Err.Error()
	case e.Code != 0:
		return fmt.Sprintf("robot errcode %d: %s", e.Code, e.Msg)
	case e.Msg != "":
		return "robot: " + e.Msg
	}
	return fmt.Sprintf("robot http status %d", e.Status)
}

func (e *SendError) Unwrap() error { return e.Err }

// Describe says in Chinese what went wrong, for the delivery log and the
// test button's message: the platform's own words plus what to do.
func Describe(err error) string {
	var se *SendError
	if !errors.As(err, &se) {
		return "发送失败：" + err.Error()
	}
	var msg string
	switch {
	case se.Err != nil:
		msg = "无法连接机器人服务器（" + clip(se.Err.Error(), 120) + "），稍后自动重试"
	case se.Code != 0:
		msg = fmt.Sprintf("机器人返回错误 %d：%s", se.Code, clip(se.Msg, 120))
		if hint := codeHint(se.Code); hint != "" {
			msg += "（" + hint + "）"
		}
	case se.Msg != "":
		msg = "机器人服务器的答复无法识别（" + clip(se.Msg, 120) + "），稍后自动重试"
	default:
		msg = fmt.Sprintf("机器人服务器返回 HTTP %d", se.Status)
		if se.Retryable {
			msg += "，稍后自动重试"
		}
	}
	return msg
}

// codeHint explains the errcodes a town office is likely to meet.
func codeHint(code int) string {
	switch code {
	case 310000:
		return "安全设置校验未通过：请核对加签密钥，或机器人设置的关键词、IP 地址"
	case 300001, 400101, 93000:
		return "机器人地址中的令牌无效：机器人可能已被删除，请重新复制 Webhook 地址"
	case 400102:
		return "机器人已被停用"
	case 130101, 90030, 45009:
		return "发送太频繁，稍后自动重试"
	case -1:
		return "平台繁忙，稍后自动重试"
	}
	return ""
}

// retryableCode reports whether an errcode means "later", not "never":
// DingTalk's 130101 (send too fast) and 90030 (webhook over limit), WeCom's
// 45009 (over the frequency limit), and -1 (system busy) on both.
func retryableCode(code int) bool {
	return code == 130101 || code == 90030 || code == 45009 || code == -1
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Ellipsis marks text cut to fit a platform's limit.
const Ellipsis = "…"

// truncateBytes cuts s to at most max bytes of UTF-8 without splitting a
// character, ending it with Ellipsis when anything was cut. The limits
// count bytes, and a Chinese character is three of them.
func truncateBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len(Ellipsis)
	if cut <= 0 {
		return ""
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + Ellipsis
}

// Send posts one notice to the robot and reports the outcome: nil, or a
// *SendError.
func (s *Sender) Send(ctx context.Context, ch *Channel, n *Notice) error {
	link := ""
	if s.BaseURL != "" && n.Link != "" {
		link = strings.TrimSuffix(s.BaseURL, "/") + n.Link
	}
	switch ch.Platform {
	case DingTalk:
		return s.sendDingTalk(ctx, ch, n, link)
	case WeCom:
		return s.sendWeCom(ctx, ch, n, link)
	}
	return &SendError{Msg: "unknown platform " + string(ch.Platform)}
}

// robotAnswer is what both platforms answer with.
type robotAnswer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// post sends body as JSON to target and reads the platforms' common answer.
func (s *Sender) post(ctx context.Context, target string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return &SendError{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b))
	if err != nil {
		return &SendError{Err: err}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := s.client().Do(req)
	if err != nil {
		return &SendError{Retryable: true, Err: redactURL(err)}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return &SendError{Retryable: true, Status: res.StatusCode, Err: err}
	}
	if res.StatusCode != http.StatusOK {
		// 5xx and 429 pass; other statuses mean the request itself is wrong.
		return &SendError{Retryable: res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests, Status: res.StatusCode}
	}
	var ans robotAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		// A 200 that is not the platform's JSON is a proxy or captive
		// portal in the way: worth another try once the network is right.
		return &SendError{Retryable: true, Status: res.StatusCode, Msg: "answer is not JSON: " + clip(string(raw), 80)}
	}
	if ans.ErrCode != 0 {
		return &SendError{Retryable: retryableCode(ans.ErrCode), Status: res.StatusCode, Code: ans.ErrCode, Msg: ans.ErrMsg}
	}
	return nil
}

// redactURL drops the request address from a transport error: it holds the
// robot's token, and the error is stored and shown.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

// paragraphs turns plain text into markdown paragraphs: both platforms
// join single newlines, so each line becomes its own paragraph.
func paragraphs(text string) string {
	var parts []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, "\n\n")
}

// plainMarkdown makes user text inert in a robot's markdown: the characters
// that make links, emphasis, headings and quotes become their full-width
// forms, which read naturally in Chinese text. A title or note typed by a
// user can then neither add a link to the group message nor restyle it;
// backslash escapes are not used, as the platforms do not all honour them.
var plainMarkdown = strings.NewReplacer(
	"[", "［", "]", "］", "(", "（", ")", "）", "*", "＊", "_", "＿", "#", "＃",
	"`", "｀", ">", "＞", "<", "＜", "|", "｜", "~", "～", "!", "！",
)
