package notify

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDingSign_MatchesThePythonReference(t *testing.T) {
	// The value the platform's Python sample prints for this input (ecosystem.md §7).
	got := url.QueryEscape(DingSign("SECthis is secret", 1700000000000))
	if want := "Rtm2YK4Eu5oP8gxZgn2C87ziY6Py5sJyH4pcuwAafMU%3D"; got != want {
		t.Errorf("sign = %s, want %s", got, want)
	}
}

func TestTruncateBytes_CutsAtACharacterBoundary(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abc…"},
		{"一二三四", 12, "一二三四"},
		{"一二三四", 11, "一二…"}, // 11 - 3 = 8 bytes leave room for two characters, not a broken third
		{"一二三四", 9, "一二…"},
		{"一二三四", 8, "一…"},
		{"一二三四", 3, ""},
	} {
		got := truncateBytes(tc.in, tc.max)
		if got != tc.want || len(got) > tc.max || !utf8.ValidString(got) {
			t.Errorf("truncateBytes(%q, %d) = %q (%d bytes), want %q", tc.in, tc.max, got, len(got), tc.want)
		}
	}
}

func TestBackoff_DoublesFromAMinuteUpToAnHour(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute,
		32 * time.Minute, time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

func TestWeComContent_FitsTheLimitAndKeepsTheLink(t *testing.T) {
	n := &Notice{Title: "东岙村3月月报未报送", Body: strings.Repeat("请尽快报送本月进展。", 400)} // 12,000 bytes
	got := weComContent(n, "https://gt.example.cn/reports/2026-03")
	if len(got) > WeComMaxContent || !utf8.ValidString(got) {
		t.Fatalf("content is %d bytes (valid UTF-8: %v), limit %d", len(got), utf8.ValidString(got), WeComMaxContent)
	}
	if !strings.Contains(got, "…\n[查看详情](https://gt.example.cn/reports/2026-03)") || !strings.HasPrefix(got, "**东岙村3月月报未报送**\n") {
		t.Errorf("title, cut marker or link missing:\n%s", got[len(got)-200:])
	}
	short := weComContent(&Notice{Title: "标题", Body: "第一行\n\n第二行"}, "")
	if short != "**标题**\n第一行\n第二行\n> "+Source {
		t.Errorf("short content = %q", short)
	}
}

func TestCheckWebhook(t *testing.T) {
	strict, loose := &Sender{}, &Sender{AnyHost: true}
	for _, tc := range []struct {
		s       *Sender
		p       Platform
		url     string
		wantMsg string // "" means accepted
	}{
		{strict, DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc", ""},
		{strict, WeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1", ""},
		{strict, DingTalk, "http://oapi.dingtalk.com/robot/send?access_token=abc", "https://"},
		{strict, DingTalk, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "选错了平台"},
		{strict, DingTalk, "https://evil.example.com/robot/send?access_token=abc", "应形如"},
		{strict, DingTalk, "https://oapi.dingtalk.com/robot/send", "缺少 access_token"},
		{strict, DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=a&timestamp=1&sign=x", "不要包含 timestamp"},
		{strict, WeCom, "", "请粘贴企业微信机器人"},
		{strict, WeCom, "not a url at all", "应形如"},
		{loose, DingTalk, "http://127.0.0.1:8999/robot/send?access_token=abc", ""},
		{loose, WeCom, "ftp://127.0.0.1/x?key=1", "https://"},
	} {
		got := tc.s.checkWebhook(tc.p, tc.url)
		if tc.wantMsg == "" && got != "" || tc.wantMsg != "" && !strings.Contains(got, tc.wantMsg) {
			t.Errorf("checkWebhook(%s, %q, any host %v) = %q, want %q", tc.p, tc.url, tc.s.AnyHost, got, tc.wantMsg)
		}
	}
}

// Text a user typed cannot add a link or restyle a group message: only the
// notice's own 查看详情 link is markdown.
func TestRobotText_UserMarkdownIsInert(t *testing.T) {
	n := &Notice{Title: "**紧急** [点我](http://evil.example)", Body: "# 标题\n> 引用 [链接](http://evil.example) `代码`"}
	for name, text := range map[string]string{
		"dingtalk": dingTalkText(n, "https://gt.example.cn/problems/7"),
		"wecom":    weComContent(n, "https://gt.example.cn/problems/7"),
	} {
		if strings.Contains(text, "](http://evil") || strings.Contains(text, "**紧急**") || strings.Contains(text, "\n# ") {
			t.Errorf("%s: user markdown survives: %q", name, text)
		}
		if !strings.Contains(text, "［点我］（http://evil.example）") || !strings.Contains(text, "[查看详情](https://gt.example.cn/problems/7)") {
			t.Errorf("%s: %q", name, text)
		}
	}
}
