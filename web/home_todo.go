package web

import (
	"fmt"
	"net/http"

	"guatu/auth"
	"guatu/instruction"
	"guatu/problem"
	"guatu/project"
	"guatu/report"
)

// todo is one line of the 工作台's 待办: what needs the signed-in person
// now, with where to do it. Lines with nothing to do are left out.
type todo struct {
	Label string
	N     int
	Href  string
	Bad   bool // overdue or late: shown in red
}

// todos gathers the person's work across the monthly loop, each from the
// same domain query as the page it links to, so the numbers agree.
func (s *Server) todos(r *http.Request) ([]todo, error) {
	ctx, a := r.Context(), actor(r)
	today := s.today()
	var out []todo
	add := func(label string, n int, href string, bad bool) {
		if n > 0 {
			out = append(out, todo{label, n, href, bad})
		}
	}
	if auth.CanAnywhere(a, auth.ViewReport) {
		cfg, cal, err := s.cycle(r)
		if err != nil {
			return nil, err
		}
		period := report.PeriodOf(today)
		b, err := report.LoadBoard(ctx, s.db, a, 0, period, today, cfg, cal)
		if err != nil {
			return nil, err
		}
		owed, returned := 0, 0
		for _, row := range b.Rows {
			if row.Owed() && report.CanSubmit(a, row.Project) {
				owed++
				if row.Report != nil && row.Report.Status == report.Returned {
					returned++
				}
			}
		}
		link := "/reports?period=" + period.Key()
		add(fmt.Sprintf("%s月报待填报（%s截止）", period.Label(), b.Deadline.Format("1月2日")), owed-returned, link, today.After(b.Deadline))
		add("月报被退回待修改", returned, link, true)
		if auth.CanAnywhere(a, auth.ReviewReport) {
			add(period.Label()+"月报逾期未报", b.Total.Missing, link, true)
		}
	}
	if auth.CanAnywhere(a, auth.ViewProblem) {
		count := func(f problem.Filter) (int, error) {
			f.Limit = 1
			_, n, err := problem.List(ctx, s.db, a, f)
			return n, err
		}
		if auth.CanAnywhere(a, auth.HandleProblem) {
			n, err := count(problem.Filter{Mine: true, State: problem.Pending})
			if err != nil {
				return nil, err
			}
			add("交办给本单位、待签收的问题", n, "/problems?tab=mine&state=pending", false)
		}
		// Overdue problems are work for those who act on them (a viewer only watches).
		if auth.CanAnywhere(a, auth.RaiseProblem) {
			n, err := count(problem.Filter{OverdueOn: today})
			if err != nil {
				return nil, err
			}
			add("逾期未办结的问题", n, "/problems?tab=overdue", true)
		}
		if auth.CanAnywhere(a, auth.SuperProblem) {
			n, err := count(problem.Filter{State: problem.Done})
			if err != nil {
				return nil, err
			}
			add("已办结、待审核销号的问题", n, "/problems?state=done", false)
		}
	}
	if auth.CanAnywhere(a, auth.AnswerInstr) {
		_, n, err := instruction.List(ctx, s.db, a, instruction.Filter{Box: instruction.ToAnswer, Limit: 1})
		if err != nil {
			return nil, err
		}
		add("待本单位反馈的领导批示", n, "/instructions?box=todo", false)
	}
	if auth.CanAnywhere(a, auth.ViewProject) && (a.HasRole(auth.Chief) || a.HasRole(auth.Leader) || a.HasRole(auth.Supervisor)) {
		j, err := s.judging(r)
		if err != nil {
			return nil, err
		}
		list, _, err := project.List(ctx, s.db, a, project.Filter{Tier: project.Active, Details: true})
		if err != nil {
			return nil, err
		}
		red := 0
		for _, p := range list {
			if j.row(p).Light == project.Red {
				red++
			}
		}
		add("亮红灯的重点项目", red, "/battlemap?light=red", true)
	}
	return out, nil
}
