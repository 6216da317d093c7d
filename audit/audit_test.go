package audit_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/org"
)

var auditor = auth.Actor{UserID: 9, Username: "auditor", Grants: []auth.Grant{{Role: auth.Auditor, UnitID: 1, UnitPath: "/1/"}}}

// record writes n entries, each in its own transaction, by user "zhang".
func record(t *testing.T, d *db.DB, n int) {
	t.Helper()
	for i := range n {
		err := d.InTx(t.Context(), func(tx *db.Tx) error {
			return audit.Record(t.Context(), tx, audit.Entry{
				Actor:  auth.Actor{UserID: 7, Username: "zhang", IP: "10.0.0.7", RequestID: fmt.Sprintf("req-%d", i), Origin: "ui"},
				Action: audit.UnitUpdated, ObjectType: "unit", ObjectID: int64(100 + i), ObjectName: fmt.Sprintf("单位%d", i),
				Before: map[string]any{"名称": "旧"}, After: map[string]any{"名称": fmt.Sprintf("新%d", i)}, Note: "测试",
			})
		})
		if err != nil {
			t.Fatalf("Record %d: %v", i, err)
		}
	}
}

func verify(t *testing.T, d *db.DB) audit.Verification {
	t.Helper()
	v, err := audit.Verify(t.Context(), d)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return v
}

func all(t *testing.T, d *db.DB) []audit.Row {
	t.Helper()
	rows, total, err := audit.List(t.Context(), d, auditor, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(rows) {
		t.Fatalf("List total %d, rows %d", total, len(rows))
	}
	return rows
}

// dropGuards removes the append-only triggers, as someone with direct
// access to the database could; Verify must still catch what they do next.
func dropGuards(t *testing.T, d *db.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if d.Dialect() == db.Postgres {
		stmts = []string{`DROP TRIGGER audit_log_guard ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := d.Exec(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestRecord_BuildsAChainThatVerifies(t *testing.T) {
	d := dbtest.New(t)
	if v := verify(t, d); !v.OK || v.Checked != 0 {
		t.Errorf("empty trail: %+v", v)
	}
	record(t, d, 3)
	rows := all(t, d) // newest first
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	oldest := rows[2]
	if oldest.ID != 1 || oldest.PrevHash != "" || len(oldest.Hash) != 64 {
		t.Errorf("first row: id %d prev %q hash %q", oldest.ID, oldest.PrevHash, oldest.Hash)
	}
	for i := 0; i < 2; i++ {
		if rows[i].PrevHash != rows[i+1].Hash {
			t.Errorf("row %d prev_hash %q is not row %d's hash %q", rows[i].ID, rows[i].PrevHash, rows[i+1].ID, rows[i+1].Hash)
		}
	}
	r := rows[0]
	if r.Username != "zhang" || r.UserID != 7 || r.ClientIP != "10.0.0.7" || r.Origin != "ui" || r.Outcome != "success" ||
		r.ObjectID != 102 || r.ObjectName != "单位2" || !r.At.Equal(dbtest.Now) {
		t.Errorf("row = %+v", r)
	}
	det := r.Decoded()
	if det.Note != "测试" || !strings.Contains(string(det.After), "新2") || !strings.Contains(string(det.Before), "旧") {
		t.Errorf("detail = %s", r.Detail)
	}
	if v := verify(t, d); !v.OK || v.Checked != 3 {
		t.Errorf("Verify = %+v, want OK over 3 rows", v)
	}
}

// With a real clock, tx.Now() has nanoseconds while the stored text keeps
// microseconds; the chain must still verify.
func TestRecord_VerifiesWithASubMicrosecondClock(t *testing.T) {
	d := dbtest.New(t)
	d.Clock = func() time.Time { return dbtest.Now.Add(123456789 * time.Nanosecond) }
	record(t, d, 2)
	if v := verify(t, d); !v.OK {
		t.Errorf("Verify = %+v: a chain written at a time with nanoseconds does not verify", v)
	}
}

func TestGuards_RefuseUpdateAndDelete(t *testing.T) {
	d := dbtest.New(t)
	record(t, d, 3)
	for _, stmt := range []string{
		`UPDATE audit_log SET detail = 'x' WHERE id = 2`,
		`DELETE FROM audit_log WHERE id = 2`,
		`DELETE FROM audit_log`,
	} {
		_, err := d.Exec(t.Context(), stmt)
		if err == nil {
			t.Errorf("%s succeeded", stmt)
			continue
		}
		if !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the trigger's append-only error", stmt, err)
		}
	}
	if v := verify(t, d); !v.OK || v.Checked != 3 {
		t.Errorf("after refused tampering Verify = %+v", v)
	}
}

func TestVerify_NamesTheTamperedRow(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string
		badID   int64
		problem string
	}{
		{"altered detail", `UPDATE audit_log SET detail = '{"note":"改过"}' WHERE id = 3`, 3, "被修改"},
		{"altered actor", `UPDATE audit_log SET username = 'li' WHERE id = 2`, 2, "被修改"},
		{"hash replaced", `UPDATE audit_log SET hash = 'abc' WHERE id = 3`, 3, ""},
		{"middle row deleted", `DELETE FROM audit_log WHERE id = 3`, 3, "缺失"},
		{"first row deleted", `DELETE FROM audit_log WHERE id = 1`, 1, "缺失"},
		{"newest row deleted", `DELETE FROM audit_log WHERE id = 5`, 5, "缺失"},
		{"two newest rows deleted", `DELETE FROM audit_log WHERE id >= 4`, 4, "缺失"},
		{"row appended behind the trail's back", `INSERT INTO audit_log (id, at, action, prev_hash, hash)
			SELECT 6, at, action, hash, 'x' FROM audit_log WHERE id = 5`, 6, "被修改"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dbtest.New(t)
			record(t, d, 5)
			dropGuards(t, d)
			if _, err := d.Exec(t.Context(), tt.tamper); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			v := verify(t, d)
			if v.OK {
				t.Fatalf("Verify = OK after %s", tt.name)
			}
			if v.BadID != tt.badID {
				t.Errorf("BadID = %d, want %d (%s)", v.BadID, tt.badID, v.Problem)
			}
			if !strings.Contains(v.Problem, tt.problem) || !strings.Contains(v.Problem, fmt.Sprint(tt.badID)) {
				t.Errorf("Problem = %q, want it to name row %d and say %q", v.Problem, tt.badID, tt.problem)
			}
		})
	}
}

func TestPurge_RefusesBelowTheLegalMinimum(t *testing.T) {
	d := dbtest.New(t)
	record(t, d, 2)
	sys := auth.SystemActor("test")
	err := d.InTx(t.Context(), func(tx *db.Tx) error {
		_, err := audit.Purge(t.Context(), tx, sys, audit.MinRetentionDays-1)
		return err
	})
	if err == nil {
		t.Fatal("Purge with 183 days succeeded")
	}
	var n int64
	err = d.InTx(t.Context(), func(tx *db.Tx) error {
		n, err = audit.Purge(t.Context(), tx, sys, audit.MinRetentionDays)
		return err
	})
	if err != nil || n != 0 {
		t.Errorf("Purge(184) with nothing old = %d, %v", n, err)
	}
	if got := len(all(t, d)); got != 2 {
		t.Errorf("%d rows after purges, want 2", got)
	}
}

func TestPurge_RemovesOldRowsAndKeepsTheChain(t *testing.T) {
	d := dbtest.New(t)
	clock := dbtest.NewClock(dbtest.Now)
	d.Clock = clock.Now
	record(t, d, 3) // ids 1–3, old by the time of the purge
	clock.Advance(400 * 24 * time.Hour)
	record(t, d, 2) // ids 4–5

	var n int64
	err := d.InTx(t.Context(), func(tx *db.Tx) (err error) {
		n, err = audit.Purge(t.Context(), tx, auth.SystemActor("job"), 365)
		return err
	})
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if n != 3 {
		t.Errorf("Purge removed %d rows, want 3", n)
	}
	rows := all(t, d)
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	if fmt.Sprint(ids) != "[6 5 4]" {
		t.Fatalf("ids after purge = %v, want [6 5 4]", ids)
	}
	if p := rows[0]; p.Action != audit.AuditPurged || p.Username != "system" || !strings.Contains(p.Decoded().Note, "365") {
		t.Errorf("purge record = %+v", p)
	}
	if v := verify(t, d); !v.OK || v.Checked != 3 {
		t.Errorf("Verify after purge = %+v, want OK over 3 rows", v)
	}
	// The chain goes on after the purge.
	record(t, d, 1)
	if v := verify(t, d); !v.OK || v.Checked != 4 {
		t.Errorf("Verify after a new record = %+v", v)
	}
	// A kept row still cannot be deleted: the mark only covers purged ids.
	if _, err := d.Exec(t.Context(), `DELETE FROM audit_log WHERE id = 4`); err == nil {
		t.Error("deleting a kept row after a purge succeeded")
	}
	// Deleting the first kept row behind the purge's back is named.
	dropGuards(t, d)
	if _, err := d.Exec(t.Context(), `DELETE FROM audit_log WHERE id = 4`); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, d); v.OK || v.BadID != 4 {
		t.Errorf("Verify after deleting row 4 = %+v", v)
	}
}

func TestRecordFailure_RollsBackTheChange(t *testing.T) {
	newTown := func(t *testing.T) (*db.DB, *org.Unit) {
		d := dbtest.New(t)
		var town *org.Unit
		err := d.InTx(t.Context(), func(tx *db.Tx) (err error) {
			town, err = org.CreateRoot(t.Context(), tx, auth.SystemActor("test"), org.Town, "XX镇")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return d, town
	}
	childCount := func(t *testing.T, d *db.DB, town *org.Unit) int {
		kids, err := org.Children(t.Context(), d, town.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(kids)
	}
	sys := auth.SystemActor("test")

	t.Run("an unencodable value", func(t *testing.T) {
		d, town := newTown(t)
		before := len(all(t, d))
		err := d.InTx(t.Context(), func(tx *db.Tx) error {
			if _, err := org.CreateUnit(t.Context(), tx, sys, org.UnitInput{ParentID: fmt.Sprint(town.ID), Kind: "village", Name: "一村"}); err != nil {
				return err
			}
			return audit.Record(t.Context(), tx, audit.Entry{Actor: sys, Action: audit.UnitUpdated, After: make(chan int)})
		})
		if err == nil {
			t.Fatal("Record of a channel succeeded")
		}
		if n := childCount(t, d, town); n != 0 {
			t.Errorf("the unit was kept (%d children) although its audit write failed", n)
		}
		if got := len(all(t, d)); got != before {
			t.Errorf("%d audit rows, want %d", got, before)
		}
		if v := verify(t, d); !v.OK {
			t.Errorf("Verify = %+v", v)
		}
	})

	t.Run("the audit head is gone", func(t *testing.T) {
		d, town := newTown(t)
		if _, err := d.Exec(t.Context(), `DROP TABLE audit_head`); err != nil {
			t.Fatal(err)
		}
		err := d.InTx(t.Context(), func(tx *db.Tx) error {
			_, err := org.CreateUnit(t.Context(), tx, sys, org.UnitInput{ParentID: fmt.Sprint(town.ID), Kind: "village", Name: "一村"})
			return err
		})
		if err == nil {
			t.Fatal("CreateUnit succeeded without an audit trail")
		}
		if n := childCount(t, d, town); n != 0 {
			t.Errorf("the unit was kept (%d children) although its audit write failed", n)
		}
	})
}

func TestList_FiltersAndPermission(t *testing.T) {
	d := dbtest.New(t)
	clock := dbtest.NewClock(dbtest.Now)
	d.Clock = clock.Now
	record(t, d, 3)
	clock.Advance(24 * time.Hour)
	err := d.InTx(t.Context(), func(tx *db.Tx) error {
		return audit.Record(t.Context(), tx, audit.Entry{Actor: auth.Actor{UserID: 8, Username: "li_si"}, Action: audit.LoginFailed,
			ObjectType: "user", ObjectID: 8, ObjectName: "li_si", Outcome: audit.Failure})
	})
	if err != nil {
		t.Fatal(err)
	}

	if _, _, err := audit.List(t.Context(), d, auth.Actor{UserID: 1, Grants: []auth.Grant{{Role: auth.SysAdmin, UnitPath: "/1/"}}}, audit.Filter{}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("List by a sysadmin: %v, want Forbidden", err)
	}
	tests := []struct {
		name  string
		f     audit.Filter
		total int
		ids   string
	}{
		{"all, newest first", audit.Filter{}, 4, "[4 3 2 1]"},
		{"by user prefix, case-folded", audit.Filter{User: "ZH"}, 3, "[3 2 1]"},
		{"underscore is literal", audit.Filter{User: "li_"}, 1, "[4]"},
		{"by action", audit.Filter{Action: audit.LoginFailed}, 1, "[4]"},
		{"by outcome", audit.Filter{Outcome: audit.Failure}, 1, "[4]"},
		{"by object", audit.Filter{ObjectType: "unit", ObjectID: 101}, 1, "[2]"},
		{"from (inclusive)", audit.Filter{From: dbtest.Now.Add(time.Hour)}, 1, "[4]"},
		{"to (exclusive)", audit.Filter{To: dbtest.Now.Add(24 * time.Hour)}, 3, "[3 2 1]"},
		{"page", audit.Filter{Limit: 2, Offset: 1}, 4, "[3 2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, total, err := audit.List(t.Context(), d, auditor, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			if total != tt.total || fmt.Sprint(ids) != tt.ids {
				t.Errorf("List = %v (total %d), want %s (total %d)", ids, total, tt.ids, tt.total)
			}
		})
	}
	hist, err := audit.ForObject(t.Context(), d, "user", 8)
	if err != nil || len(hist) != 1 || hist[0].Action != audit.LoginFailed {
		t.Errorf("ForObject = %v, %v", hist, err)
	}
}

func TestActions_HaveLabels(t *testing.T) {
	acts := audit.Actions()
	if len(acts) == 0 {
		t.Fatal("no actions")
	}
	for i, a := range acts {
		if a.Label() == string(a) {
			t.Errorf("%s has no label", a)
		}
		if i > 0 && acts[i-1] >= a {
			t.Errorf("Actions not sorted at %s", a)
		}
	}
	if audit.Action("x.y").Label() != "x.y" {
		t.Error("unknown action label")
	}
}
