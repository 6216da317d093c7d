package org_test

import (
	"fmt"
	"strings"
	"testing"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/org"
)

var sys = auth.SystemActor("test")

// env is a database with a town at its root.
type env struct {
	t    *testing.T
	d    *db.DB
	town *org.Unit
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, d: dbtest.New(t)}
	e.tx(func(tx *db.Tx) (err error) {
		e.town, err = org.CreateRoot(t.Context(), tx, sys, org.Town, "XX镇")
		return err
	})
	return e
}

// with is e reporting to t, for use inside a subtest.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// tx runs fn in a transaction and fails the test on error.
func (e *env) tx(fn func(tx *db.Tx) error) {
	e.t.Helper()
	if err := e.d.InTx(e.t.Context(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// try runs fn in a transaction and returns its error (the transaction rolls back on error).
func (e *env) try(fn func(tx *db.Tx) error) error {
	return e.d.InTx(e.t.Context(), fn)
}

func (e *env) unit(parent *org.Unit, kind org.Kind, name string) *org.Unit {
	e.t.Helper()
	var u *org.Unit
	e.tx(func(tx *db.Tx) (err error) {
		u, err = org.CreateUnit(e.t.Context(), tx, sys, org.UnitInput{ParentID: fmt.Sprint(parent.ID), Kind: string(kind), Name: name})
		return err
	})
	return u
}

func (e *env) person(u *org.Unit, name, phone, position string) *org.Person {
	e.t.Helper()
	var p *org.Person
	e.tx(func(tx *db.Tx) (err error) {
		p, err = org.CreatePerson(e.t.Context(), tx, sys, org.PersonInput{UnitID: fmt.Sprint(u.ID), Name: name, Phone: phone, Position: position})
		return err
	})
	return p
}

func (e *env) get(id int64) *org.Unit {
	e.t.Helper()
	u, err := org.GetUnit(e.t.Context(), e.d, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// tree renders the tree as "name@depth" in order.
func (e *env) tree(by auth.Actor, f org.TreeFilter) string {
	e.t.Helper()
	units, err := org.Tree(e.t.Context(), e.d, by, f)
	if err != nil {
		e.t.Fatal(err)
	}
	var parts []string
	for _, u := range units {
		parts = append(parts, fmt.Sprintf("%s@%d", u.Name, u.Depth))
	}
	return strings.Join(parts, " ")
}

func (e *env) actions(objectType string, id int64) []audit.Action {
	e.t.Helper()
	rows, err := audit.ForObject(e.t.Context(), e.d, objectType, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []audit.Action
	for _, r := range rows {
		out = append(out, r.Action)
	}
	return out
}

func fieldErr(t *testing.T, err error, field, want string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid {
		t.Fatalf("err = %v, want Invalid", err)
	}
	if got := ae.Fields[field]; got != want {
		t.Errorf("field %s = %q, want %q (all: %v)", field, got, want, ae.Fields)
	}
}

func wantKind(t *testing.T, err error, k apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != k {
		t.Errorf("err = %v (kind %v), want kind %v", err, apperr.KindOf(err), k)
	}
}

func TestCreateRoot_OnlyTheSystem(t *testing.T) {
	e := newEnv(t)
	if e.town.Path != fmt.Sprintf("/%d/", e.town.ID) || e.town.ParentID != 0 || e.town.Depth != 0 {
		t.Errorf("root = %+v", e.town)
	}
	admin := auth.Actor{UserID: 1, Grants: []auth.Grant{{Role: auth.SysAdmin, UnitID: e.town.ID, UnitPath: e.town.Path}}}
	err := e.try(func(tx *db.Tx) error {
		_, err := org.CreateRoot(t.Context(), tx, admin, org.Town, "YY镇")
		return err
	})
	wantKind(t, err, apperr.Forbidden)
}

func TestTree_OrderSearchAndScope(t *testing.T) {
	e := newEnv(t)
	office := e.unit(e.town, org.Office, "党政办")
	v1 := e.unit(e.town, org.Village, "东村")
	v2 := e.unit(e.town, org.Village, "西村")
	g1 := e.unit(v1, org.Group, "东村一组")
	e.unit(v1, org.Group, "东村二组")
	e.unit(office, org.Group, "督查室")
	e.person(v1, "张三", "", "")
	e.person(v1, "李四", "", "")

	if got, want := e.tree(sys, org.TreeFilter{}), "XX镇@0 党政办@1 督查室@2 东村@1 东村一组@2 东村二组@2 西村@1"; got != want {
		t.Errorf("tree = %s\nwant   %s", got, want)
	}
	units, _ := org.Tree(t.Context(), e.d, sys, org.TreeFilter{})
	for _, u := range units {
		if u.ID == v1.ID && (u.PeopleCount != 2 || u.ParentName != "XX镇") {
			t.Errorf("东村: people %d, parent %q", u.PeopleCount, u.ParentName)
		}
	}

	// Sort order, not creation order: move 西村 up twice.
	e.tx(func(tx *db.Tx) error { return org.ReorderUnit(t.Context(), tx, sys, v2.ID, true) })
	e.tx(func(tx *db.Tx) error { return org.ReorderUnit(t.Context(), tx, sys, v2.ID, true) })
	if got, want := e.tree(sys, org.TreeFilter{}), "XX镇@0 西村@1 党政办@1 督查室@2 东村@1 东村一组@2 东村二组@2"; got != want {
		t.Errorf("after reorder tree = %s\nwant   %s", got, want)
	}

	t.Run("search keeps ancestors", func(t *testing.T) {
		e := e.with(t)
		if got, want := e.tree(sys, org.TreeFilter{Query: "一组"}), "XX镇@0 东村@1 东村一组@2"; got != want {
			t.Errorf("search 一组 = %s, want %s", got, want)
		}
		if got, want := e.tree(sys, org.TreeFilter{Query: "  督查 "}), "XX镇@0 党政办@1 督查室@2"; got != want {
			t.Errorf("search 督查 = %s, want %s", got, want)
		}
		if got := e.tree(sys, org.TreeFilter{Query: "没有"}); got != "" {
			t.Errorf("search without match = %s", got)
		}
	})

	t.Run("scope starts at the granted unit", func(t *testing.T) {
		e := e.with(t)
		staff := auth.Actor{UserID: 5, Grants: []auth.Grant{{Role: auth.Staff, UnitID: v1.ID, UnitPath: v1.Path}}}
		if got, want := e.tree(staff, org.TreeFilter{}), "东村@0 东村一组@1 东村二组@1"; got != want {
			t.Errorf("staff tree = %s, want %s", got, want)
		}
		if got := e.tree(auth.Actor{UserID: 6}, org.TreeFilter{}); got != "" {
			t.Errorf("tree of an actor without grants = %s", got)
		}
		if _, err := org.ViewUnit(t.Context(), e.d, staff, v2.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("ViewUnit outside scope: %v, want NotFound", err)
		}
		if u, err := org.ViewUnit(t.Context(), e.d, staff, g1.ID); err != nil || u.Name != "东村一组" {
			t.Errorf("ViewUnit in scope: %v, %v", u, err)
		}
	})

	t.Run("disabled units hidden unless asked", func(t *testing.T) {
		e := e.with(t)
		e.tx(func(tx *db.Tx) error {
			_, err := org.SetUnitDisabled(t.Context(), tx, sys, g1.ID, true)
			return err
		})
		if got := e.tree(sys, org.TreeFilter{}); strings.Contains(got, "东村一组") {
			t.Errorf("disabled unit shown: %s", got)
		}
		if got := e.tree(sys, org.TreeFilter{IncludeDisabled: true}); !strings.Contains(got, "东村一组@2") {
			t.Errorf("disabled unit missing with IncludeDisabled: %s", got)
		}
	})

	anc, err := org.Ancestors(t.Context(), e.d, e.get(g1.ID))
	if err != nil || len(anc) != 2 || anc[0].ID != e.town.ID || anc[1].ID != v1.ID {
		t.Errorf("Ancestors = %v, %v", anc, err)
	}
}

func TestCreateUnit_Validation(t *testing.T) {
	e := newEnv(t)
	v := e.unit(e.town, org.Village, "东村")
	create := func(in org.UnitInput) error {
		return e.try(func(tx *db.Tx) error {
			_, err := org.CreateUnit(t.Context(), tx, sys, in)
			return err
		})
	}
	parent := fmt.Sprint(e.town.ID)
	fieldErr(t, create(org.UnitInput{ParentID: parent, Kind: "village", Name: "   "}), "name", "请填写单位名称")
	fieldErr(t, create(org.UnitInput{ParentID: parent, Kind: "village", Name: strings.Repeat("长", 41)}), "name", "单位名称不超过40个字")
	fieldErr(t, create(org.UnitInput{ParentID: parent, Kind: "village", Name: " 东村 "}), "name", "同一上级下已有同名单位")
	fieldErr(t, create(org.UnitInput{ParentID: parent, Kind: "planet", Name: "火星"}), "kind", "请选择单位类别")
	fieldErr(t, create(org.UnitInput{ParentID: "", Kind: "village", Name: "南村"}), "parent_id", "请选择上级单位")
	fieldErr(t, create(org.UnitInput{ParentID: "999", Kind: "village", Name: "南村"}), "parent_id", "上级单位不存在")
	fieldErr(t, create(org.UnitInput{ParentID: parent, Kind: "village", Name: "南村", Phone: "abc"}), "phone", "电话号码只能包含数字和“-”")
	fieldErr(t, create(org.UnitInput{ParentID: parent, Kind: "village", Name: "南村", Phone: "123"}), "phone", "电话号码位数不对，手机为11位，座机如 0631-1234567")

	// The same name under another parent is fine; the name is stored trimmed.
	g := e.unit(v, org.Group, " 东村 ")
	if g.Name != "东村" || g.Path != fmt.Sprintf("%s%d/", v.Path, g.ID) || g.Depth != 2 {
		t.Errorf("unit = %+v", g)
	}
	// A disabled parent takes no new units.
	e.tx(func(tx *db.Tx) error {
		if _, err := org.SetUnitDisabled(t.Context(), tx, sys, g.ID, true); err != nil {
			return err
		}
		_, err := org.SetUnitDisabled(t.Context(), tx, sys, v.ID, true)
		return err
	})
	fieldErr(t, create(org.UnitInput{ParentID: fmt.Sprint(v.ID), Kind: "group", Name: "二组"}), "parent_id", "上级单位已停用")
}

func TestUpdateUnit(t *testing.T) {
	e := newEnv(t)
	v := e.unit(e.town, org.Village, "东村")
	e.unit(e.town, org.Village, "西村")
	err := e.try(func(tx *db.Tx) error {
		_, err := org.UpdateUnit(t.Context(), tx, sys, v.ID, org.UnitInput{Kind: "village", Name: "西村"})
		return err
	})
	fieldErr(t, err, "name", "同一上级下已有同名单位")
	e.tx(func(tx *db.Tx) error {
		_, err := org.UpdateUnit(t.Context(), tx, sys, v.ID, org.UnitInput{Kind: "community", Name: "东村", Phone: "0631-1234567", Note: "改为社区"})
		return err
	})
	u := e.get(v.ID)
	if u.Kind != org.Community || u.Phone != "0631-1234567" || u.Note != "改为社区" {
		t.Errorf("updated = %+v", u)
	}
	rows, _ := audit.ForObject(t.Context(), e.d, "unit", v.ID)
	if len(rows) != 2 || rows[1].Action != audit.UnitUpdated {
		t.Fatalf("trail = %v", rows)
	}
	det := rows[1].Decoded()
	if !strings.Contains(string(det.Before), "村") || !strings.Contains(string(det.After), "社区") {
		t.Errorf("before/after = %s / %s", det.Before, det.After)
	}
}

func TestMoveUnit(t *testing.T) {
	e := newEnv(t)
	a := e.unit(e.town, org.Office, "经发办")
	a1 := e.unit(a, org.Group, "招商组")
	a1x := e.unit(a1, org.Group, "招商一队")
	b := e.unit(e.town, org.Office, "党政办")
	b1 := e.unit(b, org.Group, "一组")
	move := func(id, to int64) (*org.Unit, error) {
		var u *org.Unit
		err := e.try(func(tx *db.Tx) (err error) {
			u, err = org.MoveUnit(t.Context(), tx, sys, id, to)
			return err
		})
		return u, err
	}

	t.Run("refuses its own subtree", func(t *testing.T) {
		e := e.with(t)
		_, err := move(a.ID, a1x.ID)
		fieldErr(t, err, "parent_id", "不能移到自己或自己的下级单位之下")
		_, err = move(a.ID, a.ID)
		fieldErr(t, err, "parent_id", "不能移到自己或自己的下级单位之下")
		_, err = move(e.town.ID, a.ID)
		wantKind(t, err, apperr.Invalid)
	})

	t.Run("refuses a name taken under the new parent", func(t *testing.T) {
		e := e.with(t)
		clash := e.unit(a, org.Group, "一组")
		_, err := move(clash.ID, b.ID)
		fieldErr(t, err, "parent_id", "新的上级下已有同名单位")
		e.tx(func(tx *db.Tx) error { return org.DeleteUnit(t.Context(), tx, sys, clash.ID) })
	})

	t.Run("rewrites the whole subtree", func(t *testing.T) {
		e := e.with(t)
		u, err := move(a.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s%d/", b.Path, a.ID)
		if u.Path != want || u.ParentID != b.ID {
			t.Errorf("moved unit path %s parent %d, want %s parent %d", u.Path, u.ParentID, want, b.ID)
		}
		if got := e.get(a1.ID).Path; got != fmt.Sprintf("%s%d/", want, a1.ID) {
			t.Errorf("child path %s", got)
		}
		if got := e.get(a1x.ID).Path; got != fmt.Sprintf("%s%d/%d/", want, a1.ID, a1x.ID) {
			t.Errorf("grandchild path %s", got)
		}
		if got := e.get(b1.ID).Path; got != fmt.Sprintf("%s%d/", b.Path, b1.ID) {
			t.Errorf("untouched sibling path %s", got)
		}
		if got, want := e.tree(sys, org.TreeFilter{}), "XX镇@0 党政办@1 一组@2 经发办@2 招商组@3 招商一队@4"; got != want {
			t.Errorf("tree = %s\nwant   %s", got, want)
		}
		// Scope follows the move: a grant on 党政办 now covers 招商一队.
		grant := auth.Actor{UserID: 2, Grants: []auth.Grant{{Role: auth.Staff, UnitID: b.ID, UnitPath: b.Path}}}
		if _, err := org.ViewUnit(t.Context(), e.d, grant, a1x.ID); err != nil {
			t.Errorf("moved grandchild not in the new parent's scope: %v", err)
		}
	})

	if got := e.actions("unit", a.ID); fmt.Sprint(got) != "[unit.created unit.moved]" {
		t.Errorf("trail of the moved unit = %v", got)
	}
}

func TestReorderUnit_Swaps(t *testing.T) {
	e := newEnv(t)
	a := e.unit(e.town, org.Village, "甲村")
	b := e.unit(e.town, org.Village, "乙村")
	c := e.unit(e.town, org.Village, "丙村")
	order := func() string {
		kids, err := org.Children(t.Context(), e.d, e.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, k := range kids {
			names = append(names, k.Name)
		}
		return strings.Join(names, ",")
	}
	reorder := func(id int64, up bool) {
		e.tx(func(tx *db.Tx) error { return org.ReorderUnit(t.Context(), tx, sys, id, up) })
	}
	reorder(b.ID, true)
	if got := order(); got != "乙村,甲村,丙村" {
		t.Errorf("after 乙村 up: %s", got)
	}
	reorder(b.ID, false)
	if got := order(); got != "甲村,乙村,丙村" {
		t.Errorf("after 乙村 down: %s", got)
	}
	reorder(a.ID, true)  // already first
	reorder(c.ID, false) // already last
	if got := order(); got != "甲村,乙村,丙村" {
		t.Errorf("moving past the ends changed the order: %s", got)
	}
	if got := e.actions("unit", b.ID); fmt.Sprint(got) != "[unit.created unit.updated unit.updated]" {
		t.Errorf("trail = %v", got)
	}
}

func TestSetUnitDisabled(t *testing.T) {
	e := newEnv(t)
	v := e.unit(e.town, org.Village, "东村")
	g := e.unit(v, org.Group, "一组")
	set := func(id int64, disabled bool) error {
		return e.try(func(tx *db.Tx) error {
			_, err := org.SetUnitDisabled(t.Context(), tx, sys, id, disabled)
			return err
		})
	}
	err := set(v.ID, true)
	wantKind(t, err, apperr.Invalid)
	if err == nil || !strings.Contains(err.Error(), "1 个在用的下级单位") {
		t.Errorf("disabling with an enabled child: %v", err)
	}
	wantKind(t, set(e.town.ID, true), apperr.Invalid)
	if err := set(g.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := set(v.ID, true); err != nil {
		t.Fatalf("disabling once the children are disabled: %v", err)
	}
	err = set(g.ID, false)
	wantKind(t, err, apperr.Invalid)
	if err == nil || !strings.Contains(err.Error(), "上级单位“东村”已停用") {
		t.Errorf("enabling under a disabled parent: %v", err)
	}
	if err := set(v.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := set(g.ID, false); err != nil {
		t.Fatal(err)
	}
	if e.get(g.ID).Disabled || e.get(v.ID).Disabled {
		t.Error("units still disabled")
	}
	if got := e.actions("unit", v.ID); fmt.Sprint(got) != "[unit.created unit.disabled unit.enabled]" {
		t.Errorf("trail = %v", got)
	}
}

func TestDeleteUnit(t *testing.T) {
	e := newEnv(t)
	v := e.unit(e.town, org.Village, "东村")
	g := e.unit(v, org.Group, "一组")
	w := e.unit(e.town, org.Village, "西村")
	e.person(w, "王五", "", "")
	del := func(id int64) error {
		return e.try(func(tx *db.Tx) error { return org.DeleteUnit(t.Context(), tx, sys, id) })
	}
	wantKind(t, del(v.ID), apperr.Conflict)     // has a sub-unit
	wantKind(t, del(w.ID), apperr.Conflict)     // has a person
	wantKind(t, del(e.town.ID), apperr.Invalid) // the top unit stays
	wantKind(t, del(12345), apperr.NotFound)
	if err := del(g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := org.GetUnit(t.Context(), e.d, g.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("deleted unit: %v", err)
	}
	if got := e.actions("unit", g.ID); fmt.Sprint(got) != "[unit.created unit.deleted]" {
		t.Errorf("trail = %v", got)
	}
	if err := del(v.ID); err != nil {
		t.Errorf("deleting once the sub-unit is gone: %v", err)
	}
}

func TestPeople(t *testing.T) {
	e := newEnv(t)
	v := e.unit(e.town, org.Village, "东村")
	g := e.unit(v, org.Group, "一组")
	w := e.unit(e.town, org.Village, "西村")
	zhang := e.person(v, "张三", "138 0000 0001", "村支书")
	li := e.person(g, "李四", "13800000002", "组长")
	wang := e.person(w, "王五", "0631-1234567", "会计")

	t.Run("validation", func(t *testing.T) {
		e := e.with(t)
		create := func(in org.PersonInput) error {
			return e.try(func(tx *db.Tx) error {
				_, err := org.CreatePerson(t.Context(), tx, sys, in)
				return err
			})
		}
		unit := fmt.Sprint(v.ID)
		fieldErr(t, create(org.PersonInput{UnitID: unit, Name: " "}), "name", "请填写姓名")
		fieldErr(t, create(org.PersonInput{UnitID: unit, Name: strings.Repeat("名", 21)}), "name", "姓名不超过20个字")
		fieldErr(t, create(org.PersonInput{UnitID: "", Name: "赵六"}), "unit_id", "请选择所在单位")
		fieldErr(t, create(org.PersonInput{UnitID: "999", Name: "赵六"}), "unit_id", "所在单位不存在")
		fieldErr(t, create(org.PersonInput{UnitID: unit, Name: "赵六", Phone: "电话"}), "phone", "电话号码只能包含数字和“-”")
		fieldErr(t, create(org.PersonInput{UnitID: unit, Name: "赵六", Position: strings.Repeat("职", 31)}), "position", "职务不超过30个字")
	})

	list := func(t *testing.T, by auth.Actor, f org.PeopleFilter) string {
		t.Helper()
		ps, total, err := org.People(t.Context(), e.d, by, f)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		return fmt.Sprintf("%s/%d", strings.Join(names, ","), total)
	}

	t.Run("search", func(t *testing.T) {
		tests := []struct {
			name string
			by   auth.Actor
			f    org.PeopleFilter
			want string
		}{
			{"everyone, by unit path", sys, org.PeopleFilter{}, "张三,李四,王五/3"},
			{"by name", sys, org.PeopleFilter{Query: "李"}, "李四/1"},
			{"by phone", sys, org.PeopleFilter{Query: "0631"}, "王五/1"},
			{"by position", sys, org.PeopleFilter{Query: "支书"}, "张三/1"},
			{"percent is literal", sys, org.PeopleFilter{Query: "%"}, "/0"},
			{"unit subtree", sys, org.PeopleFilter{UnitID: v.ID}, "张三,李四/2"},
			{"page", sys, org.PeopleFilter{Limit: 1, Offset: 1}, "李四/3"},
			{"scope", auth.Actor{UserID: 3, Grants: []auth.Grant{{Role: auth.Viewer, UnitID: w.ID, UnitPath: w.Path}}}, org.PeopleFilter{}, "王五/1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := list(t, tt.by, tt.f); got != tt.want {
					t.Errorf("People = %s, want %s", got, tt.want)
				}
			})
		}
	})

	t.Run("update, move, disable, delete", func(t *testing.T) {
		e := e.with(t)
		e.tx(func(tx *db.Tx) error {
			_, err := org.UpdatePerson(t.Context(), tx, sys, li.ID, org.PersonInput{UnitID: fmt.Sprint(w.ID), Name: "李四", Phone: "13800000003", Position: "文书"})
			return err
		})
		p, err := org.GetPerson(t.Context(), e.d, li.ID)
		if err != nil || p.UnitID != w.ID || p.UnitName != "西村" || p.Phone != "13800000003" || p.Position != "文书" {
			t.Errorf("after update: %+v, %v", p, err)
		}
		e.tx(func(tx *db.Tx) error {
			_, err := org.SetPersonDisabled(t.Context(), tx, sys, wang.ID, true)
			return err
		})
		if got := list(t, sys, org.PeopleFilter{UnitID: w.ID}); got != "李四/1" {
			t.Errorf("disabled person listed: %s", got)
		}
		if got := list(t, sys, org.PeopleFilter{UnitID: w.ID, IncludeDisabled: true}); got != "李四,王五/2" { // same sort order: by id
			t.Errorf("with disabled: %s", got)
		}
		e.tx(func(tx *db.Tx) error { return org.DeletePerson(t.Context(), tx, sys, wang.ID) })
		if _, err := org.GetPerson(t.Context(), e.d, wang.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("deleted person: %v", err)
		}
		if got := e.actions("person", li.ID); fmt.Sprint(got) != "[person.created person.updated]" {
			t.Errorf("trail of 李四 = %v", got)
		}
		if got := e.actions("person", wang.ID); fmt.Sprint(got) != "[person.created person.disabled person.deleted]" {
			t.Errorf("trail of 王五 = %v", got)
		}
	})

	t.Run("view outside scope is not found", func(t *testing.T) {
		e := e.with(t)
		viewer := auth.Actor{UserID: 3, Grants: []auth.Grant{{Role: auth.Viewer, UnitID: w.ID, UnitPath: w.Path}}}
		if _, err := org.ViewPerson(t.Context(), e.d, viewer, zhang.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("ViewPerson outside scope: %v", err)
		}
	})
}

func TestLeaders(t *testing.T) {
	e := newEnv(t)
	committee := e.unit(e.town, org.Committee, "党政班子")
	v := e.unit(e.town, org.Village, "东村")
	g := e.unit(v, org.Group, "一组")
	w := e.unit(e.town, org.Village, "西村")
	secretary := e.person(committee, "王书记", "", "党委书记")
	deputy := e.person(committee, "刘镇长", "", "副镇长")
	other := e.person(committee, "陈委员", "", "委员")
	set := func(p *org.Person, ids ...int64) error {
		return e.try(func(tx *db.Tx) error {
			_, err := org.SetLeaderUnits(t.Context(), tx, sys, p.ID, ids)
			return err
		})
	}
	if err := set(secretary, e.town.ID); err != nil {
		t.Fatal(err)
	}
	if err := set(deputy, v.ID, v.ID, w.ID); err != nil { // the duplicate is ignored
		t.Fatal(err)
	}
	if err := set(other, w.ID); err != nil {
		t.Fatal(err)
	}
	leaders := func(unitID int64) string {
		t.Helper()
		ps, err := org.LeadersOf(t.Context(), e.d, unitID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		return strings.Join(names, ",")
	}
	if got := leaders(g.ID); got != "刘镇长,王书记" {
		t.Errorf("leaders of 一组 = %s, want the 分管 of 东村 first, then the town's", got)
	}
	if got := leaders(e.town.ID); got != "王书记" {
		t.Errorf("leaders of the town = %s", got)
	}
	if got := leaders(w.ID); got != "刘镇长,陈委员,王书记" {
		t.Errorf("leaders of 西村 = %s", got)
	}
	p, err := org.GetPerson(t.Context(), e.d, deputy.ID)
	if err != nil || len(p.LeaderUnits) != 2 {
		t.Errorf("刘镇长's units = %v, %v", p.LeaderUnits, err)
	}
	// Replacing the set; a disabled leader no longer counts.
	if err := set(deputy, w.ID); err != nil {
		t.Fatal(err)
	}
	if got := leaders(g.ID); got != "王书记" {
		t.Errorf("after replacing, leaders of 一组 = %s", got)
	}
	e.tx(func(tx *db.Tx) error {
		_, err := org.SetPersonDisabled(t.Context(), tx, sys, other.ID, true)
		return err
	})
	if got := leaders(w.ID); got != "刘镇长,王书记" {
		t.Errorf("with 陈委员 disabled, leaders of 西村 = %s", got)
	}
	// A leader with units cannot be deleted.
	wantKind(t, e.try(func(tx *db.Tx) error { return org.DeletePerson(t.Context(), tx, sys, deputy.ID) }), apperr.Conflict)
	wantKind(t, set(deputy, 9999), apperr.Invalid)
	if got := e.actions("person", deputy.ID); fmt.Sprint(got) != "[person.created person.leader_units person.leader_units]" {
		t.Errorf("trail = %v", got)
	}
}

func TestPermissions_SysadminOfAVillage(t *testing.T) {
	e := newEnv(t)
	v := e.unit(e.town, org.Village, "东村")
	w := e.unit(e.town, org.Village, "西村")
	wp := e.person(w, "王五", "", "")
	admin := auth.Actor{UserID: 1, Username: "vadmin", Grants: []auth.Grant{{Role: auth.SysAdmin, UnitID: v.ID, UnitPath: v.Path}}}
	staff := auth.Actor{UserID: 2, Username: "staff", Grants: []auth.Grant{{Role: auth.Staff, UnitID: e.town.ID, UnitPath: e.town.Path}}}
	create := func(by auth.Actor, parent *org.Unit, name string) (*org.Unit, error) {
		var u *org.Unit
		err := e.try(func(tx *db.Tx) (err error) {
			u, err = org.CreateUnit(t.Context(), tx, by, org.UnitInput{ParentID: fmt.Sprint(parent.ID), Kind: "group", Name: name})
			return err
		})
		return u, err
	}
	_, err := create(admin, e.town, "镇直组")
	wantKind(t, err, apperr.Forbidden)
	_, err = create(admin, w, "西村一组")
	wantKind(t, err, apperr.Forbidden)
	_, err = create(staff, v, "东村一组")
	wantKind(t, err, apperr.Forbidden)
	g, err := create(admin, v, "东村一组")
	if err != nil {
		t.Fatalf("create under own village: %v", err)
	}
	rows, err := audit.ForObject(t.Context(), e.d, "unit", g.ID)
	if err != nil || len(rows) != 1 || rows[0].Username != "vadmin" || rows[0].UserID != 1 {
		t.Errorf("audit of the new unit = %+v, %v", rows, err)
	}

	try := func(name string, fn func(tx *db.Tx) error) {
		t.Helper()
		if err := e.try(fn); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s: %v, want Forbidden", name, err)
		}
	}
	try("update another village", func(tx *db.Tx) error {
		_, err := org.UpdateUnit(t.Context(), tx, admin, w.ID, org.UnitInput{Kind: "village", Name: "改名"})
		return err
	})
	try("move own unit out", func(tx *db.Tx) error {
		_, err := org.MoveUnit(t.Context(), tx, admin, g.ID, w.ID)
		return err
	})
	try("disable another village", func(tx *db.Tx) error {
		_, err := org.SetUnitDisabled(t.Context(), tx, admin, w.ID, true)
		return err
	})
	try("delete another village", func(tx *db.Tx) error { return org.DeleteUnit(t.Context(), tx, admin, w.ID) })
	try("reorder another village", func(tx *db.Tx) error { return org.ReorderUnit(t.Context(), tx, admin, w.ID, true) })
	try("edit a person elsewhere", func(tx *db.Tx) error {
		_, err := org.UpdatePerson(t.Context(), tx, admin, wp.ID, org.PersonInput{UnitID: fmt.Sprint(w.ID), Name: "王五"})
		return err
	})
	try("move a person into an unmanaged unit", func(tx *db.Tx) error {
		p, err := org.CreatePerson(t.Context(), tx, admin, org.PersonInput{UnitID: fmt.Sprint(v.ID), Name: "赵六"})
		if err != nil {
			return err
		}
		_, err = org.UpdatePerson(t.Context(), tx, admin, p.ID, org.PersonInput{UnitID: fmt.Sprint(w.ID), Name: "赵六"})
		return err
	})
	try("add a person elsewhere", func(tx *db.Tx) error {
		_, err := org.CreatePerson(t.Context(), tx, admin, org.PersonInput{UnitID: fmt.Sprint(w.ID), Name: "赵六"})
		return err
	})
	try("give a leader an unmanaged unit", func(tx *db.Tx) error {
		p, err := org.CreatePerson(t.Context(), tx, admin, org.PersonInput{UnitID: fmt.Sprint(v.ID), Name: "赵六"})
		if err != nil {
			return err
		}
		_, err = org.SetLeaderUnits(t.Context(), tx, admin, p.ID, []int64{w.ID})
		return err
	})
	// Nothing of the refused attempts was kept.
	if _, total, _ := org.People(t.Context(), e.d, sys, org.PeopleFilter{Query: "赵六"}); total != 0 {
		t.Errorf("%d people 赵六 kept from refused transactions", total)
	}

	c, err := org.CountIn(t.Context(), e.d, admin)
	if err != nil || c.Units != 2 || c.Villages != 1 || c.People != 0 {
		t.Errorf("CountIn(village admin) = %+v, %v", c, err)
	}
	c, err = org.CountIn(t.Context(), e.d, sys)
	if err != nil || c.Units != 4 || c.Villages != 2 || c.People != 1 {
		t.Errorf("CountIn(system) = %+v, %v", c, err)
	}
}

func TestKinds_HaveLabels(t *testing.T) {
	for _, k := range org.Kinds {
		if !k.Valid() || k.Label() == string(k) {
			t.Errorf("kind %s: valid %v label %q", k, k.Valid(), k.Label())
		}
	}
	if org.Kind("planet").Valid() {
		t.Error("unknown kind valid")
	}
}

// People are listed in tree order: unit by unit as the tree shows them,
// not by the text of their paths (where "/1/11/" sorts before "/1/3/").
func TestPeople_ListedInTreeOrder(t *testing.T) {
	e := newEnv(t)
	var units []*org.Unit
	for i := range 11 {
		units = append(units, e.unit(e.town, org.Office, fmt.Sprintf("办%02d", i+1)))
	}
	e.person(units[10], "十一办的人", "", "")
	e.person(units[1], "二办的人", "", "")
	e.person(units[1], "二办的第二人", "", "")
	e.tx(func(tx *db.Tx) error { return org.ReorderUnit(t.Context(), tx, sys, units[10].ID, true) }) // 办11 before 办10
	list, total, err := org.People(t.Context(), e.d, sys, org.PeopleFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range list {
		names = append(names, p.Name)
	}
	if total != 3 || strings.Join(names, ",") != "二办的人,二办的第二人" {
		t.Errorf("first page = %v of %d", names, total)
	}
	list, _, _ = org.People(t.Context(), e.d, sys, org.PeopleFilter{Limit: 2, Offset: 2})
	if len(list) != 1 || list[0].Name != "十一办的人" {
		t.Errorf("second page = %v", list)
	}
}
