package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"guatu/auth"
	"guatu/db"
	"guatu/meeting"
	"guatu/org"
	"guatu/web/webtest"
)

func init() { matrixAreas = append(matrixAreas, meetingMatrixRoutes) }

// aMeeting makes a March meeting belonging to unit.
func aMeeting(t testing.TB, env *webtest.Env, unit *org.Unit) *meeting.Meeting {
	var m *meeting.Meeting
	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		var err error
		m, err = meeting.Create(ctx, tx, auth.SystemActor("test"), meeting.Input{Period: "2026-03", HeldOn: "2026-03-28", UnitID: fmt.Sprint(unit.ID)})
		return err
	})
	return m
}

func meetingMatrixRoutes() []route {
	at := func(suffix string) func(m *matrix, tg target) string {
		return func(m *matrix, tg target) string {
			return fmt.Sprintf("/meetings/%d%s", aMeeting(m.t, m.env, tg.unit).ID, suffix)
		}
	}
	return []route{
		{method: "GET", path: "/meetings", allowed: rptViews},
		{method: "POST", path: "/meetings", allowed: rptReviews, form: func(*matrix, target) url.Values {
			return url.Values{"period": {"2026-03"}, "held_on": {"2026-03-28"}}
		}},
		{method: "GET", path: "/meetings/{id}", allowed: rptViews, scoped: true, pathFor: at("")},
		{method: "GET", path: "/meetings/{id}/minutes", allowed: rptViews, scoped: true, pathFor: at("/minutes")},
		{method: "GET", path: "/meetings/{id}/minutes.docx", allowed: rptViews, scoped: true, pathFor: at("/minutes.docx")},
		{method: "POST", path: "/meetings/{id}", allowed: rptReviews, scoped: true, pathFor: at(""), form: func(*matrix, target) url.Values {
			return url.Values{"period": {"2026-03"}, "held_on": {"2026-03-29"}, "place": {"会议室"}}
		}},
		{method: "POST", path: "/meetings/{id}/attendance", allowed: rptReviews, scoped: true, pathFor: at("/attendance"), form: func(*matrix, target) url.Values {
			return url.Values{"attendees.0.name": {"王书记"}, "attendees.0.status": {"present"}}
		}},
		{method: "POST", path: "/meetings/{id}/decisions", allowed: rptReviews, scoped: true, pathFor: at("/decisions"), form: func(*matrix, target) url.Values {
			return url.Values{"text": {"加快推进"}}
		}},
		{method: "POST", path: "/meetings/{id}/decisions/{did}/delete", allowed: rptReviews, scoped: true, pathFor: func(m *matrix, tg target) string {
			mt := aMeeting(m.t, m.env, tg.unit)
			var d meeting.Decision
			m.env.Tx(m.t, func(ctx context.Context, tx *db.Tx) error {
				var err error
				d, err = meeting.AddDecision(ctx, tx, auth.SystemActor("test"), mt.ID, meeting.DecisionInput{Text: "误记"})
				return err
			})
			return fmt.Sprintf("/meetings/%d/decisions/%d/delete", mt.ID, d.ID)
		}},
	}
}

func TestMeeting_AgendaDecisionsMinutes(t *testing.T) {
	env := webtest.New(t)
	red := reportProject(t, env, env.Units.Econ, "滨海冷库")
	env.Clock.Set(env.Clock.Now().AddDate(0, 0, 13)) // 3-28: past the deadline, nothing reported
	sup := env.Login(t, "supervisor")

	// A meeting without its date is refused and keeps what was typed.
	res := sup.PostForm(t, "/meetings", url.Values{"period": {"2026-03"}, "held_on": {""}, "place": {"三楼会议室"}})
	if res.Status != http.StatusUnprocessableEntity || !res.Contains("请填写开会日期") || !strings.Contains(res.Body, `value="三楼会议室"`) {
		t.Fatalf("meeting without date: %d %.300s", res.Status, res.Text())
	}
	res = sup.PostForm(t, "/meetings", url.Values{"period": {"2026-03"}, "held_on": {"2026-03-28"}, "place": {"三楼会议室"}, "host": {"王书记"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %.300s", res.Status, res.Text())
	}
	page := res.Location
	if !regexp.MustCompile(`^/meetings/\d+$`).MatchString(page) {
		t.Fatalf("created meeting at %q", page)
	}

	// The agenda is built from the data: the red project with its reasons,
	// the unit that has not reported.
	ag := sup.Get(t, page)
	for _, want := range []string{"2026年3月重点项目调度会", "红灯项目（1 个）", "滨海冷库", "2026年3月月报逾期未报", "经发办 ：应报 1 份，逾期未报 1 份"} {
		if !ag.Contains(want) {
			t.Errorf("agenda lacks %q: %.1500s", want, ag.Text())
		}
	}

	// Attendance, and a decision on the red project.
	res = sup.PostForm(t, page+"/attendance", url.Values{"attendees.0.name": {"王书记"}, "attendees.0.status": {"present"},
		"attendees.1.name": {"李明"}, "attendees.1.unit_name": {"副镇长"}, "attendees.1.status": {"leave"}, "attendees.1.note": {"外出招商"},
		"attendees.2.name": {""}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("attendance: %d %.300s", res.Status, res.Text())
	}
	if res := sup.PostForm(t, page+"/decisions", url.Values{"item_type": {"project"}, "item_id": {fmt.Sprint(red.ID)}, "item_name": {red.Name}, "text": {""}}); res.Status != http.StatusUnprocessableEntity || !res.Contains("请写明会议决定的内容") {
		t.Errorf("empty decision: %d", res.Status)
	}
	res = sup.PostForm(t, page+"/decisions", url.Values{"item_type": {"project"}, "item_id": {fmt.Sprint(red.ID)}, "item_name": {red.Name},
		"text": {"经发办月底前补报月报，倒排工期"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("decision: %d %.300s", res.Status, res.Text())
	}

	// The 纪要 holds attendance, figures and decisions; a viewer may read it, another town may not.
	min := env.Login(t, "viewer").Get(t, page+"/minutes")
	for _, want := range []string{"纪要", "王书记", "请 假 李明（外出招商）", "逾期未报 1 份", "滨海冷库：经发办月底前补报月报，倒排工期"} {
		if !min.Contains(want) {
			t.Errorf("minutes lack %q: %.1200s", want, min.Text())
		}
	}
	// A village's own meeting looks at the village only, whoever opens it.
	village := aMeeting(t, env, env.Units.Village1)
	if res := sup.Get(t, fmt.Sprintf("/meetings/%d", village.ID)); res.Status != http.StatusOK || res.Contains("滨海冷库") || !res.Contains("红灯项目（0 个）") {
		t.Errorf("the village's agenda: %d %.500s", res.Status, res.Text())
	}
	if res := env.Login(t, "other").Get(t, page); res.Status != http.StatusNotFound && res.Status != http.StatusForbidden {
		t.Errorf("another town's staff opened the meeting: %d", res.Status)
	}
}
