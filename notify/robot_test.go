package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"guatu/account"
	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/notify"
)

// robot is a local stand-in for a DingTalk or WeCom robot: it records
// every request and answers as told.
type robot struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []robotRequest
	answer func(n int) (status int, body string) // n counts requests from 1
}

type robotRequest struct {
	Query url.Values
	Body  struct {
		MsgType  string `json:"msgtype"`
		Markdown struct {
			Title   string `json:"title"`
			Text    string `json:"text"`
			Content string `json:"content"`
		} `json:"markdown"`
	}
	ContentType string
}

func ok(int) (int, string) { return http.StatusOK, `{"errcode":0,"errmsg":"ok"}` }

func newRobot(t *testing.T, answer func(n int) (int, string)) *robot {
	r := &robot{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var rr robotRequest
		rr.Query, rr.ContentType = req.URL.Query(), req.Header.Get("Content-Type")
		b, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(b, &rr.Body); err != nil {
			t.Errorf("robot got a body that is not JSON: %s", b)
		}
		r.mu.Lock()
		r.reqs = append(r.reqs, rr)
		n := len(r.reqs)
		r.mu.Unlock()
		status, body := r.answer(n)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *robot) requests() []robotRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]robotRequest(nil), r.reqs...)
}

func (r *robot) webhook(p notify.Platform) string {
	if p == notify.DingTalk {
		return r.URL + "/robot/send?access_token=tok-123456"
	}
	return r.URL + "/cgi-bin/webhook/send?key=key-123456"
}

// signingClock is the wall clock the DingTalk signatures are made with in these tests.
var signingClock = time.Date(2026, 3, 15, 9, 0, 0, 123e6, time.UTC)

func testSender() *notify.Sender {
	return &notify.Sender{AnyHost: true, BaseURL: "https://gt.example.cn", Now: func() time.Time { return signingClock }}
}

// channel adds a robot as the system.
func (w *world) channel(t *testing.T, r *robot, p notify.Platform, unit int64, secret string, kinds ...notify.Kind) *notify.Channel {
	t.Helper()
	in := notify.ChannelInput{Scope: notify.TownScope, Platform: string(p), Name: "工作群" + fmt.Sprint(unit), Webhook: r.webhook(p),
		Secret: secret, Enabled: true}
	if unit != 0 {
		in.Scope = fmt.Sprint(unit)
	}
	for _, k := range kinds {
		in.Kinds = append(in.Kinds, string(k))
	}
	var c *notify.Channel
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		var err error
		c, err = notify.CreateChannel(ctx, tx, sys, testSender(), in)
		return err
	})
	return c
}

func (w *world) worker(d *db.DB) *notify.Worker {
	return &notify.Worker{DB: d, Sender: testSender()}
}

func (w *world) run(t *testing.T, wk *notify.Worker, at time.Time) {
	t.Helper()
	if err := wk.RunOnce(context.Background(), at); err != nil {
		t.Fatal(err)
	}
}

func (w *world) log(t *testing.T, c *notify.Channel) []*notify.Delivery {
	t.Helper()
	list, err := notify.Deliveries(context.Background(), w.d, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

var t0 = dbtest.Now

func TestDingTalk_SendsSignedMarkdown(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	secret := "SECc0ffee0123456789abcdef"
	c := w.channel(t, r, notify.DingTalk, w.econ.ID, secret, notify.KindReport)
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "经发办3月月报待报送", Body: "截止日期：3月25日\n请登录填报", Link: "/reports/2026-03", UnitID: w.econ.ID})
	w.run(t, w.worker(w.d), t0)

	reqs := r.requests()
	if len(reqs) != 1 {
		t.Fatalf("robot got %d requests, want 1", len(reqs))
	}
	q := reqs[0].Query
	if q.Get("access_token") != "tok-123456" {
		t.Errorf("access_token = %q", q.Get("access_token"))
	}
	// The signature, computed here independently of the package.
	ts := q.Get("timestamp")
	if ts != strconv.FormatInt(signingClock.UnixMilli(), 10) {
		t.Errorf("timestamp = %s, want the sender's clock in ms (%d)", ts, signingClock.UnixMilli())
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); q.Get("sign") != want {
		t.Errorf("sign = %q, want %q", q.Get("sign"), want)
	}
	b := reqs[0].Body
	if b.MsgType != "markdown" || b.Markdown.Title != "经发办3月月报待报送" {
		t.Errorf("msgtype %q, title %q", b.MsgType, b.Markdown.Title)
	}
	for _, want := range []string{"#### 经发办3月月报待报送", "截止日期：3月25日\n\n请登录填报", "[查看详情](https://gt.example.cn/reports/2026-03)", notify.Source} {
		if !strings.Contains(b.Markdown.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, b.Markdown.Text)
		}
	}
	if !strings.HasPrefix(reqs[0].ContentType, "application/json") {
		t.Errorf("content type %q", reqs[0].ContentType)
	}
	if log := w.log(t, c); len(log) != 1 || log[0].Status != notify.StatusSent || log[0].Attempts != 1 || !log[0].SentAt.Equal(t0) {
		t.Errorf("delivery log = %+v", log[0])
	}
	// Nothing is sent twice.
	w.run(t, w.worker(w.d), t0.Add(time.Hour))
	if n := len(r.requests()); n != 1 {
		t.Errorf("robot got %d requests after a second run, want 1", n)
	}
}

func TestDingTalk_WithoutSecretSendsNoSignature(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	w.channel(t, r, notify.DingTalk, 0, "", notify.KindNotice)
	post(t, w.d, notify.Message{Kind: notify.KindNotice, Title: "全镇通知"})
	w.run(t, w.worker(w.d), t0)
	reqs := r.requests()
	if len(reqs) != 1 || reqs[0].Query.Has("sign") || reqs[0].Query.Has("timestamp") {
		t.Errorf("requests = %+v", reqs)
	}
	if strings.Contains(reqs[0].Body.Markdown.Text, "查看详情") {
		t.Error("a notice without a link got one")
	}
}

func TestWeCom_LongBodyIsTrimmedToTheLimit(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	w.channel(t, r, notify.WeCom, w.village.ID, "", notify.KindProblem)
	body := strings.Repeat("村道拓宽工程征地协调未完成，", 140) // 1,960 characters, 5,880 bytes
	post(t, w.d, notify.Message{Kind: notify.KindProblem, Title: "东岙村堵点逾期", Body: body, Link: "/problems/9", UnitID: w.group.ID})
	w.run(t, w.worker(w.d), t0)
	reqs := r.requests()
	if len(reqs) != 1 {
		t.Fatalf("robot got %d requests", len(reqs))
	}
	if reqs[0].Query.Get("key") != "key-123456" || reqs[0].Body.MsgType != "markdown" {
		t.Errorf("query %v, msgtype %q", reqs[0].Query, reqs[0].Body.MsgType)
	}
	content := reqs[0].Body.Markdown.Content
	if len(content) > notify.WeComMaxContent || !utf8.ValidString(content) {
		t.Fatalf("content is %d bytes (valid UTF-8 %v), limit %d", len(content), utf8.ValidString(content), notify.WeComMaxContent)
	}
	if !strings.HasPrefix(content, "**东岙村堵点逾期**\n") || !strings.Contains(content, notify.Ellipsis+"\n[查看详情](https://gt.example.cn/problems/9)") {
		t.Errorf("content head or tail wrong: …%s", content[len(content)-120:])
	}
}

func TestPost_ReachesTheRobotsThatListen(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	econ := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	town := w.channel(t, r, notify.WeCom, w.town.ID, "", notify.KindReport, notify.KindProblem)
	all := w.channel(t, r, notify.DingTalk, 0, "", notify.KindReport)
	village := w.channel(t, r, notify.DingTalk, w.village.ID, "", notify.KindReport)
	problemsOnly := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindProblem)
	off := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		_, err := notify.SetChannelEnabled(ctx, tx, sys, off.ID, false)
		return err
	})
	other := w.channel(t, r, notify.DingTalk, w.otherTown.ID, "", notify.KindReport)

	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "经发办月报", UnitID: w.econ.ID})
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "个人提醒", UnitID: w.econ.ID, NoRobots: true,
		To: []notify.Recipient{notify.ToUser(w.users["econstaff"].ID)}})
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "不涉及单位"})
	for _, tc := range []struct {
		c    *notify.Channel
		want []string
	}{
		{econ, []string{"经发办月报"}},
		{town, []string{"经发办月报"}},         // an ancestor's robot hears it
		{all, []string{"不涉及单位", "经发办月报"}}, // 全镇 hears everything, newest first
		{village, nil},      // a sibling's does not
		{problemsOnly, nil}, // nor one listening for another kind
		{off, nil},          // nor a disabled one
		{other, nil},        // nor another town's
	} {
		var got []string
		for _, d := range w.log(t, tc.c) {
			got = append(got, d.Title)
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("robot %s (%s): deliveries %q, want %q", tc.c.Name, tc.c.KindLabels(), got, tc.want)
		}
	}
}

func TestWorker_BacksOffThenGivesUp(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, func(int) (int, string) { return http.StatusBadGateway, "bad gateway" })
	c := w.channel(t, r, notify.WeCom, w.econ.ID, "", notify.KindReport)
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "月报", UnitID: w.econ.ID})
	at := t0
	for attempt := 1; attempt <= notify.MaxAttempts; attempt++ {
		w.run(t, w.worker(w.d), at)
		if n := len(r.requests()); n != attempt {
			t.Fatalf("after attempt %d the robot got %d requests", attempt, n)
		}
		d := w.log(t, c)[0]
		if attempt < notify.MaxAttempts {
			wait := notify.Backoff(attempt)
			if d.Status != notify.StatusPending || !d.NextAttemptAt.Equal(at.Add(wait)) || !strings.Contains(d.LastError, "502") {
				t.Fatalf("after attempt %d: %s, next %v (want %v), error %q", attempt, d.Status, d.NextAttemptAt, at.Add(wait), d.LastError)
			}
			// Not before its time.
			w.run(t, w.worker(w.d), at.Add(wait-time.Second))
			if n := len(r.requests()); n != attempt {
				t.Fatalf("retried %v early", time.Second)
			}
			at = at.Add(wait)
		} else if d.Status != notify.StatusFailed || !strings.Contains(d.LastError, fmt.Sprintf("已尝试 %d 次", notify.MaxAttempts)) {
			t.Errorf("after the last attempt: %s, %q", d.Status, d.LastError)
		}
	}
	w.run(t, w.worker(w.d), at.Add(24*time.Hour))
	if n := len(r.requests()); n != notify.MaxAttempts {
		t.Errorf("a failed delivery was tried again: %d requests", n)
	}
}

func TestWorker_RateLimitErrcodeIsRetriedAndThenSent(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, func(n int) (int, string) {
		if n == 1 {
			return http.StatusOK, `{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}`
		}
		return ok(n)
	})
	c := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "月报", UnitID: w.econ.ID})
	w.run(t, w.worker(w.d), t0)
	if d := w.log(t, c)[0]; d.Status != notify.StatusPending || !strings.Contains(d.LastError, "130101") {
		t.Fatalf("after a rate-limit answer: %s %q", d.Status, d.LastError)
	}
	w.run(t, w.worker(w.d), t0.Add(time.Minute))
	if d := w.log(t, c)[0]; d.Status != notify.StatusSent || d.Attempts != 2 || d.LastError != "" {
		t.Errorf("after the retry: %+v", d)
	}
}

func TestWorker_BadSignatureFailsAtOnce(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, func(int) (int, string) { return http.StatusOK, `{"errcode":310000,"errmsg":"sign not match"}` })
	c := w.channel(t, r, notify.DingTalk, w.econ.ID, "SECwrong", notify.KindReport)
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "月报", UnitID: w.econ.ID})
	w.run(t, w.worker(w.d), t0)
	w.run(t, w.worker(w.d), t0.Add(time.Hour))
	d := w.log(t, c)[0]
	if d.Status != notify.StatusFailed || d.Attempts != 1 || !strings.Contains(d.LastError, "310000") || !strings.Contains(d.LastError, "加签") {
		t.Errorf("delivery = %s after %d attempts, %q", d.Status, d.Attempts, d.LastError)
	}
}

func TestWorker_UnreachableRobotIsRetried(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	c := w.channel(t, r, notify.WeCom, w.econ.ID, "", notify.KindReport)
	r.Close() // nothing listens there any more
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "月报一", UnitID: w.econ.ID})
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "月报二", UnitID: w.econ.ID})
	w.run(t, w.worker(w.d), t0)
	log := w.log(t, c)
	// The first failure ends this run's tries of the robot: the second waits untried.
	if log[1].Status != notify.StatusPending || log[1].Attempts != 1 || !strings.Contains(log[1].LastError, "无法连接") {
		t.Errorf("first delivery: %+v", log[1])
	}
	if log[0].Attempts != 0 {
		t.Errorf("second delivery was tried %d times in the same run", log[0].Attempts)
	}
	if strings.Contains(log[1].LastError, "key-123456") {
		t.Errorf("the stored error shows the robot's key: %q", log[1].LastError)
	}
}

func TestWorker_KeepsEachRobotTo20AMinuteAcrossRestarts(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	c := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	r2 := newRobot(t, ok)
	w.channel(t, r2, notify.WeCom, w.econ.ID, "", notify.KindProblem)
	for i := range 25 {
		post(t, w.d, notify.Message{Kind: notify.KindReport, Title: fmt.Sprintf("月报%02d", i), UnitID: w.econ.ID})
	}
	post(t, w.d, notify.Message{Kind: notify.KindProblem, Title: "问题", UnitID: w.econ.ID})
	w.run(t, w.worker(w.d), t0)
	if n := len(r.requests()); n != notify.RateLimit {
		t.Fatalf("first minute: %d requests, want %d", n, notify.RateLimit)
	}
	if n := len(r2.requests()); n != 1 {
		t.Errorf("another robot's limit is its own: it got %d requests, want 1", n)
	}
	// A restarted server (a new worker) counts from the log, not from memory.
	w.run(t, w.worker(w.d), t0.Add(59*time.Second))
	if n := len(r.requests()); n != notify.RateLimit {
		t.Fatalf("59 s later: %d requests, want still %d", n, notify.RateLimit)
	}
	w.run(t, w.worker(w.d), t0.Add(time.Minute))
	if n := len(r.requests()); n != 25 {
		t.Fatalf("a minute later: %d requests, want 25", n)
	}
	// In order, oldest first.
	for i, req := range r.requests() {
		if want := fmt.Sprintf("月报%02d", i); req.Body.Markdown.Title != want {
			t.Errorf("request %d is %q, want %q", i, req.Body.Markdown.Title, want)
		}
	}
	for _, d := range w.log(t, c) {
		if d.Status != notify.StatusSent {
			t.Errorf("%s: %s", d.Title, d.Status)
		}
	}
}

// otherHandle is a second connection pool on the test's database, as a
// second server would have: a new SQLite handle on the same file; on
// PostgreSQL the pool's own connections already race.
func otherHandle(t *testing.T, d *db.DB) *db.DB {
	if d.Path == "" {
		return d
	}
	d2, err := db.Open(context.Background(), d.Path)
	if err != nil {
		t.Fatal(err)
	}
	d2.Clock = d.Clock
	t.Cleanup(func() { d2.Close() })
	return d2
}

func TestWorker_TwoServersNeverSendADeliveryTwice(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	a := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	b := w.channel(t, r, notify.WeCom, w.village.ID, "", notify.KindReport)
	const each = 15
	for i := range each {
		post(t, w.d, notify.Message{Kind: notify.KindReport, Title: fmt.Sprintf("经发办%02d", i), UnitID: w.econ.ID})
		post(t, w.d, notify.Message{Kind: notify.KindReport, Title: fmt.Sprintf("东岙村%02d", i), UnitID: w.village.ID})
	}
	workers := []*notify.Worker{w.worker(w.d), w.worker(otherHandle(t, w.d))}
	var wg sync.WaitGroup
	errs := make([]error, len(workers))
	start := make(chan struct{})
	for i, wk := range workers {
		wg.Go(func() {
			<-start
			errs[i] = wk.RunOnce(context.Background(), t0)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for _, req := range r.requests() {
		seen[req.Body.Markdown.Title+req.Body.Markdown.Content]++
	}
	if len(r.requests()) != 2*each || len(seen) != 2*each {
		t.Errorf("robots got %d requests for %d different notices, want %d of each", len(r.requests()), len(seen), 2*each)
	}
	for _, c := range []*notify.Channel{a, b} {
		for _, d := range w.log(t, c) {
			if d.Status != notify.StatusSent || d.Attempts != 1 {
				t.Errorf("%s: %s after %d attempts", d.Title, d.Status, d.Attempts)
			}
		}
	}
}

// crashTransport stands for a server that dies in the middle of a send.
type crashTransport struct{}

func (crashTransport) RoundTrip(*http.Request) (*http.Response, error) { panic("server died mid-send") }

func TestWorker_LeaseOfACrashedWorkerRunsOut(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	c := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "月报", UnitID: w.econ.ID})
	crashing := &notify.Worker{DB: w.d, Sender: &notify.Sender{AnyHost: true, Client: &http.Client{Transport: crashTransport{}}}}
	func() {
		defer func() { recover() }()
		crashing.RunOnce(context.Background(), t0)
	}()
	// Claimed and never finished: nobody else may take it while the lease holds …
	w.run(t, w.worker(otherHandle(t, w.d)), t0.Add(time.Minute))
	if n := len(r.requests()); n != 0 {
		t.Fatalf("sent while another worker held the lease: %d requests", n)
	}
	// … and once it has run out, the delivery goes out.
	w.run(t, w.worker(w.d), t0.Add(2*time.Minute))
	if d := w.log(t, c)[0]; len(r.requests()) != 1 || d.Status != notify.StatusSent || d.Attempts != 2 {
		t.Errorf("after the lease: %d requests, %s, %d attempts", len(r.requests()), d.Status, d.Attempts)
	}
}

func TestSendTest_SendsAtOnceAndReportsTheOutcome(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, func(n int) (int, string) {
		if n == 2 {
			return http.StatusOK, `{"errcode":310000,"errmsg":"keywords not in content"}`
		}
		return ok(n)
	})
	c := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	ctx := context.Background()
	boss := w.actor("supervisor")

	d, err := notify.SendTest(ctx, w.d, boss, testSender(), c.ID)
	if err != nil || d.Status != notify.StatusSent {
		t.Fatalf("first test: %+v, %v", d, err)
	}
	if reqs := r.requests(); len(reqs) != 1 || !strings.Contains(reqs[0].Body.Markdown.Text, "测试消息") {
		t.Errorf("robot got %+v", reqs)
	}
	d, err = notify.SendTest(ctx, w.d, boss, testSender(), c.ID)
	if err != nil || d.Status != notify.StatusFailed || !strings.Contains(d.LastError, "关键词") {
		t.Errorf("second test: %+v, %v", d, err)
	}
	if log := w.log(t, c); len(log) != 2 || log[0].Status != notify.StatusFailed || log[1].Status != notify.StatusSent {
		t.Errorf("delivery log = %+v", log)
	}
	rows, err := audit.ForObject(ctx, w.d, "robot", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, row := range rows {
		if row.Action == audit.RobotTested {
			outcomes = append(outcomes, row.Outcome)
		}
	}
	if strings.Join(outcomes, ",") != "success,failure" && strings.Join(outcomes, ",") != "failure,success" {
		t.Errorf("audited test outcomes = %v", outcomes)
	}
	// The worker never sends a test delivery again.
	w.run(t, w.worker(w.d), t0.Add(time.Hour))
	if n := len(r.requests()); n != 2 {
		t.Errorf("robot got %d requests, want 2", n)
	}
	// Someone who may not manage the robot does not learn it exists.
	if _, err := notify.SendTest(ctx, w.d, w.actor("econstaff"), testSender(), c.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("staff's test = %v, want NotFound", err)
	}
}

func TestSendTest_RefusedWhenDisabledOrAtTheLimit(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	c := w.channel(t, r, notify.WeCom, w.econ.ID, "", notify.KindReport)
	ctx := context.Background()
	for i := range notify.RateLimit {
		post(t, w.d, notify.Message{Kind: notify.KindReport, Title: fmt.Sprint("月报", i), UnitID: w.econ.ID})
	}
	w.run(t, w.worker(w.d), t0)
	if _, err := notify.SendTest(ctx, w.d, sys, testSender(), c.ID); apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "一分钟") {
		t.Errorf("test at the limit = %v, want Conflict", err)
	}
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		_, err := notify.SetChannelEnabled(ctx, tx, sys, c.ID, false)
		return err
	})
	if _, err := notify.SendTest(ctx, w.d, sys, testSender(), c.ID); apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "已停用") {
		t.Errorf("test of a disabled robot = %v, want Conflict", err)
	}
}

func TestChannels_PermissionFollowsTheUnit(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// A supervisor of 东岙村 only, and a sysadmin over both towns.
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		for _, a := range []struct {
			name  string
			role  auth.Role
			units []int64
		}{{"villagesup", auth.Supervisor, []int64{w.village.ID}}, {"bothadmin", auth.SysAdmin, []int64{w.town.ID, w.otherTown.ID}}} {
			u, _, err := account.Create(ctx, tx, sys, account.Input{Username: a.name, DisplayName: a.name, UnitID: fmt.Sprint(w.village.ID)})
			if err != nil {
				return err
			}
			for _, unit := range a.units {
				if err := account.Grant(ctx, tx, sys, u.ID, a.role, unit); err != nil {
					return err
				}
			}
			w.users[a.name] = u
		}
		return nil
	})
	w.reload(t)
	r := newRobot(t, ok)
	create := func(who string, scope string) (*notify.Channel, error) {
		var c *notify.Channel
		err := w.d.InTx(ctx, func(tx *db.Tx) error {
			var err error
			c, err = notify.CreateChannel(ctx, tx, w.actor(who), testSender(), notify.ChannelInput{Scope: scope,
				Platform: "wecom", Name: "群" + who + scope, Webhook: r.webhook(notify.WeCom), Kinds: []string{"report"}, Enabled: true})
			return err
		})
		return c, err
	}
	id := func(u int64) string { return fmt.Sprint(u) }
	for _, tc := range []struct {
		who, scope string
		want       apperr.Kind // Internal stands for success here
	}{
		{"supervisor", id(w.econ.ID), apperr.Internal},
		{"supervisor", id(w.town.ID), apperr.Internal},
		{"villagesup", id(w.group.ID), apperr.Internal},      // a child of their unit
		{"villagesup", id(w.econ.ID), apperr.Forbidden},      // a sibling
		{"supervisor", id(w.otherTown.ID), apperr.Forbidden}, // another town
		{"econstaff", id(w.econ.ID), apperr.Forbidden},       // staff manage no robots
		{"chief", id(w.econ.ID), apperr.Forbidden},
		// 全镇 hears every unit of every town: the right must cover every root.
		{"supervisor", notify.TownScope, apperr.Forbidden},
		{"villagesup", notify.TownScope, apperr.Forbidden},
		{"bothadmin", notify.TownScope, apperr.Internal},
	} {
		_, err := create(tc.who, tc.scope)
		if got := apperr.KindOf(err); err != nil && got != tc.want || err == nil && tc.want != apperr.Internal {
			t.Errorf("%s creating a robot for %s: %v", tc.who, tc.scope, err)
		}
	}
	list := func(who string) int {
		l, err := notify.Channels(ctx, w.d, w.actor(who))
		if err != nil {
			t.Fatal(err)
		}
		return len(l)
	}
	if a, b, c := list("supervisor"), list("villagesup"), list("bothadmin"); a != 3 || b != 1 || c != 4 {
		t.Errorf("robots listed: supervisor %d, villagesup %d, bothadmin %d; want 3, 1, 4", a, b, c)
	}
	if _, err := notify.Channels(ctx, w.d, w.actor("econstaff")); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("staff listing robots: %v", err)
	}
}

func TestChannelForm_KeepsCredentialsOffTheRecord(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	ctx := context.Background()
	boss := w.actor("supervisor")
	s := testSender()
	in := notify.ChannelInput{Scope: fmt.Sprint(w.econ.ID), Platform: "dingtalk", Name: "经发办工作群",
		Webhook: r.webhook(notify.DingTalk), Secret: "SECfirstsecret42", Kinds: []string{"problem", "report"}, Enabled: true}
	var c *notify.Channel
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		var err error
		c, err = notify.CreateChannel(ctx, tx, boss, s, in)
		return err
	})
	if got := c.KindLabels(); got != "月报、问题" {
		t.Errorf("kinds = %q, want the catalogue's order", got)
	}
	update := func(in notify.ChannelInput) (*notify.Channel, error) {
		var out *notify.Channel
		err := w.d.InTx(ctx, func(tx *db.Tx) error {
			var err error
			out, err = notify.UpdateChannel(ctx, tx, boss, s, c.ID, in)
			return err
		})
		return out, err
	}
	// The edit form comes without credentials: empty fields keep them.
	edit := c.Input()
	edit.Name = "经发办群"
	got, err := update(edit)
	if err != nil || got.Webhook != c.Webhook || got.Secret != "SECfirstsecret42" || got.Name != "经发办群" {
		t.Fatalf("update = %+v, %v", got, err)
	}
	edit.ClearSecret = true
	if got, err = update(edit); err != nil || got.HasSecret() {
		t.Errorf("clearing the secret: %v, has secret %v", err, got.HasSecret())
	}
	// Moving to WeCom needs the new address, and WeCom has no secret.
	edit = got.Input()
	edit.Platform = "wecom"
	_, err = update(edit)
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["webhook"] == "" {
		t.Errorf("platform change without a webhook: %v", err)
	}
	edit.Webhook, edit.Secret = r.webhook(notify.WeCom), "SECx"
	_, err = update(edit)
	if ae, _ := apperr.As(err); ae == nil || !strings.Contains(ae.Fields["secret"], "企业微信") {
		t.Errorf("a WeCom secret: %v", err)
	}
	for _, bad := range []struct {
		change func(*notify.ChannelInput)
		field  string
	}{
		{func(in *notify.ChannelInput) { in.Name = "" }, "name"},
		{func(in *notify.ChannelInput) { in.Scope = "" }, "scope"},
		{func(in *notify.ChannelInput) { in.Platform = "feishu" }, "platform"},
		{func(in *notify.ChannelInput) { in.Kinds = nil }, "kinds"},
		{func(in *notify.ChannelInput) { in.Secret = "not-a-secret" }, "secret"},
		{func(*notify.ChannelInput) {}, "webhook"}, // the local robot, which a strict sender refuses
	} {
		in2 := in
		bad.change(&in2)
		err := w.d.InTx(ctx, func(tx *db.Tx) error {
			_, err := notify.CreateChannel(ctx, tx, boss, &notify.Sender{}, in2)
			return err
		})
		ae, _ := apperr.As(err)
		if ae == nil || ae.Kind != apperr.Invalid || ae.Fields[bad.field] == "" {
			t.Errorf("input %+v: %v, want a message for %q", in2, err, bad.field)
		}
	}
	// The audit trail never holds the token or the secret.
	rows, err := audit.ForObject(ctx, w.d, "robot", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if strings.Contains(row.Detail, "SECfirst") || strings.Contains(row.Detail, "tok-123456") || strings.Contains(row.Detail, "key-123456") {
			t.Errorf("audit %s holds a credential: %s", row.Action, row.Detail)
		}
	}
	if hint := c.WebhookHint(); strings.Contains(hint, "tok-123456") || !strings.Contains(hint, "access_token=tok-…") {
		t.Errorf("hint = %q", hint)
	}
}

func TestDisableAndDelete_DropWhatWasWaiting(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	c := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "月报", UnitID: w.econ.ID})
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		_, err := notify.SetChannelEnabled(ctx, tx, sys, c.ID, false)
		return err
	})
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		_, err := notify.SetChannelEnabled(ctx, tx, sys, c.ID, true)
		return err
	})
	w.run(t, w.worker(w.d), t0)
	if d := w.log(t, c)[0]; len(r.requests()) != 0 || d.Status != notify.StatusFailed || !strings.Contains(d.LastError, "停用") {
		t.Errorf("after disable and enable: %d requests, %+v", len(r.requests()), d)
	}
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		_, err := notify.DeleteChannel(ctx, tx, sys, c.ID)
		return err
	})
	if _, err := notify.ViewChannel(context.Background(), w.d, sys, c.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("deleted robot: %v", err)
	}
}

func TestPurge_KeepsUnreadAndRecentAndDropsTheRest(t *testing.T) {
	w := newWorld(t)
	r := newRobot(t, ok)
	c := w.channel(t, r, notify.DingTalk, w.econ.ID, "", notify.KindReport)
	me := w.actor("econstaff")
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "已读的", UnitID: w.econ.ID, To: []notify.Recipient{notify.ToUser(me.UserID)}})
	post(t, w.d, notify.Message{Kind: notify.KindNotice, Title: "未读的", To: []notify.Recipient{notify.ToUser(me.UserID)}})
	w.run(t, w.worker(w.d), t0)
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		if _, err := notify.MarkAllRead(ctx, tx, me); err != nil {
			return err
		}
		_, err := notify.Once(ctx, tx, "bulletin:2026-Q1")
		return err
	})
	post(t, w.d, notify.Message{Kind: notify.KindNotice, Title: "又一条未读", To: []notify.Recipient{notify.ToUser(me.UserID)}})
	purge := func(at time.Time) {
		tx(t, w.d, func(ctx context.Context, tx *db.Tx) error { _, err := notify.Purge(ctx, tx, at); return err })
	}
	day := 24 * time.Hour
	purge(t0.Add(179 * day))
	if len(w.log(t, c)) != 1 || len(w.inbox(t, "econstaff")) != 3 {
		t.Fatalf("purged too early: log %d, inbox %q", len(w.log(t, c)), w.inbox(t, "econstaff"))
	}
	purge(t0.Add(181 * day))
	if len(w.log(t, c)) != 0 || len(w.inbox(t, "econstaff")) != 3 {
		t.Errorf("after 181 days: log %d (want 0), inbox %q (want all three)", len(w.log(t, c)), w.inbox(t, "econstaff"))
	}
	purge(t0.Add(401 * day))
	if got := w.inbox(t, "econstaff"); len(got) != 1 || got[0] != "又一条未读" {
		t.Errorf("after 401 days the inbox holds %q, want only the unread notice", got)
	}
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		if first, err := notify.Once(ctx, tx, "bulletin:2026-Q1"); err != nil || !first {
			t.Errorf("a 401-day-old Once key is still held: %v %v", first, err)
		}
		return nil
	})
}
