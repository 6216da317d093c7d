package notify_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"guatu/account"
	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/notify"
	"guatu/org"
)

// world is a small organisation: a town with 经发办 and 东岙村 (with its
// 一组), another town, and accounts with roles on them.
type world struct {
	d                          *db.DB
	town, econ, village, group *org.Unit
	otherTown                  *org.Unit
	leader                     *org.Person
	users                      map[string]*account.User
}

var sys = auth.SystemActor("test")

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{d: dbtest.New(t), users: map[string]*account.User{}}
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		var err error
		if w.town, err = org.CreateRoot(ctx, tx, sys, org.Town, "XX镇"); err != nil {
			return err
		}
		if w.otherTown, err = org.CreateRoot(ctx, tx, sys, org.Town, "YY镇"); err != nil {
			return err
		}
		unit := func(parent *org.Unit, kind org.Kind, name string) *org.Unit {
			if err != nil {
				return nil
			}
			var u *org.Unit
			u, err = org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: fmt.Sprint(parent.ID), Kind: string(kind), Name: name})
			return u
		}
		w.econ = unit(w.town, org.Office, "经发办")
		w.village = unit(w.town, org.Village, "东岙村")
		w.group = unit(w.village, org.Group, "东岙村一组")
		if err != nil {
			return err
		}
		if w.leader, err = org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: fmt.Sprint(w.town.ID), Name: "李明"}); err != nil {
			return err
		}
		for _, a := range []struct {
			name   string
			role   auth.Role
			unit   *org.Unit
			person int64
		}{
			{"chief", auth.Chief, w.town, 0},
			{"leader", auth.Leader, w.town, w.leader.ID},
			{"supervisor", auth.Supervisor, w.town, 0},
			{"econstaff", auth.Staff, w.econ, 0},
			{"econstaff2", auth.Staff, w.econ, 0},
			{"villagestaff", auth.Staff, w.village, 0},
			{"groupstaff", auth.Staff, w.group, 0},
			{"gone", auth.Staff, w.econ, 0},
			{"otherchief", auth.Chief, w.otherTown, 0},
		} {
			in := account.Input{Username: a.name, DisplayName: a.name, UnitID: fmt.Sprint(a.unit.ID)}
			if a.person != 0 {
				in.PersonID = fmt.Sprint(a.person)
			}
			u, _, err := account.Create(ctx, tx, sys, in)
			if err != nil {
				return err
			}
			if err := account.Grant(ctx, tx, sys, u.ID, a.role, a.unit.ID); err != nil {
				return err
			}
			w.users[a.name] = u
		}
		_, err = account.SetDisabled(ctx, tx, sys, w.users["gone"].ID, true)
		return err
	})
	w.reload(t)
	return w
}

// reload re-reads the accounts, with the roles granted since they were made.
func (w *world) reload(t *testing.T) {
	t.Helper()
	for name, u := range w.users {
		fresh, err := account.Get(context.Background(), w.d, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.users[name] = fresh
	}
}

func (w *world) actor(name string) auth.Actor { return w.users[name].Actor("127.0.0.1", "test", "ui") }

func tx(t testing.TB, d *db.DB, fn func(ctx context.Context, tx *db.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := d.InTx(ctx, func(tx *db.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func post(t testing.TB, d *db.DB, m notify.Message) {
	t.Helper()
	tx(t, d, func(ctx context.Context, tx *db.Tx) error { return notify.Post(ctx, tx, m) })
}

// inbox returns the titles in a user's inbox, in the inbox's order.
func (w *world) inbox(t testing.TB, name string) []string {
	t.Helper()
	list, total, err := notify.Inbox(context.Background(), w.d, w.actor(name), 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(list) {
		t.Errorf("total = %d, listed %d", total, len(list))
	}
	var out []string
	for _, n := range list {
		out = append(out, n.Title)
	}
	return out
}

func TestPost_ReachesEachRecipientOnce(t *testing.T) {
	w := newWorld(t)
	post(t, w.d, notify.Message{Kind: notify.KindReport, Title: "经发办3月月报待报送", Link: "/reports/2026-03",
		To: []notify.Recipient{notify.UnitStaff(w.econ.ID), notify.ToUser(w.users["econstaff"].ID)}})
	post(t, w.d, notify.Message{Kind: notify.KindProblem, Title: "问题逾期升级", Body: "东岙村道路堵点已逾期 3 个工作日",
		To: []notify.Recipient{notify.ToPerson(w.leader.ID), notify.Chiefs(w.group.ID)}})
	post(t, w.d, notify.Message{Kind: notify.KindNotice, Title: "东岙村通知", To: []notify.Recipient{notify.ToRole(auth.Staff, w.village.ID)}})
	post(t, w.d, notify.Message{Kind: notify.KindNotice, Title: "督查室通知", To: []notify.Recipient{notify.ToRoleOver(auth.Supervisor, w.group.ID)}})

	for name, want := range map[string][]string{
		"econstaff":    {"经发办3月月报待报送"},
		"econstaff2":   {"经发办3月月报待报送"},
		"leader":       {"问题逾期升级"},
		"chief":        {"问题逾期升级"}, // granted on the town, above 一组
		"villagestaff": {"东岙村通知"},  // ToRole is the unit itself …
		"groupstaff":   nil,        // … not the units below it
		"supervisor":   {"督查室通知"},
		"gone":         nil, // disabled accounts receive nothing
		"otherchief":   nil, // another town's chief is not over 一组
	} {
		if got := w.inbox(t, name); !slices.Equal(got, want) {
			t.Errorf("%s's inbox = %q, want %q", name, got, want)
		}
	}
}

func TestPost_NothingWhenTheTransactionRollsBack(t *testing.T) {
	w := newWorld(t)
	boom := errors.New("the change failed")
	err := w.d.InTx(context.Background(), func(tx *db.Tx) error {
		if err := notify.Post(context.Background(), tx, notify.Message{Kind: notify.KindReport, Title: "不该出现",
			To: []notify.Recipient{notify.ToUser(w.users["econstaff"].ID)}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if got := w.inbox(t, "econstaff"); len(got) != 0 {
		t.Errorf("inbox after rollback = %q", got)
	}
}

func TestPost_RefusesABadMessage(t *testing.T) {
	w := newWorld(t)
	for _, m := range []notify.Message{
		{Kind: "gossip", Title: "x"},
		{Kind: notify.KindReport, Title: ""},
		{Kind: notify.KindReport, Title: "两行\n标题"},
		{Kind: notify.KindReport, Title: "x", Link: "https://evil.example.com/"},
		{Kind: notify.KindReport, Title: "x", Link: "//evil.example.com/"},
		{Kind: notify.KindReport, Title: "x", To: []notify.Recipient{{}}},
		{Kind: notify.KindTest, Title: "x"},
	} {
		err := w.d.InTx(context.Background(), func(tx *db.Tx) error { return notify.Post(context.Background(), tx, m) })
		if err == nil || apperr.KindOf(err) != apperr.Internal {
			t.Errorf("Post(%+v) = %v, want an internal error", m, err)
		}
	}
}

func TestInbox_UnreadFirstAndMarkRead(t *testing.T) {
	w := newWorld(t)
	to := []notify.Recipient{notify.ToUser(w.users["econstaff"].ID)}
	for _, title := range []string{"第一条", "第二条", "第三条"} {
		post(t, w.d, notify.Message{Kind: notify.KindNotice, Title: title, To: to})
	}
	me := w.actor("econstaff")
	ctx := context.Background()
	list, _, err := notify.Inbox(ctx, w.d, me, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	second := list[1] // newest first: 第三条, 第二条, 第一条
	var opened *notify.Notice
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		opened, err = notify.MarkRead(ctx, tx, me, second.ID)
		return err
	})
	if opened.Title != "第二条" || opened.Unread() {
		t.Errorf("opened %q, unread %v", opened.Title, opened.Unread())
	}
	if got := w.inbox(t, "econstaff"); !slices.Equal(got, []string{"第三条", "第一条", "第二条"}) {
		t.Errorf("inbox order = %q, want the read one last", got)
	}
	if n, _ := notify.UnreadCount(ctx, w.d, me); n != 2 {
		t.Errorf("unread = %d, want 2", n)
	}
	// Someone else cannot open my notice, and learns only that it does not exist.
	err = w.d.InTx(ctx, func(tx *db.Tx) error {
		_, err := notify.MarkRead(ctx, tx, w.actor("econstaff2"), second.ID)
		return err
	})
	if apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("another user's MarkRead = %v, want NotFound", err)
	}
	var marked int64
	tx(t, w.d, func(ctx context.Context, tx *db.Tx) error {
		marked, err = notify.MarkAllRead(ctx, tx, me)
		return err
	})
	if n, _ := notify.UnreadCount(ctx, w.d, me); marked != 2 || n != 0 {
		t.Errorf("marked %d, unread now %d; want 2 and 0", marked, n)
	}
}

func TestOnce_FirstTimeOnlyAndFreeAgainAfterRollback(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	once := func() (bool, error) {
		var first bool
		err := d.InTx(ctx, func(tx *db.Tx) error {
			var err error
			first, err = notify.Once(ctx, tx, "report-ahead:2026-03:unit:7")
			return err
		})
		return first, err
	}
	// A transaction that rolls back gives the key back.
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if first, err := notify.Once(ctx, tx, "report-ahead:2026-03:unit:7"); err != nil || !first {
			return fmt.Errorf("first = %v, err %v", first, err)
		}
		return errors.New("rolled back")
	})
	if err == nil || err.Error() != "rolled back" {
		t.Fatal(err)
	}
	if first, err := once(); err != nil || !first {
		t.Errorf("after rollback: first = %v, %v; want true", first, err)
	}
	if first, err := once(); err != nil || first {
		t.Errorf("second time: first = %v, %v; want false", first, err)
	}
	err = d.InTx(ctx, func(tx *db.Tx) error { _, err := notify.Once(ctx, tx, ""); return err })
	if err == nil {
		t.Error("an empty key was accepted")
	}
}
