package instruction

import (
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/worktime"
)

var d = worktime.Date

// at is an instant on a Shanghai calendar day at the given hour.
func at(day time.Time, hour int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, shanghai)
}

func TestStateOf(t *testing.T) {
	deadline := d(2026, 3, 20)
	for _, tc := range []struct {
		answered time.Time
		closed   bool
		want     State
	}{
		{time.Time{}, false, Pending},
		{d(2026, 3, 10), false, OnTime},
		{d(2026, 3, 20), false, OnTime}, // the deadline day itself is in time
		{d(2026, 3, 21), false, Late},
		{d(2026, 3, 21), true, Late}, // closing changes nothing for a unit that answered
		{d(2026, 3, 19), true, OnTime},
		{time.Time{}, true, Unanswered},
	} {
		if got := StateOf(deadline, tc.answered, tc.closed); got != tc.want {
			t.Errorf("answered %v closed %v: %s, want %s", tc.answered, tc.closed, got, tc.want)
		}
	}
}

func TestStandings_UrgencyOnlyWhileOwing(t *testing.T) {
	cal := worktime.New(nil) // weekends only
	in := &Instruction{Deadline: d(2026, 3, 20), Status: Open, Units: []Addressee{
		{UnitID: 1, UnitName: "经发办"},
		{UnitID: 2, UnitName: "东岙村", AnsweredAt: at(d(2026, 3, 20), 23)}, // 23:00 Shanghai is 15:00 UTC the same day
		{UnitID: 3, UnitName: "文旅办", AnsweredAt: at(d(2026, 3, 21), 0)},  // just after midnight: late
	}}
	for _, tc := range []struct {
		today time.Time
		first worktime.Urgency
		sum   Summary
	}{
		{d(2026, 3, 10), worktime.OnTrack, Summary{2, 3, worktime.OnTrack}},
		{d(2026, 3, 17), worktime.DueSoon, Summary{2, 3, worktime.DueSoon}}, // Tue → Fri is 3 working days
		{d(2026, 3, 23), worktime.Overdue, Summary{2, 3, worktime.Overdue}},
		{d(2026, 3, 31), worktime.OverdueLong, Summary{2, 3, worktime.OverdueLong}}, // 7 working days after Fri 20th
	} {
		st := in.Standings(tc.today, cal)
		if st[0].State != Pending || st[0].Urgency != tc.first {
			t.Errorf("%s: owing unit %s/%v, want pending/%v", tc.today.Format("01-02"), st[0].State, st[0].Urgency, tc.first)
		}
		if st[1].State != OnTime || st[1].Urgency != worktime.OnTrack || st[2].State != Late || st[2].Urgency != worktime.OnTrack {
			t.Errorf("%s: answered units %+v %+v", tc.today.Format("01-02"), st[1], st[2])
		}
		if got := Summarise(st); got != tc.sum {
			t.Errorf("%s: summary %+v, want %+v", tc.today.Format("01-02"), got, tc.sum)
		}
	}
	// Closed: the owing unit becomes 未反馈 and escalates no more.
	in.Status = Closed
	if st := in.Standings(d(2026, 4, 30), cal); st[0].State != Unanswered || st[0].Urgency != worktime.OnTrack {
		t.Errorf("closed: %+v", st[0])
	}
}

func TestFactJudge(t *testing.T) {
	deadline := d(2026, 3, 20)
	for _, tc := range []struct {
		name              string
		answered, closed  time.Time
		today             time.Time
		counted, onTimeOK bool
	}{
		{"answered in time", at(d(2026, 3, 20), 18), time.Time{}, d(2026, 3, 25), true, true},
		{"answered late", at(d(2026, 3, 21), 9), time.Time{}, d(2026, 3, 25), true, false},
		{"answered in time, judged before the deadline", at(d(2026, 3, 12), 9), time.Time{}, d(2026, 3, 13), true, true},
		{"owing, deadline not reached", time.Time{}, time.Time{}, d(2026, 3, 20), false, false},
		{"owing past the deadline", time.Time{}, time.Time{}, d(2026, 3, 21), true, false},
		{"closed before the deadline without an answer: excused", time.Time{}, at(d(2026, 3, 18), 10), d(2026, 4, 1), false, false},
		{"closed after the deadline without an answer", time.Time{}, at(d(2026, 3, 22), 10), d(2026, 4, 1), true, false},
	} {
		f := Fact{Deadline: deadline, AnsweredAt: tc.answered, ClosedAt: tc.closed}
		if counted, onTime := f.Judge(tc.today); counted != tc.counted || onTime != tc.onTimeOK {
			t.Errorf("%s: counted %v on time %v, want %v %v", tc.name, counted, onTime, tc.counted, tc.onTimeOK)
		}
	}
}

func TestTally(t *testing.T) {
	deadline := d(2026, 3, 20)
	facts := []Fact{
		{InstructionID: 1, UnitID: 2, UnitName: "东岙村", UnitPath: "/1/9/", Deadline: deadline, AnsweredAt: at(deadline, 9)},
		{InstructionID: 2, UnitID: 2, UnitName: "东岙村", UnitPath: "/1/9/", Deadline: deadline},
		{InstructionID: 1, UnitID: 3, UnitName: "经发办", UnitPath: "/1/3/", Deadline: deadline, AnsweredAt: at(d(2026, 3, 23), 9)},
		{InstructionID: 3, UnitID: 4, UnitName: "文旅办", UnitPath: "/1/4/", Deadline: d(2026, 4, 30)},
	}
	got := Tally(facts, d(2026, 3, 31))
	want := []UnitTally{
		{UnitID: 3, UnitName: "经发办", UnitPath: "/1/3/", Due: 1, OnTime: 0},
		{UnitID: 4, UnitName: "文旅办", UnitPath: "/1/4/", Due: 0, OnTime: 0},
		{UnitID: 2, UnitName: "东岙村", UnitPath: "/1/9/", Due: 2, OnTime: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("tally %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if r, ok := got[2].Rate(); !ok || r != 0.5 {
		t.Errorf("rate %v %v", r, ok)
	}
	if _, ok := got[1].Rate(); ok {
		t.Error("a unit with nothing due has a rate")
	}
}

func TestPolicy(t *testing.T) {
	grant := func(id int64, role auth.Role, path string) auth.Actor {
		return auth.Actor{UserID: id, Grants: []auth.Grant{{Role: role, UnitPath: path}}}
	}
	town, econ, village, other := "/1/", "/1/3/", "/1/9/", "/2/"
	in := &Instruction{WriterID: 7, Status: Open, Units: []Addressee{{UnitID: 3, UnitPath: econ}, {UnitID: 9, UnitPath: village}},
		People: []Person{{ID: 55}}}
	writer := grant(7, auth.Chief, town)
	for _, tc := range []struct {
		name             string
		by               auth.Actor
		view, close      bool
		answers          int
		closedStillViews bool
	}{
		{"the writer", writer, true, true, 0, true},
		{"the writer after losing the role", auth.Actor{UserID: 7}, true, false, 0, true},
		{"another chief", grant(8, auth.Chief, town), true, false, 0, true},
		{"the town's supervisor", grant(9, auth.Supervisor, town), true, true, 2, true},
		{"a supervisor over one unit only", grant(10, auth.Supervisor, econ), true, false, 1, true},
		{"econ staff", grant(11, auth.Staff, econ), true, false, 1, true},
		{"a viewer", grant(12, auth.Viewer, town), true, false, 0, true},
		{"another town's staff", grant(13, auth.Staff, other), false, false, 0, false},
		{"a person it names, working elsewhere", auth.Actor{UserID: 14, PersonID: 55, Grants: []auth.Grant{{Role: auth.Staff, UnitPath: other}}}, true, false, 0, true},
		{"the system", auth.SystemActor("test"), true, true, 2, true},
	} {
		if got := CanView(tc.by, in); got != tc.view {
			t.Errorf("%s: view %v", tc.name, got)
		}
		if got := CanClose(tc.by, in); got != tc.close {
			t.Errorf("%s: close %v", tc.name, got)
		}
		if got := len(AnswerableUnits(tc.by, in)); got != tc.answers {
			t.Errorf("%s: answers for %d units", tc.name, got)
		}
	}
	closed := *in
	closed.Status = Closed
	if CanClose(auth.SystemActor("test"), &closed) || len(AnswerableUnits(auth.SystemActor("test"), &closed)) != 0 {
		t.Error("a closed 批示 can still be closed or answered")
	}
}

func TestInputValidate(t *testing.T) {
	today := d(2026, 3, 15)
	ok := Input{Content: "请抓紧推进", Deadline: "2026-03-20", UnitIDs: []string{"3", "3", " ", "9"}}
	f, err := ok.validate(today)
	if err != nil || f.Target.Type != None || !f.WrittenOn.Equal(today) || len(f.UnitIDs) != 2 {
		t.Fatalf("valid input: %+v %v", f, err)
	}
	for _, tc := range []struct {
		change func(*Input)
		field  string
		msg    string
	}{
		{func(in *Input) { in.Content = "  " }, "content", "请填写批示内容"},
		{func(in *Input) { in.Content = strings.Repeat("批", 2001) }, "content", "不超过2000字"},
		{func(in *Input) { in.Deadline = "" }, "deadline", "请填写反馈期限"},
		{func(in *Input) { in.Deadline = "2026-02-30" }, "deadline", "日期格式"},
		{func(in *Input) { in.Deadline = "2026-03-14" }, "deadline", "不能早于今天"},
		{func(in *Input) { in.Deadline = "2027-03-16" }, "deadline", "不能超过一年"},
		{func(in *Input) { in.WrittenOn = "2026-03-16" }, "written_on", "不能晚于今天"},
		{func(in *Input) { in.WrittenOn = "2025-12-01" }, "written_on", "只能补录90天内"},
		{func(in *Input) { in.WrittenOn = "2026-03-10"; in.Deadline = "2026-03-09" }, "deadline", "不能早于批示日期"},
		{func(in *Input) { in.UnitIDs = nil }, "unit_ids", "请至少选择一个"},
		{func(in *Input) { in.UnitIDs = []string{"x"} }, "unit_ids", "无效"},
		{func(in *Input) { in.PersonIDs = []string{"-1"} }, "person_ids", "无效"},
		{func(in *Input) { in.TargetType = "meeting" }, "target_type", "无效"},
		{func(in *Input) { in.TargetType = "project" }, "target_id", "无效"},
	} {
		in := ok
		tc.change(&in)
		_, err := in.validate(today)
		if err == nil || !strings.Contains(fieldsOf(err)[tc.field], tc.msg) {
			t.Errorf("%s: %v (%v), want %q", tc.field, err, fieldsOf(err), tc.msg)
		}
	}
	// A paper 批示 entered later may be overdue already.
	late := ok
	late.WrittenOn, late.Deadline = "2026-03-01", "2026-03-10"
	if _, err := late.validate(today); err != nil {
		t.Errorf("backdated: %v", err)
	}
}

func fieldsOf(err error) map[string]string {
	if ae, ok := apperr.As(err); ok {
		return ae.Fields
	}
	return nil
}
