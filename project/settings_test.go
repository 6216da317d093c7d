package project_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"guatu/apperr"
	"guatu/audit"
	"guatu/db"
	"guatu/project"
)

func TestRules_StoredValidatedAndAudited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if r, err := project.LoadRules(ctx, e.d); err != nil || r != project.DefaultRules() {
		t.Fatalf("fresh rules = %+v, %v; want the defaults", r, err)
	}
	in := project.DefaultRules().Form()
	in["due_soon_days"] = "10"
	in["yellow_invest_gap"] = "7.5"

	err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := project.SaveRules(ctx, tx, e.staff, in)
		return err
	})
	wantKind(t, err, apperr.Forbidden)

	e.tx(func(ctx context.Context, tx *db.Tx) error {
		_, err := project.SaveRules(ctx, tx, e.chief, in)
		return err
	})
	r, err := project.LoadRules(ctx, e.d)
	if err != nil {
		t.Fatal(err)
	}
	if r.DueSoonDays != 10 || r.YellowInvestGap != 7.5 || r.RedInvestGap != 20 {
		t.Errorf("stored rules = %+v", r)
	}
	rows, _, err := audit.List(ctx, e.d, sys, audit.Filter{Action: audit.SettingsChanged})
	if err != nil || len(rows) != 1 {
		t.Fatalf("audit rows = %d, %v; want one", len(rows), err)
	}

	bad := project.DefaultRules().Form()
	bad["due_soon_days"] = "2.5"
	bad["stall_days"] = "5"
	bad["red_invest_gap"] = "5" // below yellow's 10
	err = e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := project.SaveRules(ctx, tx, e.chief, bad)
		return err
	})
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid {
		t.Fatalf("bad rules: err = %v", err)
	}
	for _, k := range []string{"due_soon_days", "stall_days"} {
		if ae.Fields[k] == "" {
			t.Errorf("no message for %s: %v", k, ae.Fields)
		}
	}
	bad = project.DefaultRules().Form()
	bad["red_invest_gap"] = "10"
	err = e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := project.SaveRules(ctx, tx, e.chief, bad)
		return err
	})
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["red_invest_gap"] == "" {
		t.Errorf("red gap equal to yellow gap accepted: %v", err)
	}
	if again, _ := project.LoadRules(ctx, e.d); again != r {
		t.Errorf("a refused save changed the rules: %+v", again)
	}
}

func TestRules_ChangeTheLight(t *testing.T) {
	today := project.Day(2026, 3, 15)
	// Overdue by 20 days: yellow under the default 30-day limit, red under a 14-day one.
	late := project.Facts{Stage: project.Started, Milestones: []project.Milestone{{Name: "施工许可", Planned: project.Day(2026, 2, 23)}}}
	// Due in 10 days: pending under the default 7-day window, due soon under a 14-day one.
	soon := project.Milestone{Name: "主体完工", Planned: project.Day(2026, 3, 25)}
	r := project.DefaultRules()
	if l, _ := project.Judge(late, today, r); l != project.Yellow {
		t.Errorf("default limit: light %s, want yellow", l)
	}
	if st, _ := soon.Status(today, r); st != project.Pending {
		t.Errorf("default window: status %s, want pending", st)
	}
	r.RedOverdueDays, r.DueSoonDays = 14, 14
	if l, _ := project.Judge(late, today, r); l != project.Red {
		t.Errorf("14-day limit: light %s, want red", l)
	}
	if st, _ := soon.Status(today, r); st != project.DueSoon {
		t.Errorf("14-day window: status %s, want due soon", st)
	}
}

func TestCategories_AddRenameDisableMove(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var c project.Category
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		c, err = project.AddCategory(ctx, tx, e.chief, " 数字经济 ")
		return err
	})
	if c.Name != "数字经济" {
		t.Errorf("name = %q", c.Name)
	}
	err := e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := project.AddCategory(ctx, tx, e.chief, "海洋经济")
		return err
	})
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["name"] == "" {
		t.Errorf("duplicate name: err = %v, want a field message", err)
	}
	err = e.try(func(ctx context.Context, tx *db.Tx) error {
		_, err := project.AddCategory(ctx, tx, e.staff, "别的")
		return err
	})
	wantKind(t, err, apperr.Forbidden)

	// The new category is last; moving it up puts it before 其他.
	names := func() []string {
		cs, err := project.Categories(ctx, e.d)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	if n := names(); n[len(n)-1] != "数字经济" {
		t.Fatalf("order = %v", n)
	}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		return project.MoveListEntry(ctx, tx, e.chief, "project_categories", c.ID, true)
	})
	if n := names(); n[len(n)-2] != "数字经济" || n[len(n)-1] != "其他" {
		t.Errorf("after moving up: %v", n)
	}

	// A project keeps a category that is later disabled, and can still be saved with it.
	in := e.input("数字乡村平台")
	in.CategoryID = fmt.Sprint(c.ID)
	p, err := e.create(e.staff, in)
	if err != nil {
		t.Fatal(err)
	}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		return project.UpdateCategory(ctx, tx, e.chief, c.ID, "数字经济", true)
	})
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		_, err := project.Update(ctx, tx, e.staff, p.ID, project.InputOf(p, 2026))
		return err
	})
	if _, err := e.create(e.staff, in); err == nil {
		t.Error("a new project was given a disabled category")
	}
	use, err := project.CategoryUse(ctx, e.d)
	if err != nil || use[c.ID] != 1 {
		t.Errorf("use = %v, %v", use, err)
	}
}

func TestNodeTemplates_SaveAndDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var tpl project.NodeTemplate
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		var err error
		tpl, err = project.SaveNodeTemplate(ctx, tx, e.chief, 0, "招商项目", "签约\n\n  供地 \r\n开工、投产")
		return err
	})
	if want := []string{"签约", "供地", "开工", "投产"}; !slices.Equal(tpl.Nodes, want) {
		t.Errorf("nodes = %q, want %q", tpl.Nodes, want)
	}
	for _, bad := range []string{"", "签约\n签约"} {
		err := e.try(func(ctx context.Context, tx *db.Tx) error {
			_, err := project.SaveNodeTemplate(ctx, tx, e.chief, tpl.ID, "招商项目", bad)
			return err
		})
		if ae, _ := apperr.As(err); ae == nil || ae.Fields["nodes"] == "" {
			t.Errorf("nodes %q: err = %v, want a message on nodes", bad, err)
		}
	}
	e.tx(func(ctx context.Context, tx *db.Tx) error {
		return project.DeleteNodeTemplate(ctx, tx, e.chief, tpl.ID)
	})
	ts, err := project.NodeTemplates(ctx, e.d)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.ID == tpl.ID {
			t.Error("template still listed after delete")
		}
	}
	err = e.try(func(ctx context.Context, tx *db.Tx) error {
		return project.DeleteNodeTemplate(ctx, tx, e.chief, tpl.ID)
	})
	wantKind(t, err, apperr.NotFound)
}
