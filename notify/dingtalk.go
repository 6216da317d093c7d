package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
)

// DingTalk custom robots (自定义机器人): POST a JSON message to the webhook
// (https://oapi.dingtalk.com/robot/send?access_token=…). With the 加签
// security setting, every request carries the time in milliseconds and
// its signature as the query parameters timestamp and sign, computed fresh
// for each send on a clean copy of the stored address: a stale timestamp
// is refused, and re-appending to the stored address would grow it.

// dingTalkMaxText bounds the markdown text. A group message points people
// to the page; it is not the document, so long bodies are cut well below
// what the platform would take.
const dingTalkMaxText = 5000

// Source ends every robot message. A DingTalk robot secured by keyword
// (自定义关键词) accepts only messages containing the keyword, so the help
// text suggests this one.
const Source = "挂图作战"

// DingSign is DingTalk's signature: base64(HMAC-SHA256(key = secret,
// message = timestamp + "\n" + secret)), before URL encoding.
func DingSign(secret string, ms int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ms, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// dingTalkURL is the address of one send: the stored webhook, signed when
// the robot has a secret. url.Values.Encode escapes the signature's +, /
// and = as the platform expects.
func (s *Sender) dingTalkURL(ch *Channel) (string, error) {
	u, err := url.Parse(ch.Webhook)
	if err != nil {
		return "", err
	}
	if ch.Secret != "" {
		ms := s.now().UnixMilli()
		q := u.Query()
		q.Set("timestamp", strconv.FormatInt(ms, 10))
		q.Set("sign", DingSign(ch.Secret, ms))
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

type dingTalkMessage struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"markdown"`
}

// dingTalkText lays out a notice in DingTalk's markdown: a heading, the
// body as paragraphs (single newlines would be joined), the link and the source.
func dingTalkText(n *Notice, link string) string {
	head := "#### " + plainMarkdown.Replace(n.Title) + "\n\n"
	tail := ""
	if link != "" {
		tail += "\n\n[查看详情](" + link + ")"
	}
	tail += "\n\n> " + Source
	body := paragraphs(plainMarkdown.Replace(n.Body))
	if budget := dingTalkMaxText - len(head) - len(tail); budget > 0 {
		return head + truncateBytes(body, budget) + tail
	}
	return truncateBytes(head+body+tail, dingTalkMaxText)
}

func (s *Sender) sendDingTalk(ctx context.Context, ch *Channel, n *Notice, link string) error {
	target, err := s.dingTalkURL(ch)
	if err != nil {
		return &SendError{Err: err}
	}
	var m dingTalkMessage
	m.MsgType = "markdown"
	m.Markdown.Title = n.Title
	m.Markdown.Text = dingTalkText(n, link)
	return s.post(ctx, target, m)
}
