package meeting_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/meeting"
	"guatu/org"
	"guatu/problem"
)

var sys = auth.SystemActor("test")

func TestMeeting_CreateAttendDecideAssign(t *testing.T) {
	d := dbtest.New(t) // the clock: 2026-03-15 09:00 Shanghai
	ctx := context.Background()
	var town, econ, other *org.Unit
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if town, err = org.CreateRoot(ctx, tx, sys, org.Town, "XX镇"); err != nil {
			return err
		}
		if other, err = org.CreateRoot(ctx, tx, sys, org.Town, "YY镇"); err != nil {
			return err
		}
		econ, err = org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(town.ID), Kind: string(org.Office), Name: "经发办"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	on := func(role auth.Role, u *org.Unit) auth.Actor {
		return auth.Actor{UserID: 7, Name: role.Label(), Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path}}}
	}
	office, staff, stranger := on(auth.Supervisor, town), on(auth.Staff, econ), on(auth.Supervisor, other)
	try := func(fn func(tx *db.Tx) error) error { return d.InTx(ctx, fn) }

	// Only the office creates; the meeting belongs to its town and gets a default title.
	if err := try(func(tx *db.Tx) error {
		_, err := meeting.Create(ctx, tx, staff, meeting.Input{Period: "2026-03", HeldOn: "2026-03-28"})
		return err
	}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("staff creating: %v", err)
	}
	var m *meeting.Meeting
	if err := try(func(tx *db.Tx) error {
		var err error
		m, err = meeting.Create(ctx, tx, office, meeting.Input{Period: "2026-03", HeldOn: "2026-03-28"})
		return err
	}); err != nil || m.UnitID != town.ID || m.Title != "2026年3月重点项目调度会" {
		t.Fatalf("create: %+v %v", m, err)
	}
	if _, err := meeting.View(ctx, d, stranger, m.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("another town reads the meeting: %v", err)
	}

	// Attendance: blank lines skipped, a wrong presence named.
	err = try(func(tx *db.Tx) error {
		return meeting.SetAttendance(ctx, tx, office, m.ID, []meeting.AttendeeInput{{Name: "王书记"}, {Name: ""}, {Name: "李明", Status: "maybe"}})
	})
	if apperr.FieldsOf(err)["attendees.2.status"] == "" {
		t.Errorf("bad presence: %v", err)
	}
	if err := try(func(tx *db.Tx) error {
		return meeting.SetAttendance(ctx, tx, office, m.ID, []meeting.AttendeeInput{{Name: "王书记"}, {Name: ""}, {Name: "李明", Status: "leave"}})
	}); err != nil {
		t.Fatal(err)
	}

	// A 交办 needs a unit and a deadline not already past; both saved or neither.
	decide := func(in meeting.DecisionInput) (meeting.Decision, error) {
		var dd meeting.Decision
		err := try(func(tx *db.Tx) error {
			var err error
			dd, err = meeting.AddDecision(ctx, tx, office, m.ID, in)
			return err
		})
		return dd, err
	}
	_, err = decide(meeting.DecisionInput{Text: "协调供电增容", Assign: true, Title: "供电增容", Due: "2026-03-10"})
	if f := apperr.FieldsOf(err); f["unit_id"] == "" || f["due"] == "" {
		t.Errorf("交办 without unit, due in the past: %v", err)
	}
	dec, err := decide(meeting.DecisionInput{Text: "两周内协调供电增容", Assign: true, Title: "供电增容", UnitID: fmt.Sprint(econ.ID), Due: "2026-03-31"})
	if err != nil || dec.ProblemID == 0 {
		t.Fatalf("交办: %+v %v", dec, err)
	}
	p, err := problem.Get(ctx, d, dec.ProblemID)
	if err != nil || p.UnitID != econ.ID || p.Source != problem.FromMeeting || p.SourceID != m.ID || !p.Deadline.Equal(time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)) || !p.Assigned {
		t.Errorf("the problem: %+v %v", p, err)
	}
	plain, err := decide(meeting.DecisionInput{Text: "下月专题汇报"})
	if err != nil {
		t.Fatal(err)
	}

	// A decision recorded by mistake can go; one that gave work cannot.
	if err := try(func(tx *db.Tx) error { return meeting.DeleteDecision(ctx, tx, office, m.ID, dec.ID) }); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("deleting a 交办: %v", err)
	}
	if err := try(func(tx *db.Tx) error { return meeting.DeleteDecision(ctx, tx, office, m.ID, plain.ID) }); err != nil {
		t.Errorf("deleting a plain decision: %v", err)
	}
	got, err := meeting.Get(ctx, d, m.ID)
	if err != nil || len(got.Attendees) != 2 || got.Attendees[1].Status != meeting.Leave || len(got.Decisions) != 1 {
		t.Errorf("stored: %+v %v", got, err)
	}
}
