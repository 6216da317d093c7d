package instruction_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/instruction"
	"guatu/org"
	"guatu/project"
	"guatu/report"
	"guatu/worktime"
)

var sys = auth.SystemActor("test")

// env is a town with its 班子, offices and a village, another town, and an
// actor per role. The clock starts on Sunday 2026-03-15 09:00 Shanghai.
type env struct {
	t     testing.TB
	d     *db.DB
	clock *dbtest.Clock

	town, office, econ, culture, village, group, otherTown *org.Unit
	leaderPerson, chiefPerson                              *org.Person
	project                                                *project.Project

	chief, leader, supervisor, econStaff, villageStaff, cultureStaff, viewer, otherStaff, sysadmin auth.Actor
}

func newEnv(t testing.TB) *env {
	e := &env{t: t, d: dbtest.New(t), clock: dbtest.NewClock(dbtest.Now)}
	e.d.Clock = e.clock.Now
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		if e.town, err = org.CreateRoot(ctx, tx, sys, org.Town, "XX镇"); err != nil {
			return err
		}
		if e.otherTown, err = org.CreateRoot(ctx, tx, sys, org.Town, "YY镇"); err != nil {
			return err
		}
		mk := func(parent *org.Unit, kind org.Kind, name string) *org.Unit {
			u, err := org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(parent.ID), Kind: string(kind), Name: name})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		committee := mk(e.town, org.Committee, "党政班子")
		e.office = mk(e.town, org.Office, "党政办")
		e.econ = mk(e.town, org.Office, "经发办")
		e.culture = mk(e.town, org.Office, "文旅办")
		e.village = mk(e.town, org.Village, "东岙村")
		e.group = mk(e.village, org.Group, "东岙村一组")
		if e.chiefPerson, err = org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(committee.ID), Name: "周建华", Position: "党委书记"}); err != nil {
			return err
		}
		if e.leaderPerson, err = org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(committee.ID), Name: "林志强", Position: "副镇长"}); err != nil {
			return err
		}
		if _, err = org.SetLeaderUnits(ctx, tx, sys, e.leaderPerson.ID, []int64{e.econ.ID}); err != nil {
			return err
		}
		e.project, err = project.Create(ctx, tx, sys, project.Input{Name: "深海养殖基地", CategoryID: "1", UnitID: fmt.Sprint(e.econ.ID)})
		return err
	})
	n := int64(0)
	actor := func(role auth.Role, u *org.Unit, person int64) auth.Actor {
		n++
		return auth.Actor{UserID: n, Username: string(role) + fmt.Sprint(n), Name: role.Label() + fmt.Sprint(n), PersonID: person,
			Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitName: u.Name}}}
	}
	e.chief = actor(auth.Chief, e.town, e.chiefPerson.ID)
	e.leader = actor(auth.Leader, e.town, e.leaderPerson.ID)
	e.supervisor = actor(auth.Supervisor, e.town, 0)
	e.econStaff = actor(auth.Staff, e.econ, 0)
	e.villageStaff = actor(auth.Staff, e.village, 0)
	e.cultureStaff = actor(auth.Staff, e.culture, 0)
	e.viewer = actor(auth.Viewer, e.town, 0)
	e.otherStaff = actor(auth.Staff, e.otherTown, 0)
	e.sysadmin = actor(auth.SysAdmin, e.town, 0)
	return e
}

func (e *env) tx(fn func(ctx context.Context, tx *db.Tx) error) {
	e.t.Helper()
	if err := e.try(fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) try(fn func(ctx context.Context, tx *db.Tx) error) error {
	return e.d.InTx(context.Background(), func(tx *db.Tx) error { return fn(context.Background(), tx) })
}

func ids(units ...*org.Unit) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = fmt.Sprint(u.ID)
	}
	return out
}

// write creates a 批示 and fails the test on error.
func (e *env) write(by auth.Actor, in instruction.Input) *instruction.Instruction {
	e.t.Helper()
	out, err := e.create(by, in)
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	return out
}

func (e *env) create(by auth.Actor, in instruction.Input) (*instruction.Instruction, error) {
	var out *instruction.Instruction
	err := e.try(func(ctx context.Context, tx *db.Tx) error {
		var err error
		out, err = instruction.Create(ctx, tx, by, in)
		return err
	})
	return out, err
}

func (e *env) answer(by auth.Actor, id int64, unit *org.Unit, text string) (*instruction.Instruction, error) {
	var out *instruction.Instruction
	err := e.try(func(ctx context.Context, tx *db.Tx) error {
		var err error
		out, err = instruction.Answer(ctx, tx, by, id, instruction.AnswerInput{UnitID: fmt.Sprint(unit.ID), Content: text})
		return err
	})
	return out, err
}

func (e *env) close(by auth.Actor, id int64, note string) (*instruction.Instruction, error) {
	var out *instruction.Instruction
	err := e.try(func(ctx context.Context, tx *db.Tx) error {
		var err error
		out, err = instruction.Close(ctx, tx, by, id, note)
		return err
	})
	return out, err
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Errorf("%s: error %v, want kind %d", what, err, kind)
	}
}

func TestCreate_StoresWhatWasWrittenAndChecksScope(t *testing.T) {
	e := newEnv(t)
	in := instruction.Input{TargetType: "project", TargetID: fmt.Sprint(e.project.ID), Content: " 请经发办牵头，本月底前解决海域使用权问题。 ",
		Deadline: "2026-03-27", UnitIDs: ids(e.econ, e.village), PersonIDs: []string{fmt.Sprint(e.leaderPerson.ID)}}
	got := e.write(e.chief, in)
	if got.Content != "请经发办牵头，本月底前解决海域使用权问题。" || got.Target.Type != instruction.Project ||
		got.Target.Label != e.project.Code+" 深海养殖基地" || got.Target.Href() != fmt.Sprintf("/projects/%d", e.project.ID) ||
		project.FormatDate(got.WrittenOn) != "2026-03-15" || project.FormatDate(got.Deadline) != "2026-03-27" ||
		got.WriterID != e.chief.UserID || got.WriterName != e.chief.Name || got.Status != instruction.Open {
		t.Errorf("stored %+v", got)
	}
	if len(got.Units) != 2 || got.Units[0].UnitName != "经发办" || got.Units[1].UnitName != "东岙村" ||
		len(got.People) != 1 || got.People[0].Name != "林志强" || got.People[0].Position != "副镇长" {
		t.Errorf("addressees %+v %+v", got.Units, got.People)
	}
	rows, err := audit.ForObject(context.Background(), e.d, "instruction", got.ID)
	if err != nil || len(rows) != 1 || rows[0].Action != audit.InstructionCreated || !strings.Contains(rows[0].Detail, "海域使用权") {
		t.Errorf("audit %+v %v", rows, err)
	}

	// Only the writing roles write, only to units and people in their scope.
	for _, by := range []auth.Actor{e.supervisor, e.econStaff, e.viewer, e.sysadmin} {
		_, err := e.create(by, in)
		wantKind(t, by.Username+" writes", err, apperr.Forbidden)
	}
	other := in
	other.TargetType, other.TargetID = "", ""
	other.UnitIDs = []string{fmt.Sprint(e.otherTown.ID)}
	_, err = e.create(e.chief, other)
	wantKind(t, "another town's unit", err, apperr.Forbidden)
	village := e.leader
	village.Grants = []auth.Grant{{Role: auth.Leader, UnitID: e.village.ID, UnitPath: e.village.Path}}
	_, err = e.create(village, in)
	wantKind(t, "a leader over the village writing on a project they cannot see", err, apperr.NotFound)
	scoped := in
	scoped.TargetType, scoped.TargetID = "", ""
	_, err = e.create(village, scoped)
	wantKind(t, "a leader over the village addressing 经发办", err, apperr.Forbidden)
	scoped.UnitIDs, scoped.PersonIDs = ids(e.group), nil
	if _, err = e.create(village, scoped); err != nil {
		t.Errorf("a leader over the village addressing its group: %v", err)
	}

	// Mistakes come back by field.
	bad := in
	bad.Content, bad.Deadline, bad.UnitIDs = "", "2026-03-01", []string{"999999"}
	_, err = e.create(e.chief, bad)
	ae, _ := apperr.As(err)
	if ae == nil || ae.Fields["content"] == "" || ae.Fields["deadline"] == "" {
		t.Errorf("invalid form: %v", err)
	}
	bad = in
	bad.UnitIDs = []string{"999999"}
	_, err = e.create(e.chief, bad)
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["unit_ids"] != "所选单位不存在" {
		t.Errorf("unknown unit: %v", err)
	}
	bad = in
	bad.TargetID = "999999"
	_, err = e.create(e.chief, bad)
	wantKind(t, "unknown project", err, apperr.NotFound)

	// A 批示 on a monthly report names the report; one that does not exist is refused.
	var r *report.Report
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		p, err := project.Create(ctx, tx, sys, project.Input{Name: "冷链中心", CategoryID: "1", Tier: "active", Stage: "started", UnitID: fmt.Sprint(e.econ.ID)})
		if err != nil {
			return err
		}
		r, err = report.Save(ctx, tx, sys, p.ID, report.Period{Year: 2026, Month: 3}, report.Input{}, false, project.Day(2026, 3, 15))
		return err
	})
	rep := in
	rep.TargetType, rep.TargetID = "report", fmt.Sprint(r.ID)
	if got := e.write(e.leader, rep); got.Target.Label != "冷链中心 2026年3月月报" || got.Target.Href() != fmt.Sprintf("/reports/%d", r.ID) {
		t.Errorf("report target %+v", got.Target)
	}
	rep.TargetID = "999999"
	_, err = e.create(e.leader, rep)
	wantKind(t, "unknown report", err, apperr.NotFound)
}

func TestView_WhoReads(t *testing.T) {
	e := newEnv(t)
	in := e.write(e.chief, instruction.Input{Content: "请文旅办、东岙村配合", Deadline: "2026-03-20", UnitIDs: ids(e.group),
		PersonIDs: []string{fmt.Sprint(e.leaderPerson.ID)}})
	ctx := context.Background()
	for _, tc := range []struct {
		by   auth.Actor
		want bool
	}{
		{e.chief, true}, {e.supervisor, true}, {e.viewer, true}, {e.villageStaff, true}, // the group is below the village
		{e.leader, true}, {e.econStaff, false}, {e.otherStaff, false}, {e.sysadmin, false},
	} {
		_, err := instruction.View(ctx, e.d, tc.by, in.ID)
		if (err == nil) != tc.want || err != nil && apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("%s: %v", tc.by.Username, err)
		}
	}
	// A leader named in it reads it even without the unit in scope.
	named := e.leader
	named.Grants = []auth.Grant{{Role: auth.Leader, UnitID: e.culture.ID, UnitPath: e.culture.Path}}
	if _, err := instruction.View(ctx, e.d, named, in.ID); err != nil {
		t.Errorf("named leader: %v", err)
	}
}

func TestAnswer_FirstAnswerDecidesOnTime(t *testing.T) {
	e := newEnv(t)
	in := e.write(e.leader, instruction.Input{Content: "请报送进展", Deadline: "2026-03-20", UnitIDs: ids(e.econ, e.village, e.culture)})

	// Who may not answer, and how they are refused.
	_, err := e.answer(e.chief, in.ID, e.econ, "领导代答")
	wantKind(t, "the chief answers", err, apperr.Forbidden)
	_, err = e.answer(e.viewer, in.ID, e.econ, "查看代答")
	wantKind(t, "a viewer answers", err, apperr.Forbidden)
	_, err = e.answer(e.otherStaff, in.ID, e.econ, "外镇")
	wantKind(t, "another town", err, apperr.NotFound)
	_, err = e.answer(e.econStaff, in.ID, e.village, "替村里答")
	wantKind(t, "econ answers for the village", err, apperr.Forbidden)
	_, err = e.answer(e.econStaff, in.ID, e.office, "党政办")
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["unit_id"] == "" {
		t.Errorf("a unit not addressed: %v", err)
	}
	_, err = e.answer(e.econStaff, in.ID, e.econ, "  ")
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["content"] != "请填写反馈内容" {
		t.Errorf("empty answer: %v", err)
	}

	// 经发办 answers on the 16th and again after the deadline: still on time.
	e.clock.Set(time.Date(2026, 3, 16, 10, 0, 0, 0, dbtest.Shanghai))
	got, err := e.answer(e.econStaff, in.ID, e.econ, "已召开协调会")
	if err != nil {
		t.Fatal(err)
	}
	first := got.Units[0].AnsweredAt
	e.clock.Set(time.Date(2026, 3, 24, 10, 0, 0, 0, dbtest.Shanghai))
	if got, err = e.answer(e.econStaff, in.ID, e.econ, "海域使用权证已办结"); err != nil {
		t.Fatal(err)
	}
	// The village answers late, entered by the supervision office from a paper reply.
	if got, err = e.answer(e.supervisor, in.ID, e.village, "村里已完成清表（纸质反馈代录）"); err != nil {
		t.Fatal(err)
	}
	if !got.Units[0].AnsweredAt.Equal(first) || len(got.AnswersOf(e.econ.ID)) != 2 || len(got.Answers) != 3 {
		t.Errorf("answers %+v, first %v", got.Answers, got.Units[0].AnsweredAt)
	}
	if a := got.AnswersOf(e.village.ID); len(a) != 1 || a[0].ByName != e.supervisor.Name || a[0].UnitName != "东岙村" {
		t.Errorf("village answers %+v", a)
	}
	st := map[int64]instruction.Standing{}
	for _, x := range got.Standings(worktime.Date(2026, 3, 24), worktime.New(nil)) {
		st[x.UnitID] = x
	}
	if st[e.econ.ID].State != instruction.OnTime || st[e.village.ID].State != instruction.Late ||
		st[e.culture.ID].State != instruction.Pending || st[e.culture.ID].Urgency != worktime.Overdue {
		t.Errorf("standings %+v", st)
	}
	rows, _ := audit.ForObject(context.Background(), e.d, "instruction", in.ID)
	if len(rows) != 4 || rows[3].Action != audit.InstructionAnswered || !strings.Contains(rows[3].Detail, "东岙村") {
		t.Errorf("audit %+v", rows)
	}
}

func TestClose(t *testing.T) {
	e := newEnv(t)
	in := e.write(e.leader, instruction.Input{Content: "请落实", Deadline: "2026-03-20", UnitIDs: ids(e.econ)})
	for _, by := range []auth.Actor{e.chief, e.econStaff, e.viewer} {
		_, err := e.close(by, in.ID, "")
		wantKind(t, by.Username+" closes", err, apperr.Forbidden)
	}
	_, err := e.close(e.leader, in.ID, strings.Repeat("长", 501))
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["close_note"] == "" {
		t.Errorf("long note: %v", err)
	}
	got, err := e.close(e.leader, in.ID, "问题已解决")
	if err != nil || got.Status != instruction.Closed || got.CloseNote != "问题已解决" || got.ClosedBy != e.leader.Name || got.ClosedAt.IsZero() {
		t.Fatalf("closed %+v %v", got, err)
	}
	_, err = e.close(e.leader, in.ID, "")
	wantKind(t, "closing twice", err, apperr.Conflict)
	_, err = e.answer(e.econStaff, in.ID, e.econ, "迟到的反馈")
	wantKind(t, "answering a closed one", err, apperr.Conflict)
	// The supervision office closes another's 批示 in its town.
	other := e.write(e.chief, instruction.Input{Content: "请报", Deadline: "2026-03-20", UnitIDs: ids(e.village)})
	if _, err := e.close(e.supervisor, other.ID, ""); err != nil {
		t.Errorf("supervisor closes: %v", err)
	}
}

func TestList_BoxesAndFilters(t *testing.T) {
	e := newEnv(t)
	// Written on the 1st with a deadline on the 10th (a paper 批示 entered late): overdue on the 15th.
	overdue := e.write(e.chief, instruction.Input{Content: "老码头片区低效用地处置", WrittenOn: "2026-03-01", Deadline: "2026-03-10", UnitIDs: ids(e.econ, e.village)})
	soon := e.write(e.leader, instruction.Input{Content: "养殖基地用海手续", Deadline: "2026-03-18", UnitIDs: ids(e.econ),
		TargetType: "project", TargetID: fmt.Sprint(e.project.ID)})
	villageOnly := e.write(e.leader, instruction.Input{Content: "村道硬化", Deadline: "2026-04-10", UnitIDs: ids(e.group)})
	closed := e.write(e.chief, instruction.Input{Content: "已落实的旧批示", Deadline: "2026-03-20", UnitIDs: ids(e.culture)})
	if _, err := e.close(e.chief, closed.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.answer(e.econStaff, overdue.ID, e.econ, "经发办已处理"); err != nil {
		t.Fatal(err)
	}
	list := func(by auth.Actor, f instruction.Filter) []int64 {
		t.Helper()
		got, total, err := instruction.List(context.Background(), e.d, by, f)
		if err != nil {
			t.Fatal(err)
		}
		if f.Limit == 0 && total != len(got) {
			t.Errorf("total %d for %d rows", total, len(got))
		}
		out := make([]int64, len(got))
		for i, x := range got {
			out[i] = x.ID
		}
		return out
	}
	same := func(what string, got []int64, want ...*instruction.Instruction) {
		t.Helper()
		ok := len(got) == len(want)
		for i := range want {
			ok = ok && got[i] == want[i].ID
		}
		if !ok {
			t.Errorf("%s: %v", what, got)
		}
	}
	// Open ones first, the nearest deadline first; the closed last.
	same("the chief's 全部", list(e.chief, instruction.Filter{}), overdue, soon, villageOnly, closed)
	same("the chief's 我写的", list(e.chief, instruction.Filter{Box: instruction.Mine}), overdue, closed)
	same("逾期", list(e.viewer, instruction.Filter{Box: instruction.Overdue}), overdue)
	// 经发办 has answered the overdue one; the village still owes it.
	same("经发办's 待我单位反馈", list(e.econStaff, instruction.Filter{Box: instruction.ToAnswer}), soon)
	same("the village's 待我单位反馈", list(e.villageStaff, instruction.Filter{Box: instruction.ToAnswer}), overdue, villageOnly)
	same("the supervisor's 待我单位反馈", list(e.supervisor, instruction.Filter{Box: instruction.ToAnswer}), overdue, soon, villageOnly)
	same("the chief answers for nobody", list(e.chief, instruction.Filter{Box: instruction.ToAnswer}))
	same("the village sees what reaches it", list(e.villageStaff, instruction.Filter{}), overdue, villageOnly)
	same("another town sees nothing", list(e.otherStaff, instruction.Filter{}))
	same("search", list(e.chief, instruction.Filter{Query: "用海"}), soon)
	same("search the target's name", list(e.chief, instruction.Filter{Query: "深海养殖"}), soon)
	same("by unit, with its subtree", list(e.chief, instruction.Filter{UnitID: e.village.ID}), overdue, villageOnly)
	same("closed", list(e.chief, instruction.Filter{Status: instruction.Closed}), closed)
	same("on projects", list(e.chief, instruction.Filter{TargetType: instruction.Project}), soon)
	same("a page", list(e.chief, instruction.Filter{Limit: 2, Offset: 1}), soon, villageOnly)
	if _, _, err := instruction.List(context.Background(), e.d, e.sysadmin, instruction.Filter{}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("sysadmin lists: %v", err)
	}

	// ListFor: the project's 批示, for its page.
	got, err := instruction.ListFor(context.Background(), e.d, e.econStaff, "project", e.project.ID)
	if err != nil || len(got) != 1 || got[0].ID != soon.ID || len(got[0].Units) != 1 {
		t.Errorf("ListFor: %+v %v", got, err)
	}
	if got, _ := instruction.ListFor(context.Background(), e.d, e.cultureStaff, "project", e.project.ID); len(got) != 0 {
		t.Errorf("ListFor outside the addressees' scope: %d", len(got))
	}
}

func TestEscalations(t *testing.T) {
	e := newEnv(t)
	// Written on the 2nd; by Mon 16 March the 4th (deadline) is 8 working days gone.
	long := e.write(e.chief, instruction.Input{Content: "严重逾期", WrittenOn: "2026-03-02", Deadline: "2026-03-04", UnitIDs: ids(e.econ)})
	late := e.write(e.chief, instruction.Input{Content: "逾期", WrittenOn: "2026-03-09", Deadline: "2026-03-13", UnitIDs: ids(e.village, e.econ)})
	soon := e.write(e.chief, instruction.Input{Content: "即将到期", Deadline: "2026-03-18", UnitIDs: ids(e.culture)})
	e.write(e.chief, instruction.Input{Content: "尚早", Deadline: "2026-04-30", UnitIDs: ids(e.culture)})
	done := e.write(e.chief, instruction.Input{Content: "已办结", WrittenOn: "2026-03-02", Deadline: "2026-03-04", UnitIDs: ids(e.culture)})
	if _, err := e.close(e.chief, done.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.answer(e.villageStaff, late.ID, e.village, "已反馈"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cal, err := worktime.Load(ctx, e.d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := instruction.Escalations(ctx, e.d, worktime.Date(2026, 3, 16), cal)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id      int64
		unit    string
		urgency worktime.Urgency
		leaders int
	}
	want := []row{{long.ID, "经发办", worktime.OverdueLong, 1}, {late.ID, "经发办", worktime.Overdue, 1},
		{soon.ID, "文旅办", worktime.DueSoon, 0}}
	if len(got) != 4 {
		t.Fatalf("escalations %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.InstructionID != w.id || g.UnitName != w.unit || g.Urgency != w.urgency || len(g.Leaders) != w.leaders {
			t.Errorf("row %d: %+v, want %+v", i, g, w)
		}
	}
	if got[0].Leaders[0].Name != "林志强" || got[3].Urgency != worktime.OnTrack || got[0].WriterName != e.chief.Name {
		t.Errorf("leaders %+v, last %+v", got[0].Leaders, got[3])
	}
}

func TestFacts_ForTheBulletin(t *testing.T) {
	e := newEnv(t)
	a := e.write(e.chief, instruction.Input{Content: "一", Deadline: "2026-03-20", UnitIDs: ids(e.econ, e.village)})
	e.write(e.chief, instruction.Input{Content: "二（下季度）", Deadline: "2026-04-20", UnitIDs: ids(e.econ)})
	if _, err := e.answer(e.econStaff, a.ID, e.econ, "按时"); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 3, 23, 9, 0, 0, 0, dbtest.Shanghai))
	if _, err := e.answer(e.villageStaff, a.ID, e.village, "逾期"); err != nil {
		t.Fatal(err)
	}
	facts, err := instruction.Facts(context.Background(), e.d, worktime.Date(2026, 1, 1), worktime.Date(2026, 3, 31))
	if err != nil || len(facts) != 2 {
		t.Fatalf("facts %+v %v", facts, err)
	}
	tally := instruction.Tally(facts, worktime.Date(2026, 3, 31))
	if len(tally) != 2 || tally[0].UnitName != "经发办" || tally[0].OnTime != 1 || tally[1].UnitName != "东岙村" || tally[1].Due != 1 || tally[1].OnTime != 0 {
		t.Errorf("tally %+v", tally)
	}
}
