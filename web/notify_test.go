package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"guatu/account"
	"guatu/auth"
	"guatu/db"
	"guatu/notify"
	"guatu/web/webtest"
)

func init() { matrixAreas = append(matrixAreas, notifyMatrixRoutes) }

// notifyMatrixRoutes are the inbox and robot rows of the permission matrix.
//
// The inbox is personal, so its placements mean whose notice it is: for
// "own" and "child" the notice was sent to every matrix account, for
// "sibling" and "other" only to the target's account, which nobody in the
// matrix may open. Robots belong to the target's unit; only the
// supervision office and the system administrator manage them.
func notifyMatrixRoutes() []route {
	robotRoles := []auth.Role{auth.Supervisor, auth.SysAdmin}
	robotForm := func(m *matrix, tg target) url.Values {
		return url.Values{"scope": {fmt.Sprint(tg.unit.ID)}, "platform": {"dingtalk"}, "name": {m.unique("群")},
			"webhook": {matrixWebhook}, "kinds": {"report"}, "enabled": {"1"}}
	}
	robotPath := func(suffix string) func(m *matrix, tg target) string {
		return func(m *matrix, tg target) string { return fmt.Sprintf("/settings/robots/%d%s", m.robot(tg), suffix) }
	}
	return []route{
		{method: "GET", path: "/inbox", allowed: allRoles},
		{method: "POST", path: "/inbox/read-all", allowed: allRoles},
		{method: "POST", path: "/inbox/{id}/read", allowed: allRoles, scoped: true, pathFor: func(m *matrix, tg target) string {
			return fmt.Sprintf("/inbox/%d/read", m.notice(tg))
		}},
		{method: "GET", path: "/settings/robots", allowed: robotRoles},
		{method: "GET", path: "/settings/robots/new", allowed: robotRoles},
		{method: "POST", path: "/settings/robots", allowed: robotRoles, scoped: true, form: robotForm},
		{method: "GET", path: "/settings/robots/{id}", allowed: robotRoles, scoped: true, pathFor: robotPath("")},
		{method: "GET", path: "/settings/robots/{id}/edit", allowed: robotRoles, scoped: true, pathFor: robotPath("/edit")},
		{method: "POST", path: "/settings/robots/{id}", allowed: robotRoles, scoped: true, pathFor: robotPath(""), form: func(m *matrix, tg target) url.Values {
			v := robotForm(m, tg)
			v.Del("webhook") // kept
			return v
		}},
		{method: "POST", path: "/settings/robots/{id}/test", allowed: robotRoles, scoped: true, pathFor: robotPath("/test")},
		{method: "POST", path: "/settings/robots/{id}/disable", allowed: robotRoles, scoped: true, pathFor: robotPath("/disable")},
		{method: "POST", path: "/settings/robots/{id}/enable", allowed: robotRoles, scoped: true, pathFor: robotPath("/enable")},
		{method: "POST", path: "/settings/robots/{id}/delete", allowed: robotRoles, scoped: true, pathFor: robotPath("/delete")},
	}
}

// matrixWebhook is a robot nobody answers at (port 1 refuses at once): the
// matrix's test messages fail quickly and never leave the machine.
const matrixWebhook = "http://127.0.0.1:1/robot/send?access_token=matrix"

// robot makes a robot in the target's unit for one request to act on.
func (m *matrix) robot(tg target) int64 {
	var id int64
	err := m.env.DB.InTx(context.Background(), func(tx *db.Tx) error {
		c, err := notify.CreateChannel(context.Background(), tx, auth.SystemActor("test"), &notify.Sender{AnyHost: true},
			notify.ChannelInput{Scope: fmt.Sprint(tg.unit.ID), Platform: "dingtalk", Name: m.unique("矩阵群"),
				Webhook: matrixWebhook, Kinds: []string{"report"}, Enabled: true})
		if c != nil {
			id = c.ID
		}
		return err
	})
	if err != nil {
		panic(err) // the matrix builds its paths outside a test's reach; a failure here is a broken fixture
	}
	return id
}

// notice posts a notice for one inbox request (see notifyMatrixRoutes).
func (m *matrix) notice(tg target) int64 {
	ctx := context.Background()
	to := []notify.Recipient{notify.ToUser(tg.user.ID)}
	if tg.unit.ID != m.targets[sibling].unit.ID && tg.unit.ID != m.targets[other].unit.ID {
		for _, role := range everyRole {
			u, err := account.ByUsername(ctx, m.env.DB, "m_"+string(role))
			if err != nil {
				panic(err)
			}
			to = append(to, notify.ToUser(u.ID))
		}
	}
	title := m.unique("矩阵消息")
	err := m.env.DB.InTx(ctx, func(tx *db.Tx) error {
		return notify.Post(ctx, tx, notify.Message{Kind: notify.KindNotice, Title: title, To: to})
	})
	if err != nil {
		panic(err)
	}
	list, _, err := notify.Inbox(ctx, m.env.DB, auth.Actor{UserID: tg.user.ID}, 1, 1)
	if err != nil || len(list) == 0 || list[0].Title != title {
		panic(fmt.Sprintf("matrix notice not found: %v", err))
	}
	return list[0].ID
}

func postNotice(t *testing.T, env *webtest.Env, m notify.Message) {
	t.Helper()
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error { return notify.Post(ctx, tx, m) })
}

var navCount = regexp.MustCompile(`消息<span class="nav-count"[^>]*>([^<]+)</span>`)

// badge is the unread count the navigation shows ("" when none).
func badge(res *webtest.Response) string {
	if m := navCount.FindStringSubmatch(res.Body); m != nil {
		return m[1]
	}
	return ""
}

func TestInbox_UnreadFirstOpenAndMarkAllRead(t *testing.T) {
	env := webtest.New(t)
	staff := env.Users["staff"].ID
	postNotice(t, env, notify.Message{Kind: notify.KindReport, Title: "经发办3月月报待报送", Body: "截止3月25日\n请尽快填报", Link: "/projects",
		To: []notify.Recipient{notify.UnitStaff(env.Units.Econ.ID)}})
	postNotice(t, env, notify.Message{Kind: notify.KindNotice, Title: "调度会通知", To: []notify.Recipient{notify.ToUser(staff)}})
	c := env.Login(t, "staff")

	home := c.Get(t, "/")
	if got := badge(home); got != "2" {
		t.Errorf("badge on the home page = %q, want 2", got)
	}
	if i, j := strings.Index(home.Body, "工作台"), strings.Index(home.Body, "消息<"); i < 0 || j < i {
		t.Error("消息 does not follow 工作台 in the navigation")
	}
	res := c.Get(t, "/inbox")
	if res.Status != http.StatusOK || !res.Contains("2 条未读") || !res.Contains("全部标为已读") {
		t.Fatalf("inbox: %d %.400s", res.Status, res.Text())
	}
	if i, j := strings.Index(res.Body, "调度会通知"), strings.Index(res.Body, "经发办3月月报待报送"); i < 0 || j < i {
		t.Error("the newest unread notice is not first")
	}
	if !strings.Contains(res.Body, "截止3月25日\n请尽快填报") {
		t.Error("the body is not shown with its lines")
	}
	ids := regexp.MustCompile(`action="/inbox/(\d+)/read"`).FindAllStringSubmatch(res.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("found %d open buttons", len(ids))
	}
	report := ids[1][1] // second listed: the report notice, with a link

	// Someone else cannot open it.
	if other := env.Login(t, "village").PostForm(t, "/inbox/"+report+"/read", nil); other.Status != http.StatusNotFound {
		t.Errorf("another user opening my notice: %d", other.Status)
	}
	// Opening it goes to its page and marks it read.
	res = c.PostForm(t, "/inbox/"+report+"/read", nil)
	if res.Status != http.StatusSeeOther || res.Location != "/projects" {
		t.Errorf("open: %d → %q, want 303 → /projects", res.Status, res.Location)
	}
	res = c.Get(t, "/inbox")
	if badge(res) != "1" || !res.Contains("1 条未读") {
		t.Errorf("after opening one: badge %q", badge(res))
	}
	if i, j := strings.Index(res.Body, "调度会通知"), strings.Index(res.Body, "经发办3月月报待报送"); j < i {
		t.Error("the read notice is not listed after the unread one")
	}
	res = c.PostForm(t, "/inbox/read-all", nil)
	if res.Status != http.StatusSeeOther || res.Location != "/inbox" {
		t.Fatalf("read-all: %d %q", res.Status, res.Location)
	}
	res = c.Get(t, "/inbox")
	if badge(res) != "" || !res.Contains("已将 1 条消息标为已读") || !res.Contains("没有未读消息") {
		t.Errorf("after read-all: badge %q, %.300s", badge(res), res.Text())
	}
	if res := c.PostForm(t, "/inbox/999999/read", nil); res.Status != http.StatusNotFound {
		t.Errorf("an unknown notice: %d", res.Status)
	}
}

func TestInbox_BadgeForEveryRoleAndEmptyInbox(t *testing.T) {
	env := webtest.New(t)
	postNotice(t, env, notify.Message{Kind: notify.KindNotice, Title: "三员通知", To: []notify.Recipient{
		notify.ToUser(env.Users["auditor"].ID), notify.ToRoleOver(auth.SecAdmin, env.Units.Village1.ID)}})
	for _, name := range []string{"auditor", "secadmin"} {
		res := env.Login(t, name).Get(t, "/me")
		if badge(res) != "1" {
			t.Errorf("%s's badge = %q, want 1", name, badge(res))
		}
	}
	res := env.Login(t, "viewer").Get(t, "/inbox")
	if res.Status != http.StatusOK || !res.Contains("还没有消息") || badge(res) != "" || strings.Contains(res.Body, "全部标为已读") {
		t.Errorf("an empty inbox: %d %.300s", res.Status, res.Text())
	}
}

// localRobot answers like a DingTalk robot and keeps what it was sent.
type localRobot struct {
	*httptest.Server
	mu     sync.Mutex
	got    []url.Values
	bodies []string
	answer string
}

func newLocalRobot(t *testing.T, answer string) *localRobot {
	r := &localRobot{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, req.URL.Query())
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
		io.WriteString(w, r.answer)
	}))
	t.Cleanup(r.Close)
	return r
}

func TestRobotPages_CreateTestEditAndNeverShowTheSecret(t *testing.T) {
	env := webtest.New(t)
	robot := newLocalRobot(t, `{"errcode":0,"errmsg":"ok"}`)
	const secret = "SECtopsecret0123456789"
	const token = "tok0123456789abcdef"
	webhook := robot.URL + "/robot/send?access_token=" + token
	c := env.Login(t, "supervisor")

	if res := c.Get(t, "/"); !strings.Contains(res.Body, `href="/settings/robots"`) {
		t.Error("the supervisor's navigation has no 群机器人")
	}
	if res := c.Get(t, "/settings/robots/new"); res.Status != http.StatusOK || !strings.Contains(res.Body, fmt.Sprintf(`value="%d"`, env.Units.Econ.ID)) {
		t.Errorf("new form: %d %.300s", res.Status, res.Text())
	}
	// A bad form comes back with what was typed and a message in Chinese, but never the secret.
	bad := url.Values{"scope": {fmt.Sprint(env.Units.Econ.ID)}, "platform": {"dingtalk"}, "name": {"经发办工作群"},
		"webhook": {"ftp://wrong.example.com/x"}, "secret": {secret}, "enabled": {"1"}}
	res := c.PostForm(t, "/settings/robots", bad)
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("请至少选择一类要推送的消息") || !res.Contains("Webhook 地址须以 https:// 开头") {
		t.Fatalf("bad form: %d %.500s", res.Status, res.Text())
	}
	if !strings.Contains(res.Body, `value="经发办工作群"`) || !strings.Contains(res.Body, `value="ftp://wrong.example.com/x"`) || !res.Contains("请重新粘贴") {
		t.Error("the refused form did not keep what was typed")
	}
	if strings.Contains(res.Body, secret) {
		t.Error("the refused form echoes the secret")
	}
	good := url.Values{"scope": {fmt.Sprint(env.Units.Econ.ID)}, "platform": {"dingtalk"}, "name": {"经发办工作群"},
		"webhook": {webhook}, "secret": {secret}, "kinds": {"report", "problem"}, "enabled": {"1"}}
	res = c.PostForm(t, "/settings/robots", good)
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/settings/robots/") {
		t.Fatalf("create: %d %q %.300s", res.Status, res.Location, res.Text())
	}
	show := res.Location
	for _, path := range []string{show, show + "/edit", "/settings/robots"} {
		page := c.Get(t, path)
		if page.Status != http.StatusOK {
			t.Errorf("%s: %d", path, page.Status)
		}
		if strings.Contains(page.Body, secret) || strings.Contains(page.Body, token) {
			t.Errorf("%s shows a stored credential", path)
		}
	}
	if page := c.Get(t, show); !page.Contains("已设置") || !page.Contains("access_token=tok0…") || !page.Contains("月报、问题") {
		t.Errorf("robot page: %.600s", page.Text())
	}

	// The test button sends now, signed, and shows the outcome.
	res = c.PostForm(t, show+"/test", nil)
	if res.Status != http.StatusSeeOther || res.Location != show {
		t.Fatalf("test: %d %q", res.Status, res.Location)
	}
	page := c.Get(t, show)
	if !page.Contains("测试消息已发送") || !page.Contains("已发送") {
		t.Errorf("after the test: %.600s", page.Text())
	}
	if len(robot.got) != 1 || robot.got[0].Get("sign") == "" || robot.got[0].Get("access_token") != token {
		t.Fatalf("robot got %v", robot.got)
	}
	if !strings.Contains(robot.bodies[0], "https://gt.example.cn"+show) {
		t.Errorf("the test message does not link to the robot's page: %s", robot.bodies[0])
	}

	// An edit with the credentials left empty keeps them.
	edit := url.Values{"scope": {fmt.Sprint(env.Units.Econ.ID)}, "platform": {"dingtalk"}, "name": {"经发办群"},
		"kinds": {"report"}, "enabled": {"1"}}
	if res := c.PostForm(t, show, edit); res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %.400s", res.Status, res.Text())
	}
	c.PostForm(t, show+"/test", nil)
	if len(robot.got) != 2 || robot.got[1].Get("access_token") != token || robot.got[1].Get("sign") == "" {
		t.Errorf("after the edit the robot got %v", robot.got)
	}

	// A refusal from the platform is shown as it is.
	robot.answer = `{"errcode":310000,"errmsg":"sign not match"}`
	c.PostForm(t, show+"/test", nil)
	if page := c.Get(t, show); !page.Contains("测试消息发送失败") || !page.Contains("310000") || !page.Contains("加签密钥") {
		t.Errorf("after a refused test: %.600s", page.Text())
	}

	// Disable, enable, delete.
	if res := c.PostForm(t, show+"/disable", nil); res.Status != http.StatusSeeOther {
		t.Errorf("disable: %d", res.Status)
	}
	if page := c.Get(t, show); !page.Contains("停用") || strings.Contains(page.Body, show+"/test") {
		t.Error("a disabled robot still offers the test button")
	}
	c.PostForm(t, show+"/enable", nil)
	if res := c.PostForm(t, show+"/delete", nil); res.Status != http.StatusSeeOther || res.Location != "/settings/robots" {
		t.Errorf("delete: %d %q", res.Status, res.Location)
	}
	if res := c.Get(t, show); res.Status != http.StatusNotFound {
		t.Errorf("a deleted robot: %d", res.Status)
	}
}

func TestRobotPages_WhoMayManageWhat(t *testing.T) {
	env := webtest.New(t)
	// Staff see neither the entry nor the pages.
	staff := env.Login(t, "staff")
	if res := staff.Get(t, "/"); strings.Contains(res.Body, `href="/settings/robots"`) {
		t.Error("staff see 群机器人 in the navigation")
	}
	if res := staff.Get(t, "/settings/robots"); res.Status != http.StatusForbidden || !res.Contains("无权管理群机器人") {
		t.Errorf("staff: %d %.200s", res.Status, res.Text())
	}
	// The database holds two towns, so a 全镇 robot would hear YY镇 too:
	// the town's own supervisor may not add one …
	c := env.Login(t, "supervisor")
	form := url.Values{"scope": {"all"}, "platform": {"wecom"}, "name": {"全镇群"}, "webhook": {"http://127.0.0.1:1/cgi-bin/webhook/send?key=k"},
		"kinds": {"report"}, "enabled": {"1"}}
	if res := c.Get(t, "/settings/robots/new"); strings.Contains(res.Body, `value="all"`) {
		t.Error("全镇 is offered to a supervisor of one of two towns")
	}
	if res := c.PostForm(t, "/settings/robots", form); res.Status != http.StatusForbidden {
		t.Errorf("全镇 robot by the town's supervisor: %d", res.Status)
	}
	// … until the account's role covers every town.
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		return account.Grant(ctx, tx, auth.SystemActor("test"), env.Users["supervisor"].ID, auth.Supervisor, env.Units.OtherTown.ID)
	})
	c = env.Login(t, "supervisor")
	form.Del("csrf_token") // the earlier post added the old session's token
	if res := c.PostForm(t, "/settings/robots", form); res.Status != http.StatusSeeOther {
		t.Errorf("全镇 robot with both towns: %d %.300s", res.Status, res.Text())
	}
	if res := c.Get(t, "/settings/robots"); !res.Contains("全镇群") || !res.Contains("全镇") {
		t.Errorf("list: %.300s", res.Text())
	}
	// A village's system administrator sees no 全镇 robot.
	if res := env.Login(t, "vadmin").Get(t, "/settings/robots"); res.Status != http.StatusOK || res.Contains("全镇群") {
		t.Errorf("vadmin's list: %d %.300s", res.Status, res.Text())
	}
}
