package notify

import (
	"context"
	"strings"
)

// WeCom group robots (企业微信群机器人): POST a JSON message to the webhook
// (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…). There is no
// signing: the key in the address is the credential.

// WeComMaxContent is the limit of a markdown message's content, in bytes of UTF-8.
const WeComMaxContent = 4096

type weComMessage struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Content string `json:"content"`
	} `json:"markdown"`
}

// weComContent lays out a notice in WeCom's markdown, which keeps single
// newlines. Only the body is cut to fit the limit, so the title, the link
// and the source always arrive.
func weComContent(n *Notice, link string) string {
	head := "**" + plainMarkdown.Replace(n.Title) + "**\n"
	tail := ""
	if link != "" {
		tail += "\n[查看详情](" + link + ")"
	}
	tail += "\n> " + Source
	var lines []string
	for _, line := range strings.Split(strings.ReplaceAll(plainMarkdown.Replace(n.Body), "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	body := strings.Join(lines, "\n")
	if budget := WeComMaxContent - len(head) - len(tail); budget > 0 {
		return head + truncateBytes(body, budget) + tail
	}
	return truncateBytes(head+body+tail, WeComMaxContent)
}

func (s *Sender) sendWeCom(ctx context.Context, ch *Channel, n *Notice, link string) error {
	var m weComMessage
	m.MsgType = "markdown"
	m.Markdown.Content = weComContent(n, link)
	return s.post(ctx, ch.Webhook, m)
}
