package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/project"
	"guatu/web/webtest"
)

// growOrg adds towns × (offices + villages with groups) × people under the
// environment's county-less root, to measure pages at town and county scale.
func growOrg(b *testing.B, env *webtest.Env, towns, unitsPerTown, peoplePerUnit int) {
	b.Helper()
	sys := auth.SystemActor("bench")
	env.Tx(b, func(ctx context.Context, tx *db.Tx) error {
		for t := range towns {
			parent := env.Units.Town
			if towns > 1 {
				var err error
				parent, err = org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(env.Units.Town.ID), Kind: "town", Name: fmt.Sprintf("第%d镇", t+1)})
				if err != nil {
					return err
				}
			}
			for u := range unitsPerTown {
				kind := "office"
				if u%2 == 1 {
					kind = "village"
				}
				unit, err := org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(parent.ID), Kind: kind, Name: fmt.Sprintf("单位%d-%d", t+1, u+1)})
				if err != nil {
					return err
				}
				for p := range peoplePerUnit {
					if _, err := org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(unit.ID), Name: fmt.Sprintf("人员%d", p+1), Position: "经办人"}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func benchPage(b *testing.B, towns, units, people int, path string) {
	env := webtest.New(b)
	growOrg(b, env, towns, units, people)
	c := env.Login(b, "chief")
	b.ResetTimer()
	for b.Loop() {
		if res := c.Get(b, path); res.Status != http.StatusOK {
			b.Fatalf("GET %s = %d", path, res.Status)
		}
	}
}

// A town: about 40 units and 120 people.
func BenchmarkOrgTree_Town(b *testing.B)   { benchPage(b, 1, 40, 3, "/org") }
func BenchmarkPeople_Town(b *testing.B)    { benchPage(b, 1, 40, 3, "/org/people") }
func BenchmarkHome_Town(b *testing.B)      { benchPage(b, 1, 40, 3, "/") }
func BenchmarkOrgTree_County(b *testing.B) { benchPage(b, 30, 40, 3, "/org") } // 1,200 units, 3,600 people
func BenchmarkPeople_County(b *testing.B)  { benchPage(b, 30, 40, 3, "/org/people?q=人员1") }

// BenchmarkLogin is one visit of the sign-in form and its submission:
// dominated by argon2id (19 MiB, 2 passes).
func BenchmarkLogin(b *testing.B) {
	env := webtest.New(b)
	b.ResetTimer()
	for b.Loop() {
		c := env.Anonymous(b)
		form := url.Values{"username": {"chief"}, "password": {webtest.Password}}
		if res := c.PostForm(b, "/login", form); res.Status != http.StatusSeeOther {
			b.Fatalf("login = %d: %s", res.Status, res.Text())
		}
	}
}

// seedProjects adds n 实施库 projects with ten milestones each under 经发办.
func seedProjects(b *testing.B, env *webtest.Env, n int) {
	b.Helper()
	sys := auth.SystemActor("bench")
	env.Tx(b, func(ctx context.Context, tx *db.Tx) error {
		for i := range n {
			in := project.Input{Name: fmt.Sprintf("重点项目%04d", i), CategoryID: fmt.Sprint(i%8 + 1), Tier: "active",
				UnitID: fmt.Sprint(env.Units.Econ.ID), LeaderID: fmt.Sprint(env.Leader.ID), TotalInvest: "12000",
				PlanYear: "2026", PlanInvest: "3000", PlannedStart: "2026-02-01", PlannedOperating: "2026-12-20"}
			for m := range 10 {
				ms := project.MilestoneInput{Name: fmt.Sprintf("节点%d", m+1), Planned: fmt.Sprintf("2026-%02d-15", m+2)}
				if m < 1 {
					ms.Actual = "2026-02-14"
				}
				in.Milestones = append(in.Milestones, ms)
			}
			if _, err := project.Create(ctx, tx, sys, in); err != nil {
				return err
			}
		}
		return nil
	})
}

func benchProjects(b *testing.B, n int, path string) {
	env := webtest.New(b)
	seedProjects(b, env, n)
	c := env.Login(b, "chief")
	b.ResetTimer()
	for b.Loop() {
		if res := c.Get(b, path); res.Status != http.StatusOK {
			b.Fatalf("GET %s = %d", path, res.Status)
		}
	}
}

// The battle map at town scale: 200 projects with 10 milestones each.
func BenchmarkBattleMap_200(b *testing.B)   { benchProjects(b, 200, "/battlemap") }
func BenchmarkProjectList_200(b *testing.B) { benchProjects(b, 200, "/projects") }

// A county's whole library on one map: 5,000 projects with 10 milestones each.
func BenchmarkBattleMap_5000(b *testing.B) { benchProjects(b, 5000, "/battlemap") }

// The 台账 exported with every field, 5,000 projects.
func BenchmarkProjectExport_5000(b *testing.B) { benchProjects(b, 5000, "/projects/export.xlsx") }
