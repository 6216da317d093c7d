package demo_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"guatu/account"
	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/org"
)

func TestSeed_DemoTown(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if ok, err := demo.Present(ctx, d); err != nil || ok {
		t.Fatalf("Present on an empty database = %v, %v; want false", ok, err)
	}
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if ok, err := demo.Present(ctx, d); err != nil || !ok {
		t.Fatalf("Present after seeding = %v, %v; want true", ok, err)
	}
	sys := auth.SystemActor("test")

	t.Run("every demo account signs in with the demo password and must change it", func(t *testing.T) {
		if len(demo.Accounts) != 9 {
			t.Fatalf("%d demo accounts, want 9", len(demo.Accounts))
		}
		wantRole := map[string]auth.Role{"chief": auth.Chief, "leader": auth.Leader, "supervisor": auth.Supervisor,
			"staff": auth.Staff, "village": auth.Staff, "viewer": auth.Viewer, "sysadmin": auth.SysAdmin,
			"secadmin": auth.SecAdmin, "auditor": auth.Auditor}
		for _, a := range demo.Accounts {
			var res account.LoginResult
			err := d.InTx(ctx, func(tx *db.Tx) error {
				var err error
				res, err = account.Login(ctx, tx, a.Username, demo.Password, "127.0.0.1", "test", "req")
				return err
			})
			if err != nil {
				t.Fatalf("%s: Login: %v", a.Username, err)
			}
			if res.Failure != "" || res.User == nil || res.MFAPending {
				t.Fatalf("%s: Login = %+v, want a full session", a.Username, res)
			}
			u := res.User
			if !u.MustChangePassword {
				t.Errorf("%s: must_change_password is false", a.Username)
			}
			if u.PersonID == 0 || u.DisplayName != a.Name {
				t.Errorf("%s: person %d, name %q; want linked to %s", a.Username, u.PersonID, u.DisplayName, a.Name)
			}
			if len(u.Grants) != 1 || u.Grants[0].Role != wantRole[a.Username] || u.Grants[0].UnitName != a.Unit {
				t.Errorf("%s: grants %+v, want %s on %s", a.Username, u.Grants, wantRole[a.Username], a.Unit)
			}
		}
	})

	t.Run("the town has about sixty people with mobile numbers and eight villages", func(t *testing.T) {
		c, err := org.CountIn(ctx, d, sys)
		if err != nil {
			t.Fatal(err)
		}
		if c.People < 55 || c.People > 70 {
			t.Errorf("%d people, want about sixty", c.People)
		}
		if c.Villages != 8 {
			t.Errorf("%d villages and communities, want 8", c.Villages)
		}
		people, total, err := org.People(ctx, d, sys, org.PeopleFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != c.People {
			t.Errorf("People total %d, CountIn %d", total, c.People)
		}
		mobile := regexp.MustCompile(`^1[358]\d{9}$`)
		seen := map[string]bool{}
		for _, p := range people {
			if !mobile.MatchString(p.Phone) {
				t.Errorf("%s: phone %q is not a 13x/15x/18x mobile number", p.Name, p.Phone)
			}
			if seen[p.Phone] {
				t.Errorf("%s: phone %q used twice", p.Name, p.Phone)
			}
			seen[p.Phone] = true
			if p.Position == "" {
				t.Errorf("%s has no position", p.Name)
			}
		}
		units, err := org.Tree(ctx, d, sys, org.TreeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[org.Kind]int{}
		for _, u := range units {
			kinds[u.Kind]++
		}
		if kinds[org.Town] != 1 || kinds[org.Committee] != 1 || kinds[org.Office] != 7 || kinds[org.Station] != 5 ||
			kinds[org.Village] != 6 || kinds[org.Community] != 2 || kinds[org.Group] < 6 {
			t.Errorf("unit kinds %v", kinds)
		}
	})

	t.Run("leaders are in charge of their units", func(t *testing.T) {
		units, err := org.Tree(ctx, d, sys, org.TreeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]*org.Unit{}
		for _, u := range units {
			if _, ok := byName[u.Name]; !ok {
				byName[u.Name] = u
			}
		}
		for unit, want := range map[string]string{
			"经济发展办公室（经发办）": "林志强",
			"自然资源所":        "林志强",
			"文化旅游办公室（文旅办）": "王丽琴",
			"东岙村":          "郑国平",
			"应急管理办公室":      "黄伟东",
			"党政办（督查室）":     "吴晓燕",
		} {
			u := byName[unit]
			if u == nil {
				t.Fatalf("no unit %s", unit)
			}
			leaders, err := org.LeadersOf(ctx, d, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(leaders) != 1 || leaders[0].Name != want {
				names := []string{}
				for _, l := range leaders {
					names = append(names, l.Name)
				}
				t.Errorf("LeadersOf(%s) = %v, want [%s]", unit, names, want)
			}
		}
		// A 组 is covered through its village.
		for _, u := range units {
			if u.Kind == org.Group && u.ParentName == "东岙村" {
				leaders, err := org.LeadersOf(ctx, d, u.ID)
				if err != nil || len(leaders) != 1 || leaders[0].Name != "郑国平" {
					t.Errorf("LeadersOf(东岙村 %s) = %v, %v", u.Name, leaders, err)
				}
			}
		}
	})

	t.Run("administrators need no second factor in the demo", func(t *testing.T) {
		s, err := account.LoadSecurity(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if s.RequireAdminTOTP {
			t.Error("RequireAdminTOTP is still on")
		}
	})

	t.Run("seeding twice is refused and changes nothing", func(t *testing.T) {
		before, err := account.CountUsers(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		err = demo.Seed(ctx, d)
		if !errors.Is(err, demo.ErrNotEmpty) || apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("second Seed = %v, want ErrNotEmpty", err)
		}
		after, err := account.CountUsers(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if before != after {
			t.Errorf("users %d → %d after a refused seed", before, after)
		}
	})

	t.Run("the audit trail verifies and records the seeding", func(t *testing.T) {
		v, err := audit.Verify(ctx, d)
		if err != nil || !v.OK {
			t.Fatalf("Verify = %+v, %v", v, err)
		}
		rows, n, err := audit.List(ctx, d, sys, audit.Filter{Action: audit.DemoSeeded})
		if err != nil || n != 1 || rows[0].ObjectName != demo.TownName {
			t.Errorf("DemoSeeded records: %d, %v", n, err)
		}
	})
}

func TestSeed_RefusesDatabaseWithUnits(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		_, err := org.CreateRoot(ctx, tx, auth.SystemActor("test"), org.Town, "YY镇")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, d); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("Seed on a database with a town = %v, want ErrNotEmpty", err)
	}
	if ok, err := demo.Present(ctx, d); err != nil || ok {
		t.Errorf("Present = %v, %v; want false", ok, err)
	}
}
