package bulletin

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/project"
)

// State is where a bulletin stands.
type State string

// A bulletin is a draft until it is issued; then it is frozen for good.
const (
	Draft  State = "draft"
	Issued State = "issued"
)

// Label is the state's Chinese name.
func (s State) Label() string {
	if s == Issued {
		return "已签发"
	}
	return "草稿"
}

// Bulletin is a stored bulletin.
type Bulletin struct {
	ID       int64
	UnitID   int64 // the town it covers
	UnitName string
	UnitPath string
	Span     Span
	State    State
	Title    string
	Content  Content
	// ReplacesID is the issued bulletin this one corrects (0: none);
	// ReplacedBy is set on load when an issued correction of this one exists.
	ReplacesID     int64
	ReplacesNumber string
	ReplacedBy     *Ref
	Number         string // 发文字号, once issued
	NumberPrefix   string
	NumberYear     int
	NumberSeq      int
	Issuer         string // 发文机关
	Signer         string // 签发人
	IssuedOn       time.Time
	IssuedAt       time.Time
	Hash           string
	// Intact is false for an issued bulletin whose stored content no longer
	// matches its hash: it was changed behind the application's back.
	Intact      bool
	Version     int64
	CreatedAt   time.Time
	CreatedName string
	UpdatedAt   time.Time
	UpdatedName string

	raw string // the content as stored, which the hash covers
}

// Ref names another bulletin.
type Ref struct {
	ID     int64
	Number string
}

// IssuedOnLabel is the 成文日期 as a 公文 writes it: 2026年10月12日.
func (b *Bulletin) IssuedOnLabel() string { return ChineseDate(b.IssuedOn) }

// ChineseDate writes a day as 2026年10月12日 (no leading zeros).
func ChineseDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}

// CanRead reports whether the actor may read the bulletin: an issued one
// anyone in its town may (a village reads the town's 通报, a unit above
// its own grant); a draft only the office, the leaders and the viewers
// over the town.
func CanRead(by auth.Actor, b *Bulletin) bool {
	if b.State == Draft {
		return auth.Can(by, auth.DraftBulletin, b.UnitPath) || auth.Can(by, auth.WriteBulletin, b.UnitPath)
	}
	if auth.Can(by, auth.ReadBulletin, b.UnitPath) {
		return true
	}
	for _, g := range by.Grants {
		if auth.Allowed(g.Role, auth.ReadBulletin) && g.UnitPath != "" && strings.HasPrefix(g.UnitPath, b.UnitPath) {
			return true
		}
	}
	return false
}

// CanWrite reports whether the actor may generate, edit, issue and correct
// bulletins of the town with the given path.
func CanWrite(by auth.Actor, unitPath string) bool {
	return auth.Can(by, auth.WriteBulletin, unitPath)
}

const bulletinColumns = `b.id, b.unit_id, u.name, u.path, b.span, b.state, b.title, b.content, COALESCE(b.replaces_id, 0),
	COALESCE(r.number, ''), b.number_prefix, b.number_year, b.number_seq, b.number, b.issuer, b.signer, b.issued_on,
	b.issued_at, b.hash, b.version, b.created_at, b.created_name, b.updated_at, b.updated_name,
	COALESCE((SELECT MAX(c.id) FROM bulletins c WHERE c.replaces_id = b.id AND c.state = 'issued'), 0),
	COALESCE((SELECT c.number FROM bulletins c WHERE c.replaces_id = b.id AND c.state = 'issued' ORDER BY c.id DESC LIMIT 1), '')`

const bulletinFrom = ` FROM bulletins b JOIN units u ON u.id = b.unit_id LEFT JOIN bulletins r ON r.id = b.replaces_id`

func scanBulletin(s interface{ Scan(...any) error }, withContent bool) (*Bulletin, error) {
	var b Bulletin
	var span, state string
	var replacedBy int64
	var replacedNumber string
	err := s.Scan(&b.ID, &b.UnitID, &b.UnitName, &b.UnitPath, &span, &state, &b.Title, &b.raw, &b.ReplacesID,
		&b.ReplacesNumber, &b.NumberPrefix, &b.NumberYear, &b.NumberSeq, &b.Number, &b.Issuer, &b.Signer, (*db.Date)(&b.IssuedOn),
		(*db.Time)(&b.IssuedAt), &b.Hash, &b.Version, (*db.Time)(&b.CreatedAt), &b.CreatedName, (*db.Time)(&b.UpdatedAt), &b.UpdatedName,
		&replacedBy, &replacedNumber)
	if err != nil {
		return nil, err
	}
	b.State = State(state)
	if b.Span, err = ParseSpan(span); err != nil {
		return nil, fmt.Errorf("bulletin %d: span %q", b.ID, span)
	}
	if replacedBy != 0 {
		b.ReplacedBy = &Ref{ID: replacedBy, Number: replacedNumber}
	}
	b.Intact = b.State != Issued || b.Hash == b.digest()
	if withContent {
		if err := json.Unmarshal([]byte(b.raw), &b.Content); err != nil {
			// A content that no longer parses was changed behind our back.
			b.Intact = false
			b.Content = Content{Title: b.Title}
		}
	}
	return &b, nil
}

// digest is the SHA-256 over what an issued bulletin fixes: its town,
// span, title, content as stored, the one it replaces, its number, issuer,
// signer and date. Fields are length-prefixed so no two different
// bulletins run together into the same bytes.
func (b *Bulletin) digest() string {
	h := sha256.New()
	for _, f := range []string{fmt.Sprint(b.UnitID), b.Span.Key(), b.Title, b.raw, fmt.Sprint(b.ReplacesID), b.Number,
		b.Issuer, b.Signer, project.FormatDate(b.IssuedOn)} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Get returns a bulletin with its content, or NotFound. It checks no
// permission; View does.
func Get(ctx context.Context, q db.Querier, id int64) (*Bulletin, error) {
	b, err := scanBulletin(q.QueryRowContext(ctx, `SELECT `+bulletinColumns+bulletinFrom+` WHERE b.id = $1`, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("通报不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("bulletin.Get %d: %w", id, err)
	}
	return b, nil
}

// View returns the bulletin if the actor may read it; otherwise NotFound,
// so a draft's existence does not leak.
func View(ctx context.Context, q db.Querier, by auth.Actor, id int64) (*Bulletin, error) {
	b, err := Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !CanRead(by, b) {
		return nil, apperr.NotFoundf("通报不存在")
	}
	return b, nil
}

// List returns the bulletins the actor may read, newest span first; their
// content is not loaded (the list shows the heads only).
func List(ctx context.Context, q db.Querier, by auth.Actor) ([]*Bulletin, error) {
	if !auth.CanAnywhere(by, auth.ReadBulletin) {
		return nil, apperr.Forbiddenf("您的角色没有查看通报的权限")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+bulletinColumns+bulletinFrom+` ORDER BY b.span DESC, b.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("bulletin.List: %w", err)
	}
	var out []*Bulletin
	err = db.ScanRows(rows, func() error {
		b, err := scanBulletin(rows, false)
		if err != nil {
			return err
		}
		if CanRead(by, b) {
			b.raw = ""
			out = append(out, b)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bulletin.List: %w", err)
	}
	return out, nil
}

// Create generates and stores the draft of a bulletin over span for the
// town with the given id. A span has one draft at a time; an issued span
// is corrected from its page, not drafted again.
func Create(ctx context.Context, tx *db.Tx, by auth.Actor, unitID int64, span Span, today time.Time) (*Bulletin, error) {
	u, err := org.GetUnit(ctx, tx, unitID)
	if err != nil {
		return nil, err
	}
	if !CanWrite(by, u.Path) {
		return nil, apperr.Forbiddenf("只有督查室和主要领导可以生成%s的通报", u.Name)
	}
	if err := lockTown(ctx, tx, unitID); err != nil {
		return nil, err
	}
	var id int64
	var state string
	err = tx.QueryRowContext(ctx, `SELECT id, state FROM bulletins WHERE unit_id = $1 AND span = $2 ORDER BY (state = 'draft') DESC, id DESC`,
		unitID, span.Key()).Scan(&id, &state)
	switch {
	case err == nil && State(state) == Draft:
		return nil, apperr.Conflictf("%s%s的通报已有草稿，请在草稿上修改，或先删除它再重新生成", u.Name, span.Label())
	case err == nil:
		return nil, apperr.Conflictf("%s%s的通报已签发；如需更正，请在该通报页面点“更正”，生成的新版本会注明所替代的文号", u.Name, span.Label())
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("bulletin.Create: %w", err)
	}
	c, err := draftContent(ctx, tx, u, span, today)
	if err != nil {
		return nil, err
	}
	b, err := insert(ctx, tx, by, u, span, c, 0)
	if err != nil {
		return nil, err
	}
	return b, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.BulletinDrafted, ObjectType: "bulletin", ObjectID: b.ID,
		ObjectName: b.Title, After: map[string]any{"周期": span.Label(), "数据截至": c.Figures.Through}})
}

// draftContent generates the content with the current weights and the
// ranks of the previous bulletin.
func draftContent(ctx context.Context, q db.Querier, u *org.Unit, span Span, today time.Time) (Content, error) {
	w, err := LoadWeights(ctx, q)
	if err != nil {
		return Content{}, err
	}
	prev, err := previousRanks(ctx, q, u.ID, span.Prev())
	if err != nil {
		return Content{}, err
	}
	return Generate(ctx, q, u.ID, span, today, w, prev)
}

// previousRanks are the units' ranks in the latest issued bulletin of the
// town over the previous span: the change of rank is measured against what
// was published, not against a recount.
func previousRanks(ctx context.Context, q db.Querier, unitID int64, prev Span) (map[int64]int, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT content FROM bulletins WHERE unit_id = $1 AND span = $2 AND state = 'issued' ORDER BY id DESC`,
		unitID, prev.Key()).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bulletin.previousRanks: %w", err)
	}
	var c Content
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return nil, nil // a damaged bulletin shows as such on its page; the new one starts afresh
	}
	out := map[int64]int{}
	for _, s := range c.Figures.Ranking {
		if s.Rank > 0 {
			out[s.UnitID] = s.Rank
		}
	}
	return out, nil
}

func insert(ctx context.Context, tx *db.Tx, by auth.Actor, u *org.Unit, span Span, c Content, replaces int64) (*Bulletin, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("bulletin.insert: %w", err)
	}
	now := db.Time(tx.Now())
	var id int64
	var rep any
	if replaces != 0 {
		rep = replaces
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO bulletins (unit_id, span, state, title, content, replaces_id, created_at, created_by,
		created_name, updated_at, updated_name) VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $6, $8) RETURNING id`,
		u.ID, span.Key(), c.Title, string(raw), rep, now, by.UserID, by.Name).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("bulletin.insert: %w", err)
	}
	return Get(ctx, tx, id)
}

// lockTown serialises the writes of one town's bulletins (drafting one per
// span, numbering per year) on PostgreSQL; SQLite writes one at a time.
func lockTown(ctx context.Context, tx *db.Tx, unitID int64) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT id FROM units WHERE id = $1 FOR UPDATE`, unitID)
	return err
}

// editable loads a draft for a change by the actor, refusing an issued
// one and a form opened before someone else's change.
func editable(ctx context.Context, tx *db.Tx, by auth.Actor, id, version int64) (*Bulletin, error) {
	b, err := View(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if !CanWrite(by, b.UnitPath) {
		return nil, apperr.Forbiddenf("只有督查室和主要领导可以修改通报")
	}
	if b.State != Draft {
		return nil, apperr.Conflictf("通报已签发（%s），不能再修改；如需更正，请点“更正”生成新版本", b.Number)
	}
	if version != 0 && version != b.Version {
		return nil, apperr.Conflictf("这份草稿在您打开后已被%s修改，请刷新后再改（您填写的内容已保留在下方）", b.UpdatedName)
	}
	return b, nil
}

func saveContent(ctx context.Context, tx *db.Tx, by auth.Actor, b *Bulletin, c Content) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("bulletin.save: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE bulletins SET title = $1, content = $2, version = version + 1, updated_at = $3, updated_name = $4
		WHERE id = $5 AND state = 'draft' AND version = $6`, c.Title, string(raw), db.Time(tx.Now()), by.Name, b.ID, b.Version)
	if err != nil {
		return fmt.Errorf("bulletin.save: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("这份草稿刚被别人修改或签发，请刷新后再改")
	}
	return nil
}

// Update writes the office's edit of a draft's text; the tables and
// figures stay as computed.
func Update(ctx context.Context, tx *db.Tx, by auth.Actor, id, version int64, e Edit) (*Bulletin, error) {
	b, err := editable(ctx, tx, by, id, version)
	if err != nil {
		return nil, err
	}
	c := b.Content
	if err := e.apply(&c); err != nil {
		return nil, err
	}
	if err := saveContent(ctx, tx, by, b, c); err != nil {
		return nil, err
	}
	return b, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.BulletinEdited, ObjectType: "bulletin", ObjectID: b.ID,
		ObjectName: c.Title, Before: textOf(b.Content), After: textOf(c)})
}

// textOf is the editable text of a content, for the audit trail.
func textOf(c Content) map[string]string {
	out := map[string]string{"标题": c.Title, "主送": c.Recipient}
	for _, s := range c.Sections {
		out[s.Heading] = s.ParagraphText()
	}
	return out
}

// Regenerate recomputes a draft from the data as they now stand (a month
// closed since, a weight changed); the title and 主送 are kept, the
// sections are written afresh.
func Regenerate(ctx context.Context, tx *db.Tx, by auth.Actor, id, version int64, today time.Time) (*Bulletin, error) {
	b, err := editable(ctx, tx, by, id, version)
	if err != nil {
		return nil, err
	}
	u, err := org.GetUnit(ctx, tx, b.UnitID)
	if err != nil {
		return nil, err
	}
	c, err := draftContent(ctx, tx, u, b.Span, today)
	if err != nil {
		return nil, err
	}
	c.Title, c.Recipient = b.Content.Title, b.Content.Recipient
	if err := saveContent(ctx, tx, by, b, c); err != nil {
		return nil, err
	}
	return b, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.BulletinEdited, ObjectType: "bulletin", ObjectID: b.ID,
		ObjectName: c.Title, Note: "按最新数据重新生成（数据截至" + c.Figures.Through + "）"})
}

// Delete removes a draft (an issued bulletin is never deleted).
func Delete(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) (*Bulletin, error) {
	b, err := editable(ctx, tx, by, id, 0)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM bulletins WHERE id = $1 AND state = 'draft'`, id); err != nil {
		return nil, fmt.Errorf("bulletin.Delete: %w", err)
	}
	return b, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.BulletinDeleted, ObjectType: "bulletin", ObjectID: b.ID,
		ObjectName: b.Title})
}

// IssueInput is the 签发 form.
type IssueInput struct {
	Version int64
	Prefix  string // 发文字号 before 〔year〕, e.g. X镇督
	Issuer  string // 发文机关
	Signer  string // 签发人
	Date    string // 成文日期, 2026-10-12
}

// IssueDefaults are what the 签发 form starts with: the prefix and issuer
// of the town's last issued bulletin (or ones made from its name), the
// actor as signer, today as the date, and the number it would get.
func IssueDefaults(ctx context.Context, q db.Querier, by auth.Actor, b *Bulletin, today time.Time) (IssueInput, string, error) {
	in := IssueInput{Version: b.Version, Signer: by.Name, Date: project.FormatDate(today)}
	err := q.QueryRowContext(ctx, `SELECT number_prefix, issuer FROM bulletins WHERE unit_id = $1 AND state = 'issued' ORDER BY issued_at DESC, id DESC`,
		b.UnitID).Scan(&in.Prefix, &in.Issuer)
	if errors.Is(err, sql.ErrNoRows) {
		in.Prefix, in.Issuer = defaultPrefix(b.UnitName), b.UnitName+"督查室"
		err = nil
	}
	if err != nil {
		return in, "", fmt.Errorf("bulletin.IssueDefaults: %w", err)
	}
	seq, err := nextSeq(ctx, q, b.UnitID, today.Year())
	if err != nil {
		return in, "", err
	}
	return in, formatNumber(in.Prefix, today.Year(), seq), nil
}

// defaultPrefix is the 发文字号 prefix made from a town's name: XX镇 →
// XX镇督, the convention of a 督查 document; the office can change it.
func defaultPrefix(town string) string { return town + "督" }

func formatNumber(prefix string, year, seq int) string {
	return fmt.Sprintf("%s〔%d〕%d号", prefix, year, seq)
}

func nextSeq(ctx context.Context, q db.Querier, unitID int64, year int) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(number_seq), 0) FROM bulletins WHERE unit_id = $1 AND number_year = $2`,
		unitID, year).Scan(&n); err != nil {
		return 0, fmt.Errorf("bulletin.nextSeq: %w", err)
	}
	return n + 1, nil
}

func (in IssueInput) check(today time.Time) (prefix, issuer, signer string, on time.Time, err error) {
	f := apperr.Fields{}
	prefix, issuer, signer = strings.TrimSpace(in.Prefix), strings.TrimSpace(in.Issuer), strings.TrimSpace(in.Signer)
	switch n := utf8.RuneCountInString(prefix); {
	case n == 0:
		f.Add("prefix", "请填写发文字号的机关代字，如“X镇督”")
	case n > 20:
		f.Add("prefix", "机关代字最长 20 个字")
	case strings.ContainsAny(prefix, "〔〕[]()（）0123456789"):
		f.Add("prefix", "机关代字只填文字部分，年份和序号由系统编排，如“X镇督”")
	}
	if n := utf8.RuneCountInString(issuer); n == 0 || n > 40 {
		f.Add("issuer", "请填写发文机关（最长 40 个字），如“XX镇人民政府督查室”")
	}
	if n := utf8.RuneCountInString(signer); n == 0 || n > 20 {
		f.Add("signer", "请填写签发人姓名（最长 20 个字）")
	}
	on, perr := project.ParseDate(in.Date)
	switch {
	case strings.TrimSpace(in.Date) == "":
		f.Add("date", "请填写成文日期")
	case perr != nil:
		f.Add("date", "成文日期应为 2026-10-12 这样的日期")
	case on.After(today):
		f.Add("date", "成文日期不能晚于今天")
	}
	return prefix, issuer, signer, on, f.Err()
}

// Issue 签发 a draft: it gets the next number of its town in the year of
// its date, the signer and the date, and is frozen with the hash of all of
// it. When it corrects another bulletin, that one stays as it was and is
// shown as replaced.
func Issue(ctx context.Context, tx *db.Tx, by auth.Actor, id int64, in IssueInput, today time.Time) (*Bulletin, error) {
	b, err := editable(ctx, tx, by, id, in.Version)
	if err != nil {
		return nil, err
	}
	prefix, issuer, signer, on, err := in.check(today)
	if err != nil {
		return nil, err
	}
	if b.Span.Start().After(on) {
		return nil, apperr.InvalidFields(map[string]string{"date": "成文日期不能早于通报周期的开始（" + project.FormatDate(b.Span.Start()) + "）"})
	}
	if err := lockTown(ctx, tx, b.UnitID); err != nil {
		return nil, err
	}
	seq, err := nextSeq(ctx, tx, b.UnitID, on.Year())
	if err != nil {
		return nil, err
	}
	b.State, b.NumberPrefix, b.NumberYear, b.NumberSeq = Issued, prefix, on.Year(), seq
	b.Number, b.Issuer, b.Signer, b.IssuedOn = formatNumber(prefix, on.Year(), seq), issuer, signer, on
	b.Hash = b.digest()
	res, err := tx.ExecContext(ctx, `UPDATE bulletins SET state = 'issued', number_prefix = $1, number_year = $2, number_seq = $3,
		number = $4, issuer = $5, signer = $6, issued_on = $7, issued_at = $8, issued_by = $9, hash = $10, updated_at = $8, updated_name = $11
		WHERE id = $12 AND state = 'draft' AND version = $13`,
		prefix, on.Year(), seq, b.Number, issuer, signer, project.FormatDate(on), db.Time(tx.Now()), by.UserID, b.Hash, by.Name, b.ID, b.Version)
	if err != nil {
		return nil, fmt.Errorf("bulletin.Issue: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, apperr.Conflictf("这份草稿刚被别人修改或签发，请刷新后再看")
	}
	after := map[string]any{"文号": b.Number, "签发人": signer, "成文日期": ChineseDate(on), "摘要": b.Hash}
	if b.ReplacesID != 0 {
		after["更正"] = b.ReplacesNumber
	}
	return b, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.BulletinIssued, ObjectType: "bulletin", ObjectID: b.ID,
		ObjectName: b.Title, After: after})
}

// Correct starts the correction of an issued bulletin: a new draft with
// the same content that names the one it replaces. The office edits it and
// issues it under a new number; the original stays as issued.
func Correct(ctx context.Context, tx *db.Tx, by auth.Actor, id int64) (*Bulletin, error) {
	b, err := View(ctx, tx, by, id)
	if err != nil {
		return nil, err
	}
	if !CanWrite(by, b.UnitPath) {
		return nil, apperr.Forbiddenf("只有督查室和主要领导可以更正通报")
	}
	if b.State != Issued {
		return nil, apperr.Conflictf("草稿直接修改即可，不需要更正")
	}
	if err := lockTown(ctx, tx, b.UnitID); err != nil {
		return nil, err
	}
	var other int64
	var state string
	err = tx.QueryRowContext(ctx, `SELECT id, state FROM bulletins WHERE replaces_id = $1 ORDER BY id DESC`, id).Scan(&other, &state)
	switch {
	case err == nil && State(state) == Draft:
		return nil, apperr.Conflictf("这份通报已有更正草稿，请在那份草稿上修改")
	case err == nil:
		return nil, apperr.Conflictf("这份通报已被更正，请更正最新的版本")
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("bulletin.Correct: %w", err)
	}
	if !b.Intact {
		return nil, apperr.Conflictf("这份通报的存储内容与签发时不一致，不能据此更正；请联系系统管理员核查")
	}
	u, err := org.GetUnit(ctx, tx, b.UnitID)
	if err != nil {
		return nil, err
	}
	nb, err := insert(ctx, tx, by, u, b.Span, b.Content, b.ID)
	if err != nil {
		return nil, err
	}
	return nb, audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.BulletinDrafted, ObjectType: "bulletin", ObjectID: nb.ID,
		ObjectName: nb.Title, Note: "更正" + b.Number})
}
