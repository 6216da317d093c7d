package web

import (
	"net/http"
	"strconv"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
	"guatu/worktime"
)

// The working-day calendar's page: the system administrator keeps each
// year's holidays and 调休 days, which every deadline counts with.
type holidaysPage struct {
	Base
	Year       int
	Years      []int
	Days       []worktime.Day
	Known      bool
	NextKnown  bool
	Offs, Work int
	In         worktime.DayInput
	Errors     map[string]string
	Error      string
}

func (s *Server) holidaysData(r *http.Request, year int) (holidaysPage, error) {
	if !auth.CanAnywhere(actor(r), auth.EditCalendar) {
		return holidaysPage{}, apperr.Forbiddenf("只有系统管理员可以查看和修改节假日安排")
	}
	c, err := worktime.Load(r.Context(), s.db)
	if err != nil {
		return holidaysPage{}, err
	}
	now := s.db.Now().In(s.loc).Year()
	pg := holidaysPage{Base: s.base(r, "节假日安排", "holidays"), Year: year, Days: c.Special(year), Known: c.Known(year),
		NextKnown: c.Known(now + 1), Years: []int{now - 1, now, now + 1}}
	for _, d := range pg.Days {
		if d.Kind == worktime.Off {
			pg.Offs++
		} else {
			pg.Work++
		}
	}
	return pg, nil
}

func (s *Server) holidays(w http.ResponseWriter, r *http.Request) error {
	year := yearParam(r.URL.Query().Get("year"), s.db.Now().In(s.loc).Year())
	pg, err := s.holidaysData(r, year)
	if err != nil {
		return err
	}
	pg.In = worktime.DayInput{Kind: string(worktime.Off)}
	return s.render(w, r, http.StatusOK, "holidays", pg)
}

func (s *Server) holidaySet(w http.ResponseWriter, r *http.Request) error {
	in := worktime.DayInput{Date: r.PostFormValue("date"), Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name")}
	var d worktime.Day
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error {
		var err error
		d, err = worktime.SetDay(r.Context(), tx, actor(r), in)
		return err
	})
	if fields, msg, ok := invalid(err); ok {
		year := s.db.Now().In(s.loc).Year()
		if t, perr := time.Parse("2006-01-02", in.Date); perr == nil {
			year = t.Year()
		}
		pg, err := s.holidaysData(r, year)
		if err != nil {
			return err
		}
		pg.In, pg.Errors, pg.Error = in, fields, msg
		return s.render(w, r, http.StatusUnprocessableEntity, "holidays", pg)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/admin/holidays?year="+strconv.Itoa(d.Date.Year()), d.Date.Format("2006-01-02")+" 已设为"+d.Kind.Label())
}

func (s *Server) holidayDelete(w http.ResponseWriter, r *http.Request) error {
	date := r.PostFormValue("date")
	err := s.db.InTx(r.Context(), func(tx *db.Tx) error { return worktime.DeleteDay(r.Context(), tx, actor(r), date) })
	if err != nil {
		return err
	}
	year := s.db.Now().In(s.loc).Year()
	if t, perr := time.Parse("2006-01-02", date); perr == nil {
		year = t.Year()
	}
	return s.redirect(w, r, "/admin/holidays?year="+strconv.Itoa(year), date+" 已恢复为平常日")
}
