package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/notify"
)

// TestServe_RunsTheRobotOutbox checks the wiring: a notice waiting in the
// outbox when the server starts goes out on the scheduler's first tick.
func TestServe_RunsTheRobotOutbox(t *testing.T) {
	dsn, data := testDB(t)
	d := openTestDB(t, dsn)
	seedTown(t, d)
	got := make(chan string, 1)
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- string(b):
		default:
		}
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer robot.Close()
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		_, err := notify.CreateChannel(ctx, tx, auth.SystemActor("test"), &notify.Sender{AnyHost: true}, notify.ChannelInput{
			Scope: notify.TownScope, Platform: "wecom", Name: "全镇群", Webhook: robot.URL + "/cgi-bin/webhook/send?key=k",
			Kinds: []string{"notice"}, Enabled: true})
		if err != nil {
			return err
		}
		return notify.Post(ctx, tx, notify.Message{Kind: notify.KindNotice, Title: "服务启动后送出", Link: "/inbox"})
	})
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, nil, "--db", dsn, "--data", data, "--public-url", "https://gt.example.cn/")
	select {
	case body := <-got:
		if !strings.Contains(body, "服务启动后送出") || !strings.Contains(body, "https://gt.example.cn/inbox") {
			t.Errorf("robot got %s", body)
		}
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatalf("the outbox was not sent\nlog:\n%s", s.log)
	}
	if err := s.stop(t); err != nil {
		t.Errorf("stop: %v", err)
	}
}
