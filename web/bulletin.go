package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/bulletin"
	"guatu/db"
	"guatu/docx"
	"guatu/org"
	"guatu/report"
)

// 一季一通报: the bulletins drafted from the frozen months, edited by the
// supervision office, issued with a number and handed out as a print page,
// a Word 公文 and a spreadsheet of its tables.

type bulletinListPage struct {
	Base
	Bulletins []*bulletin.Bulletin
	CanWrite  bool
	Towns     []*org.Unit // where the actor may draft
	Spans     []spanGroup
	Span      string
	UnitID    int64
	Error     string
	// The scoring weights.
	Parts        []bulletin.Part
	Weights      [5]string
	CanWeights   bool
	WeightErrors map[string]string
	WeightError  string
}

// spanGroup is an <optgroup> of the span choice.
type spanGroup struct {
	Label string
	Spans []bulletin.Span
}

// spanChoices are the spans that have begun, this year and last, most
// recent first: quarters, then half-years and years, then months.
func spanChoices(today time.Time) []spanGroup {
	groups := []spanGroup{{Label: "季度"}, {Label: "半年、全年"}, {Label: "月份"}}
	for y := today.Year(); y >= today.Year()-1; y-- {
		for n := 4; n >= 1; n-- {
			if s, _ := bulletin.NewSpan(bulletin.QuarterSpan, y, n); !s.Start().After(today) {
				groups[0].Spans = append(groups[0].Spans, s)
			}
		}
		if s, _ := bulletin.NewSpan(bulletin.YearSpan, y, 0); !s.Start().After(today) {
			groups[1].Spans = append(groups[1].Spans, s)
		}
		for n := 2; n >= 1; n-- {
			if s, _ := bulletin.NewSpan(bulletin.HalfSpan, y, n); !s.Start().After(today) {
				groups[1].Spans = append(groups[1].Spans, s)
			}
		}
		for n := 12; n >= 1; n-- {
			if s, _ := bulletin.NewSpan(bulletin.MonthSpan, y, n); !s.Start().After(today) {
				groups[2].Spans = append(groups[2].Spans, s)
			}
		}
	}
	return groups
}

// writableTowns are the units where the actor drafts bulletins: the units
// of their grants that allow it.
func (s *Server) writableTowns(r *http.Request) ([]*org.Unit, error) {
	var out []*org.Unit
	for _, g := range actor(r).Grants {
		if !auth.Allowed(g.Role, auth.WriteBulletin) {
			continue
		}
		u, err := org.GetUnit(r.Context(), s.db, g.UnitID)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func (s *Server) bulletinListData(r *http.Request) (bulletinListPage, error) {
	a := actor(r)
	list, err := bulletin.List(r.Context(), s.db, a)
	if err != nil {
		return bulletinListPage{}, err
	}
	pg := bulletinListPage{Base: s.base(r, "季度通报", "bulletins"), Bulletins: list, CanWrite: auth.CanAnywhere(a, auth.WriteBulletin),
		Parts: bulletin.Parts, CanWeights: bulletin.CanConfigure(a)}
	if pg.CanWrite {
		if pg.Towns, err = s.writableTowns(r); err != nil {
			return pg, err
		}
		today := s.today()
		pg.Spans = spanChoices(today)
		pg.Span = s.defaultSpan(r, pg.Towns, today).Key()
		if len(pg.Towns) > 0 {
			pg.UnitID = pg.Towns[0].ID
		}
	}
	w, err := bulletin.LoadWeights(r.Context(), s.db)
	for _, p := range bulletin.Parts {
		pg.Weights[p] = strconv.FormatFloat(w[p], 'f', -1, 64)
	}
	return pg, err
}

// defaultSpan is the quarter a new bulletin is most likely for: this
// quarter once its first month is closed, else the one before.
func (s *Server) defaultSpan(r *http.Request, towns []*org.Unit, today time.Time) bulletin.Span {
	q := bulletin.QuarterOf(today)
	if len(towns) > 0 {
		if closed, err := report.IsClosed(r.Context(), s.db, q.First, towns[0].Path); err == nil && closed {
			return q
		}
	}
	return q.Prev()
}

func (s *Server) bulletinList(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.bulletinListData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "bulletin_list", pg)
}

func (s *Server) bulletinCreate(w http.ResponseWriter, r *http.Request) error {
	spanKey, unitText := r.PostFormValue("span"), r.PostFormValue("unit_id")
	var b *bulletin.Bulletin
	err := func() error {
		span, err := bulletin.ParseSpan(spanKey)
		if err != nil {
			return apperr.Invalidf("%s", err.Error())
		}
		towns, err := s.writableTowns(r)
		if err != nil {
			return err
		}
		if len(towns) == 0 {
			return apperr.Forbiddenf("只有督查室和主要领导可以生成通报")
		}
		unitID := towns[0].ID
		if id, err := strconv.ParseInt(unitText, 10, 64); err == nil && id > 0 {
			unitID = id
		}
		return s.db.InTx(r.Context(), func(tx *db.Tx) error {
			b, err = bulletin.Create(r.Context(), tx, actor(r), unitID, span, s.today())
			return err
		})
	}()
	if ae, ok := apperr.As(err); ok && (ae.Kind == apperr.Invalid || ae.Kind == apperr.Conflict) {
		pg, lerr := s.bulletinListData(r)
		if lerr != nil {
			return lerr
		}
		pg.Span, pg.Error = spanKey, ae.Msg
		if id, err := strconv.ParseInt(unitText, 10, 64); err == nil {
			pg.UnitID = id
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "bulletin_list", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/bulletins/%d", b.ID), "通报草稿已按冻结的月度数据生成，请核对文字后签发")
}

func (s *Server) bulletinWeights(w http.ResponseWriter, r *http.Request) error {
	var typed [5]string
	for _, p := range bulletin.Parts {
		typed[p] = r.PostFormValue("w_" + p.Key())
	}
	weights, err := bulletin.ParseWeights(typed)
	if err == nil {
		err = s.db.InTx(r.Context(), func(tx *db.Tx) error { return bulletin.SaveWeights(r.Context(), tx, actor(r), weights) })
	}
	if fields, msg, ok := invalid(err); ok {
		pg, lerr := s.bulletinListData(r)
		if lerr != nil {
			return lerr
		}
		pg.Weights, pg.WeightErrors, pg.WeightError = typed, fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "bulletin_list", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/bulletins", "考评权重已保存，此后生成的通报按新权重计分；已签发的通报不变")
}

type bulletinPage struct {
	Base
	B        *bulletin.Bulletin
	Issuer   string // the 发文机关 shown on a draft
	CanWrite bool
	// The 签发 form of a draft.
	Issue       bulletin.IssueInput
	NextNumber  string
	IssueErrors map[string]string
	IssueError  string
	Print       bool
}

func (s *Server) bulletinData(r *http.Request) (bulletinPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return bulletinPage{}, err
	}
	a := actor(r)
	b, err := bulletin.View(r.Context(), s.db, a, id)
	if err != nil {
		return bulletinPage{}, err
	}
	pg := bulletinPage{Base: s.base(r, b.Content.Title, "bulletins"), B: b, CanWrite: bulletin.CanWrite(a, b.UnitPath), Issuer: b.Issuer}
	if b.State == bulletin.Draft {
		pg.Issue, pg.NextNumber, err = bulletin.IssueDefaults(r.Context(), s.db, a, b, s.today())
		pg.Issuer = pg.Issue.Issuer
	}
	return pg, err
}

func (s *Server) bulletinShow(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.bulletinData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "bulletin_show", pg)
}

// bulletinPrint is the bulletin alone, laid out as a GB/T 9704 公文 on A4.
func (s *Server) bulletinPrint(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.bulletinData(r)
	if err != nil {
		return err
	}
	pg.Print = true
	return s.render(w, r, http.StatusOK, "bulletin_print", pg)
}

func (s *Server) bulletinIssue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	in := bulletin.IssueInput{Version: version, Prefix: r.PostFormValue("prefix"), Issuer: r.PostFormValue("issuer"),
		Signer: r.PostFormValue("signer"), Date: r.PostFormValue("date")}
	var b *bulletin.Bulletin
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		b, err = bulletin.Issue(r.Context(), tx, actor(r), id, in, s.today())
		return err
	})
	if ae, ok := apperr.As(err); ok && (ae.Kind == apperr.Invalid || ae.Kind == apperr.Conflict) {
		pg, lerr := s.bulletinData(r)
		if lerr != nil {
			return lerr
		}
		fields, msg, _ := invalid(err)
		if ae.Kind == apperr.Conflict {
			msg = ae.Msg
		}
		if pg.B.State == bulletin.Draft {
			in.Version = pg.Issue.Version
			pg.Issue = in
		}
		pg.IssueErrors, pg.IssueError = fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "bulletin_show", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/bulletins/%d", b.ID), "通报已签发："+b.Number)
}

func (s *Server) bulletinRegenerate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := bulletin.Regenerate(r.Context(), tx, actor(r), id, version, s.today())
		return err
	})
	to := fmt.Sprintf("/bulletins/%d", id)
	return s.finish(w, r, err, to, "已按最新数据重新生成草稿的数字、表格和文字")
}

func (s *Server) bulletinCorrect(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var nb *bulletin.Bulletin
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		nb, err = bulletin.Correct(r.Context(), tx, actor(r), id)
		return err
	})
	if err != nil {
		return s.finish(w, r, err, fmt.Sprintf("/bulletins/%d", id), "")
	}
	return s.redirect(w, r, fmt.Sprintf("/bulletins/%d", nb.ID), "已生成更正草稿：修改后签发，将取得新文号并注明所替代的通报")
}

func (s *Server) bulletinDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := bulletin.Delete(r.Context(), tx, actor(r), id)
		return err
	})
	if err != nil {
		return s.finish(w, r, err, fmt.Sprintf("/bulletins/%d", id), "")
	}
	return s.redirect(w, r, "/bulletins", "草稿已删除")
}

type bulletinEditPage struct {
	Base
	B      *bulletin.Bulletin
	Edit   bulletin.Edit
	Errors map[string]string
	Error  string
}

func (s *Server) bulletinEditForm(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.bulletinData(r)
	if err != nil {
		return err
	}
	if !pg.CanWrite {
		return apperr.Forbiddenf("只有督查室和主要领导可以修改通报")
	}
	if pg.B.State != bulletin.Draft {
		return apperr.Conflictf("只有草稿可以修改；已签发的通报请点“更正”")
	}
	c := pg.B.Content
	e := bulletin.Edit{Title: c.Title, Recipient: c.Recipient}
	for _, sec := range c.Sections {
		e.Headings = append(e.Headings, sec.Heading)
		e.Paragraphs = append(e.Paragraphs, sec.ParagraphText())
	}
	return s.render(w, r, http.StatusOK, "bulletin_edit", bulletinEditPage{Base: s.base(r, "修改通报", "bulletins"), B: pg.B, Edit: e})
}

func (s *Server) bulletinEditSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	e := bulletin.Edit{Title: r.PostFormValue("title"), Recipient: r.PostFormValue("recipient"),
		Headings: r.PostForm["heading"], Paragraphs: r.PostForm["paragraphs"]}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := bulletin.Update(r.Context(), tx, actor(r), id, version, e)
		return err
	})
	if ae, ok := apperr.As(err); ok && (ae.Kind == apperr.Invalid || ae.Kind == apperr.Conflict) {
		pg, lerr := s.bulletinData(r)
		if lerr != nil {
			return lerr
		}
		if pg.B.State != bulletin.Draft {
			return s.finish(w, r, err, fmt.Sprintf("/bulletins/%d", id), "")
		}
		// Keep what was typed; the form posts the version it was opened
		// with, so a stale form stays stale until the user reloads.
		if len(e.Headings) != len(pg.B.Content.Sections) || len(e.Paragraphs) != len(pg.B.Content.Sections) {
			return s.finish(w, r, err, fmt.Sprintf("/bulletins/%d", id), "")
		}
		pg.B.Version = version
		return s.render(w, r, http.StatusUnprocessableEntity, "bulletin_edit",
			bulletinEditPage{Base: s.base(r, "修改通报", "bulletins"), B: pg.B, Edit: e, Error: ae.Msg})
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/bulletins/%d", id), "通报文字已保存")
}

// bulletinFile is a download of the bulletin: the Word 公文 or the
// spreadsheet of its tables. Downloads are audited: they leave the system.
func (s *Server) bulletinFile(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		pg, err := s.bulletinData(r)
		if err != nil {
			return err
		}
		b := pg.B
		var buf bytes.Buffer
		var contentType, ext string
		switch kind {
		case "docx":
			contentType, ext = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
			err = docx.Write(&buf, b.Document(pg.Issuer))
		default:
			contentType, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
			err = writeBulletinXLSX(&buf, b)
		}
		if err != nil {
			return err
		}
		name := b.Content.Title
		if b.Number != "" {
			name = b.Number + " " + name
		} else {
			name += "（草稿）"
		}
		err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
			return audit.Record(r.Context(), tx, audit.Entry{Actor: actor(r), Action: audit.BulletinExported, ObjectType: "bulletin",
				ObjectID: b.ID, ObjectName: b.Content.Title, Note: ext[1:]})
		})
		if err != nil {
			return err
		}
		attachment(w, contentType, "bulletin-"+b.Span.Key()+ext, name+ext)
		_, err = buf.WriteTo(w)
		return err
	}
}
