package web

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/photo"
	"guatu/project"
	"guatu/report"
)

// 一月一调度 on the web: the month's 报送情况 board, the report form made
// for a phone, a report with its versions, and the office's 退回, 催报 and
// month close.

// periodParam reads ?period=2026-03, defaulting to the month of today.
func (s *Server) periodParam(r *http.Request) report.Period {
	if p, err := report.ParsePeriod(r.FormValue("period")); err == nil {
		return p
	}
	return report.PeriodOf(s.today())
}

type reportBoardPage struct {
	Base
	Board      *report.Board
	Period     report.Period
	Prev, Next string // links to the neighbouring months
	Today      time.Time
	Unit       int64 // the unit whose rows are shown (0: all)
	Rows       []report.Row
	CanReview  bool
	CanClose   bool
	CanConfig  bool
	Config     report.ConfigInput
	Errors     map[string]string
	Error      string
}

// reportBoard is the month's 报送情况: units with their reports due, in on
// time, late and missing, then every project's report. Staff see their own
// unit's projects, so the same page is their to-do list.
func (s *Server) reportBoard(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.reportBoardData(r, s.periodParam(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "report_board", pg)
}

func (s *Server) reportBoardData(r *http.Request, period report.Period) (reportBoardPage, error) {
	a := actor(r)
	if !auth.CanAnywhere(a, auth.ViewReport) {
		return reportBoardPage{}, apperr.Forbiddenf("您的角色不能查看月报")
	}
	cfg, cal, err := s.cycle(r)
	if err != nil {
		return reportBoardPage{}, err
	}
	today := s.today()
	b, err := report.LoadBoard(r.Context(), s.db, a, 0, period, today, cfg, cal)
	if err != nil {
		return reportBoardPage{}, err
	}
	link := func(p report.Period) string { return "/reports?period=" + p.Key() }
	pg := reportBoardPage{Base: s.base(r, period.Label()+"月报报送情况", "reports"), Board: b, Period: period, Today: today,
		Prev: link(period.Prev()), CanReview: auth.CanAnywhere(a, auth.ReviewReport), Config: cfg.Form()}
	if period.Next().Key() <= report.PeriodOf(today).Key() {
		pg.Next = link(period.Next())
	}
	pg.CanClose = pg.CanReview && b.Closed == nil && today.After(b.Deadline)
	pg.CanConfig = report.CanConfigure(a)
	pg.Unit, _ = strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64)
	for _, row := range b.Rows {
		if pg.Unit == 0 || row.Project.UnitID == pg.Unit {
			pg.Rows = append(pg.Rows, row)
		}
	}
	// What still needs doing comes first: missing, returned, pending; then what is in.
	rank := func(row report.Row) int {
		switch {
		case row.Report != nil && row.Report.Status == report.Returned:
			return 1
		case row.Standing == report.Missing:
			return 0
		case row.Standing == report.Pending:
			return 2
		}
		return 3
	}
	slices.SortStableFunc(pg.Rows, func(x, y report.Row) int { return rank(x) - rank(y) })
	return pg, nil
}

// reportRemind sends a 催报 to one unit (unit_id) or to every unit that
// still owes reports for the month.
func (s *Server) reportRemind(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	period := s.periodParam(r)
	var units []int64
	if id, err := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64); err == nil && id > 0 {
		units = []int64{id}
	}
	cfg, cal, err := s.cycle(r)
	if err != nil {
		return err
	}
	var sent []report.Reminded
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		b, err := report.LoadBoard(r.Context(), tx, a, 0, period, s.today(), cfg, cal)
		if err != nil {
			return err
		}
		sent, err = report.Remind(r.Context(), tx, a, b, units, report.ManualReminder)
		if err != nil {
			return err
		}
		return s.notifyReminded(r.Context(), tx, a, period, b.Deadline, sent)
	})
	back := "/reports?period=" + period.Key()
	owed := 0
	for _, x := range sent {
		owed += x.Owed
	}
	msg := fmt.Sprintf("已向 %d 个单位催报，共欠报 %d 份", len(sent), owed)
	if len(sent) == 0 {
		msg = period.Label() + "月报已全部报送，无需催报"
	}
	return s.finish(w, r, err, back, msg)
}

// reportClose closes the month's reporting by hand and freezes its lights.
func (s *Server) reportClose(w http.ResponseWriter, r *http.Request) error {
	period := s.periodParam(r)
	cfg, cal, err := s.cycle(r)
	if err != nil {
		return err
	}
	rules, err := project.LoadRules(r.Context(), s.db)
	if err != nil {
		return err
	}
	var n int
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		unit, err := report.ReviewUnit(actor(r))
		if err != nil {
			return err
		}
		n, err = report.Close(r.Context(), tx, actor(r), unit, period, s.today(), rules, cfg, cal, false)
		return err
	})
	return s.finish(w, r, err, "/reports?period="+period.Key(), fmt.Sprintf("%s已关账，%d 个项目的亮灯已冻结", period.Label(), n))
}

// reportSettings saves the deadline day and the automatic close.
func (s *Server) reportSettings(w http.ResponseWriter, r *http.Request) error {
	in := report.ConfigInput{DeadlineDay: r.PostFormValue("deadline_day"), CloseAfterDays: r.PostFormValue("close_after_days")}
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := report.SaveConfig(r.Context(), tx, actor(r), in)
		return err
	})
	period := s.periodParam(r)
	if fields, msg, ok := invalid(err); ok {
		pg, err := s.reportBoardData(r, period)
		if err != nil {
			return err
		}
		pg.Config, pg.Errors, pg.Error = in, fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "report_board", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/reports?period="+period.Key(), "月报设置已保存")
}

type reportFormPage struct {
	Base
	Project    *project.Project
	Period     report.Period
	Deadline   time.Time
	Report     *report.Report // nil until first saved
	Last       *report.Report // last month's report, for reference
	In         report.Input
	Milestones []formMilestone
	Tracked    []report.ProblemLine // problems already tracked from this report
	// Cumulative is the project's completed investment without this
	// report's amount: the form shows it plus what is typed.
	Cumulative int64
	Errors     map[string]string
	Error      string
	Today      time.Time
	MaxPhotos  int
}

// formMilestone is a milestone the report may tick.
type formMilestone struct {
	project.StoredMilestone
	Ticked  bool
	On      string
	DueHere bool // planned within the month reported on
	Late    bool // planned before it
}

// reportForm opens the project's report for the month: the saved one when
// it may still be changed, else a new one prefilled from last month (its
// plan as this month's starting text, milestones due this month first).
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.reportFormData(r)
	if err != nil {
		return err
	}
	if pg.Report != nil && !pg.Report.Status.Editable() {
		http.Redirect(w, r, fmt.Sprintf("/reports/%d", pg.Report.ID), http.StatusSeeOther)
		return nil
	}
	if pg.Report != nil {
		pg.In = report.InputOf(pg.Report)
	} else if pg.Last != nil {
		pg.In.Progress = pg.Last.NextPlan
	}
	pg.fillMilestones()
	return s.render(w, r, http.StatusOK, "report_form", pg)
}

func (s *Server) reportFormData(r *http.Request) (reportFormPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return reportFormPage{}, err
	}
	a := actor(r)
	p, err := project.View(r.Context(), s.db, a, id)
	if err != nil {
		return reportFormPage{}, err
	}
	if !report.CanSubmit(a, p) {
		return reportFormPage{}, apperr.Forbiddenf("只有牵头单位“%s”的经办人可以填报该项目的月报", p.UnitName)
	}
	period := s.periodParam(r)
	cfg, cal, err := s.cycle(r)
	if err != nil {
		return reportFormPage{}, err
	}
	pg := reportFormPage{Base: s.base(r, p.Name+" "+period.Label()+"月报", "reports"), Project: p, Period: period,
		Deadline: period.Deadline(cfg.DeadlineDay, cal), Today: s.today(), MaxPhotos: report.MaxPhotos}
	rep, err := report.Find(r.Context(), s.db, p.ID, period)
	switch {
	case err == nil:
		pg.Report = rep
	case apperr.KindOf(err) != apperr.NotFound:
		return pg, err
	}
	if pg.Last, err = report.Latest(r.Context(), s.db, p.ID, period); err != nil {
		return pg, err
	}
	pg.Cumulative = p.CompletedInvest
	if pg.Report != nil {
		pg.Cumulative -= pg.Report.AppliedInvest
		for _, line := range pg.Report.Problems {
			if line.ProblemID != 0 {
				pg.Tracked = append(pg.Tracked, line)
			}
		}
	}
	return pg, nil
}

// fillMilestones lists the milestones the report may tick: due this month
// first, then late ones, then the rest; reached ones only if this report
// reached them.
func (pg *reportFormPage) fillMilestones() {
	mine := map[int64]bool{}
	if pg.Report != nil {
		for _, id := range pg.Report.Owned {
			mine[id] = true
		}
	}
	pg.Milestones = nil
	for _, m := range pg.Project.Milestones {
		if !m.Actual.IsZero() && !mine[m.ID] {
			continue
		}
		on, ticked := pg.In.Reached[m.ID]
		fm := formMilestone{StoredMilestone: m, Ticked: ticked, On: on}
		if !m.Planned.IsZero() {
			fm.DueHere = !m.Planned.Before(pg.Period.First()) && !m.Planned.After(pg.Period.Last())
			fm.Late = m.Planned.Before(pg.Period.First())
		}
		if fm.On == "" {
			fm.On = pg.Today.Format(time.DateOnly)
			if pg.Today.After(pg.Period.Last()) {
				fm.On = pg.Period.Last().Format(time.DateOnly)
			}
		}
		pg.Milestones = append(pg.Milestones, fm)
	}
	rank := func(m formMilestone) int {
		switch {
		case m.DueHere:
			return 0
		case m.Late:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(pg.Milestones, func(x, y formMilestone) int { return rank(x) - rank(y) })
}

// reportInput reads the form. Photos are checked and re-encoded here,
// before the transaction, a few at a time across the server.
func (s *Server) reportInput(r *http.Request) (report.Input, error) {
	f := r.PostForm
	in := report.Input{MonthInvest: f.Get("month_invest"), Progress: f.Get("progress"), NextPlan: f.Get("next_plan"),
		Problems: f.Get("problems"), RemovePhotos: f["remove_photo"], Reached: map[int64]string{}}
	for _, v := range f["reached"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Reached[id] = f.Get(fmt.Sprintf("reached_%d", id))
		}
	}
	if r.MultipartForm == nil {
		return in, nil
	}
	files := r.MultipartForm.File["photos"]
	if len(files) > report.MaxPhotos {
		return in, apperr.InvalidFields(map[string]string{"photos": fmt.Sprintf("一次最多上传 %d 张照片", report.MaxPhotos)})
	}
	for i, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file input of a browser that sends one
		}
		up, err := s.processPhoto(fh)
		if err != nil {
			msg := err.Error()
			if ae, ok := apperr.As(err); ok {
				msg = ae.Msg
			}
			return in, apperr.InvalidFields(map[string]string{"photos": fmt.Sprintf("第 %d 张照片（%s）：%s", i+1, fh.Filename, msg)})
		}
		in.Uploads = append(in.Uploads, up)
	}
	return in, nil
}

// photoSlots bounds how many photos are decoded at once: a phone photo
// takes up to a few hundred MB to decode, and on the deadline day hundreds
// arrive together. The rest wait their turn.
var photoSlots = make(chan struct{}, max(2, runtime.NumCPU()))

func (s *Server) processPhoto(fh *multipart.FileHeader) (report.Upload, error) {
	if fh.Size > photo.MaxBytes {
		return report.Upload{}, apperr.Invalidf("文件超过 %d MB，请压缩或截图后再传", photo.MaxBytes>>20)
	}
	file, err := fh.Open()
	if err != nil {
		return report.Upload{}, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, photo.MaxBytes+1))
	if err != nil {
		return report.Upload{}, err
	}
	photoSlots <- struct{}{}
	defer func() { <-photoSlots }()
	ph, err := photo.Process(data)
	if err != nil {
		return report.Upload{}, err
	}
	return report.Upload{Name: photo.NewName(), JPEG: ph.JPEG, Thumb: ph.Thumb, Width: ph.Width, Height: ph.Height, TakenAt: ph.TakenAt}, nil
}

// reportSave saves the form as a draft or submits it. A submission that
// is incomplete keeps what was typed; photos chosen with it are kept in the
// draft, since a browser cannot put them back into the form.
func (s *Server) reportSave(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.reportFormData(r)
	if err != nil {
		return err
	}
	a := actor(r)
	submit := r.PostFormValue("action") == "submit"
	in, err := s.reportInput(r)
	var saved *report.Report
	if err == nil {
		err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
			saved, err = report.Save(r.Context(), tx, a, pg.Project.ID, pg.Period, in, submit, s.today())
			return err
		})
	}
	fields, msg, bad := invalid(err)
	if bad && submit && len(in.Uploads) > 0 && fields["photos"] == "" {
		// Keep the photos as a draft; the form shows what is missing.
		draftErr := s.db.InTx(r.Context(), func(tx *db.Tx) error {
			d, err := report.Save(r.Context(), tx, a, pg.Project.ID, pg.Period, in, false, s.today())
			if err == nil {
				pg.Report = d
			}
			return err
		})
		if draftErr == nil {
			msg = "照片已随草稿保存。" + msg
			in.Uploads, in.RemovePhotos = nil, nil
		}
	}
	if bad {
		pg.In, pg.Errors, pg.Error = in, fields, msg
		if pg.Report != nil {
			if fresh, err := report.Get(r.Context(), s.db, pg.Report.ID); err == nil {
				pg.Report = fresh
			}
		}
		pg.fillMilestones()
		return s.render(w, r, http.StatusUnprocessableEntity, "report_form", pg)
	}
	if apperr.KindOf(err) == apperr.Conflict {
		return s.finish(w, r, err, fmt.Sprintf("/projects/%d", pg.Project.ID), "")
	}
	if err != nil {
		return err
	}
	if submit {
		return s.redirect(w, r, fmt.Sprintf("/reports/%d", saved.ID), pg.Period.Label()+"月报已报送")
	}
	return s.redirect(w, r, fmt.Sprintf("/projects/%d/report?period=%s", pg.Project.ID, pg.Period.Key()), "草稿已保存，可随时回来继续填写")
}

type reportShowPage struct {
	Base
	Report    *report.Report
	Project   *project.Project
	Versions  []report.Version
	Deadline  time.Time
	Standing  report.Standing
	CanEdit   bool
	CanReturn bool
	Reason    string
	Errors    map[string]string
	Error     string
	// Instructions are the 批示 written on the report.
	Instructions instructionBlock
}

// reportShow is a report as submitted, with every version and the office's 退回.
func (s *Server) reportShow(w http.ResponseWriter, r *http.Request) error {
	pg, err := s.reportShowData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "report_show", pg)
}

func (s *Server) reportShowData(r *http.Request) (reportShowPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return reportShowPage{}, err
	}
	a := actor(r)
	rep, p, err := report.View(r.Context(), s.db, a, id)
	if err != nil {
		return reportShowPage{}, err
	}
	versions, err := report.Versions(r.Context(), s.db, id)
	if err != nil {
		return reportShowPage{}, err
	}
	cfg, cal, err := s.cycle(r)
	if err != nil {
		return reportShowPage{}, err
	}
	pg := reportShowPage{Base: s.base(r, p.Name+" "+rep.Period.Label()+"月报", "reports"), Report: rep, Project: p, Versions: versions,
		Deadline: rep.Period.Deadline(cfg.DeadlineDay, cal),
		CanEdit:  rep.Status.Editable() && report.CanSubmit(a, p), CanReturn: rep.Status == report.Submitted && report.CanReview(a, rep)}
	pg.Standing = report.StandingOf(rep.FirstSubmittedOn, pg.Deadline, s.today())
	pg.Instructions, err = s.instructionBlock(r, instruction.Report, rep.ID)
	return pg, err
}

// reportReturn sends a submitted report back to its unit with the reason.
func (s *Server) reportReturn(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	reason := r.PostFormValue("reason")
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error {
		rep, err := report.Return(r.Context(), tx, a, id, reason)
		if err != nil {
			return err
		}
		return s.notifyReturned(r.Context(), tx, a, rep)
	})
	if fields, msg, ok := invalid(err); ok {
		pg, err := s.reportShowData(r)
		if err != nil {
			return err
		}
		pg.Reason, pg.Errors, pg.Error = reason, fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "report_show", pg)
	}
	return s.finish(w, r, err, fmt.Sprintf("/reports/%d", id), "已退回，单位修改后会重新报送")
}

// reportPhoto serves a report's photo (?thumb=1 for its thumbnail) to
// those who may read the report.
func (s *Server) reportPhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if !photo.ValidName(name) {
		return apperr.NotFoundf("照片不存在")
	}
	thumb := r.URL.Query().Get("thumb") == "1"
	b, err := report.PhotoBytes(r.Context(), s.db, actor(r), id, name, thumb)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	// Private to the signed-in reader, and never changes under its name.
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("Content-Disposition", "inline; filename="+url.PathEscape(name+".jpg"))
	w.Write(b)
	return nil
}
