package bulletin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/bulletin"
	"guatu/db"
	"guatu/db/dbtest"
	"guatu/demo"
	"guatu/org"
)

type demoTown struct {
	d     *db.DB
	ctx   context.Context
	town  *org.Unit
	today time.Time
}

// seededTown is the demo town on 23 November 2026 with no bulletin yet
// (the demo's own are removed, so each test starts from the data alone).
func seededTown(t *testing.T) demoTown {
	t.Helper()
	d := dbtest.New(t)
	d.Clock = func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, dbtest.Shanghai) }
	ctx := context.Background()
	if err := demo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(ctx, `DELETE FROM bulletins`); return err }); err != nil {
		t.Fatal(err)
	}
	roots, err := org.Children(ctx, d, 0)
	if err != nil || len(roots) != 1 {
		t.Fatalf("roots %v", err)
	}
	return demoTown{d, ctx, roots[0], time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
}

func (e demoTown) actor(role auth.Role, unitName string) auth.Actor {
	u := e.town
	if unitName != "" {
		tree, _ := org.Tree(e.ctx, e.d, auth.SystemActor("test"), org.TreeFilter{})
		for _, x := range tree {
			if x.Name == unitName {
				u = x
			}
		}
	}
	return auth.Actor{UserID: 900, Name: "测试" + string(role), Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitName: u.Name}}}
}

// exec changes the database directly, as someone behind the application's back.
func exec(e demoTown, query string, args ...any) (any, error) {
	return nil, e.d.InTx(e.ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(e.ctx, query, args...); return err })
}

func (e demoTown) tx(t *testing.T, fn func(tx *db.Tx) error) error {
	t.Helper()
	return e.d.InTx(e.ctx, fn)
}

func TestBulletin_DraftEditIssueCorrect(t *testing.T) {
	e := seededTown(t)
	office := e.actor(auth.Supervisor, "")
	q3, _ := bulletin.ParseSpan("2026-Q3")

	var b *bulletin.Bulletin
	if err := e.tx(t, func(tx *db.Tx) (err error) {
		b, err = bulletin.Create(e.ctx, tx, office, e.town.ID, q3, e.today)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c := b.Content
	if c.Title != "关于2026年三季度重点项目推进情况的通报" || len(c.Sections) != 7 {
		t.Fatalf("draft: %q with %d sections", c.Title, len(c.Sections))
	}
	if f := c.Figures; f.Through != "2026-09" || !f.Complete || f.Projects == 0 || len(f.Ranking) == 0 ||
		f.Lights.Green+f.Lights.Yellow+f.Lights.Red != f.Projects {
		t.Fatalf("figures %+v", f)
	}
	if first := c.Sections[0].Paragraphs[0]; !strings.HasPrefix(first, "三季度，全镇") || !strings.Contains(first, "个重点项目累计完成投资") {
		t.Errorf("overview: %s", first)
	}
	scored := 0
	for _, s := range c.Figures.Ranking {
		if s.Scored {
			scored++
		}
	}
	if rt := c.Sections[1].Tables[0]; len(rt.Rows) != scored || rt.Rows[0][0].Text != "1" {
		t.Errorf("ranking table: %d rows for %d ranked units", len(rt.Rows), scored)
	}
	for _, s := range c.Sections {
		t.Logf("%s\n  %s", s.Heading, strings.Join(s.Paragraphs, "\n  "))
		for _, tb := range s.Tables {
			t.Logf("  [%s] %d rows", tb.Caption, len(tb.Rows))
		}
	}

	// One draft per span.
	err := e.tx(t, func(tx *db.Tx) error {
		_, err := bulletin.Create(e.ctx, tx, office, e.town.ID, q3, e.today)
		return err
	})
	if apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second draft: %v", err)
	}

	// Edit a paragraph; a stale form is refused and nothing changes.
	edit := bulletin.Edit{Title: c.Title, Recipient: c.Recipient}
	for _, s := range c.Sections {
		edit.Headings = append(edit.Headings, s.Heading)
		edit.Paragraphs = append(edit.Paragraphs, s.ParagraphText())
	}
	edit.Paragraphs[6] += "\n\n　　各单位要在12月10日前报送整改情况。  "
	if err := e.tx(t, func(tx *db.Tx) error { _, err := bulletin.Update(e.ctx, tx, office, b.ID, b.Version, edit); return err }); err != nil {
		t.Fatal(err)
	}
	err = e.tx(t, func(tx *db.Tx) error { _, err := bulletin.Update(e.ctx, tx, office, b.ID, b.Version, edit); return err })
	if apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("stale edit: %v", err)
	}
	b, _ = bulletin.Get(e.ctx, e.d, b.ID)
	last := b.Content.Sections[6].Paragraphs
	if last[len(last)-1] != "各单位要在12月10日前报送整改情况。" || b.Version != 2 {
		t.Errorf("edited: %q (version %d)", last[len(last)-1], b.Version)
	}
	bad := edit
	bad.Title = " "
	err = e.tx(t, func(tx *db.Tx) error { _, err := bulletin.Update(e.ctx, tx, office, b.ID, b.Version, bad); return err })
	if apperr.KindOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "标题不能为空") {
		t.Errorf("empty title: %v", err)
	}

	// A village reads no draft; the office issues.
	village := e.actor(auth.Staff, "东岙村")
	if bulletin.CanRead(village, b) {
		t.Error("a village reads the draft")
	}
	in, number, err := bulletin.IssueDefaults(e.ctx, e.d, office, b, e.today)
	if err != nil || number != "XX镇督〔2026〕1号" || in.Issuer != "XX镇督查室" {
		t.Fatalf("defaults %+v %q %v", in, number, err)
	}
	in.Signer, in.Date = "周建华", "2026-10-12"
	badIn := in
	badIn.Prefix, badIn.Date = "X镇督〔2026〕", "2026-12-01"
	err = e.tx(t, func(tx *db.Tx) error { _, err := bulletin.Issue(e.ctx, tx, office, b.ID, badIn, e.today); return err })
	if f := apperr.FieldsOf(err); f["prefix"] == "" || f["date"] == "" {
		t.Errorf("bad issue: %v %v", err, f)
	}
	if err := e.tx(t, func(tx *db.Tx) error { _, err := bulletin.Issue(e.ctx, tx, office, b.ID, in, e.today); return err }); err != nil {
		t.Fatal(err)
	}
	b, _ = bulletin.Get(e.ctx, e.d, b.ID)
	if b.State != bulletin.Issued || b.Number != "XX镇督〔2026〕1号" || !b.Intact || b.IssuedOnLabel() != "2026年10月12日" {
		t.Fatalf("issued: %s %s intact %v %s", b.State, b.Number, b.Intact, b.IssuedOnLabel())
	}
	if !bulletin.CanRead(village, b) {
		t.Error("a village cannot read the issued bulletin of its town")
	}
	if bulletin.CanRead(e.actor(auth.Staff, ""), &bulletin.Bulletin{State: bulletin.Issued, UnitPath: "/999/"}) {
		t.Error("a unit reads another town's bulletin")
	}

	// Frozen: no edit, no regeneration, no deletion through the application.
	for name, change := range map[string]func(tx *db.Tx) error{
		"edit":       func(tx *db.Tx) error { _, err := bulletin.Update(e.ctx, tx, office, b.ID, 0, edit); return err },
		"regenerate": func(tx *db.Tx) error { _, err := bulletin.Regenerate(e.ctx, tx, office, b.ID, 0, e.today); return err },
		"delete":     func(tx *db.Tx) error { _, err := bulletin.Delete(e.ctx, tx, office, b.ID); return err },
		"issue":      func(tx *db.Tx) error { _, err := bulletin.Issue(e.ctx, tx, office, b.ID, in, e.today); return err },
	} {
		if err := e.tx(t, change); apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("%s of an issued bulletin: %v", name, err)
		}
	}

	// A correction is a new version naming the one it replaces, numbered next.
	var fix *bulletin.Bulletin
	if err := e.tx(t, func(tx *db.Tx) (err error) { fix, err = bulletin.Correct(e.ctx, tx, office, b.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if fix.ReplacesID != b.ID || fix.ReplacesNumber != b.Number || fix.State != bulletin.Draft {
		t.Fatalf("correction %+v", fix)
	}
	in.Version = fix.Version
	if err := e.tx(t, func(tx *db.Tx) error { _, err := bulletin.Issue(e.ctx, tx, office, fix.ID, in, e.today); return err }); err != nil {
		t.Fatal(err)
	}
	old, _ := bulletin.Get(e.ctx, e.d, b.ID)
	fix, _ = bulletin.Get(e.ctx, e.d, fix.ID)
	if fix.Number != "XX镇督〔2026〕2号" || old.ReplacedBy == nil || old.ReplacedBy.Number != fix.Number || !old.Intact {
		t.Errorf("after correction: new %s, old replaced by %+v, intact %v", fix.Number, old.ReplacedBy, old.Intact)
	}

	// A change in the database behind the application's back shows.
	if _, err := exec(e, `UPDATE bulletins SET content = replace(content, '三季度', '二季度') WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := bulletin.Get(e.ctx, e.d, b.ID); got.Intact {
		t.Error("a changed content is not detected")
	}
	if _, err := exec(e, `UPDATE bulletins SET signer = '别人' WHERE id = $1`, fix.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := bulletin.Get(e.ctx, e.d, fix.ID); got.Intact {
		t.Error("a changed signer is not detected")
	}
}

// The previous bulletin's ranks give the change of rank.
func TestBulletin_RankChangeFromPreviousBulletin(t *testing.T) {
	e := seededTown(t)
	office := e.actor(auth.Chief, "")
	var spans = []string{"2026-Q2", "2026-Q3"}
	var got []*bulletin.Bulletin
	for _, key := range spans {
		sp, _ := bulletin.ParseSpan(key)
		if err := e.tx(t, func(tx *db.Tx) error {
			b, err := bulletin.Create(e.ctx, tx, office, e.town.ID, sp, e.today)
			if err != nil {
				return err
			}
			in, _, err := bulletin.IssueDefaults(e.ctx, tx, office, b, e.today)
			if err != nil {
				return err
			}
			_, err = bulletin.Issue(e.ctx, tx, office, b.ID, in, e.today)
			got = append(got, b)
			return err
		}); err != nil {
			t.Fatal(key, err)
		}
	}
	q2, _ := bulletin.Get(e.ctx, e.d, got[0].ID)
	q3, _ := bulletin.Get(e.ctx, e.d, got[1].ID)
	prev := map[int64]int{}
	for _, s := range q2.Content.Figures.Ranking {
		prev[s.UnitID] = s.Rank
		if s.Scored && s.Change() != "新" {
			t.Errorf("Q2 (no bulletin before): %s %s", s.UnitName, s.Change())
		}
	}
	for _, s := range q3.Content.Figures.Ranking {
		if s.Scored && s.PrevRank != prev[s.UnitID] {
			t.Errorf("Q3 %s: previous rank %d, Q2 had %d", s.UnitName, s.PrevRank, prev[s.UnitID])
		}
	}
	if q3.Number != "XX镇督〔2026〕2号" {
		t.Errorf("second of the year: %s", q3.Number)
	}
}

func TestBulletin_WhoMayDraft(t *testing.T) {
	e := seededTown(t)
	q3, _ := bulletin.ParseSpan("2026-Q3")
	for _, role := range []auth.Role{auth.Leader, auth.Viewer, auth.Staff, auth.SysAdmin} {
		err := e.tx(t, func(tx *db.Tx) error {
			_, err := bulletin.Create(e.ctx, tx, e.actor(role, ""), e.town.ID, q3, e.today)
			return err
		})
		if apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s drafts: %v", role, err)
		}
	}
	// A span with no closed month cannot be drafted: the figures would not be frozen.
	q1next, _ := bulletin.ParseSpan("2027-Q1")
	err := e.tx(t, func(tx *db.Tx) error {
		_, err := bulletin.Create(e.ctx, tx, e.actor(auth.Supervisor, ""), e.town.ID, q1next, e.today)
		return err
	})
	if apperr.KindOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "关账") {
		t.Errorf("unclosed span: %v", err)
	}
}
