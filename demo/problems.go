package demo

import (
	"context"
	"fmt"
	"strconv"

	"guatu/account"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/problem"
	"guatu/project"
	"guatu/worktime"
)

// demoStep is one action on a demo problem, ago days before the seeding
// day (never earlier than the step before it).
type demoStep struct {
	ago  int
	act  problem.Action
	note string
	date int // extend: the date asked for, days from the seeding day (moved to a working day)
	file string
}

// demoProblem is one 堵点 of the demo town and its history so far.
type demoProblem struct {
	title, description string
	category           problem.Category
	source             problem.Source
	priority           problem.Priority
	project            string // a demo project's name, or ""
	unit               string
	co                 []string
	limit              int  // working days from 签收; 0: deadline
	deadline           int  // fixed deadline, days from the seeding day
	ago                int  // days since it was assigned (or reported)
	reported           bool // reported by the unit's clerk rather than assigned by the office
	steps              []demoStep
}

const (
	socialAffairs = "社会事务办公室"
	emergency     = "应急管理办公室"
)

// demoProblems cover every state, every deadline standing (on track, due
// soon, overdue, overdue long enough for the chief and the meeting), a
// request for more time in each outcome, a return, and attachments.
var demoProblems = []demoProblem{
	{title: "深海养殖基地用海审批手续未办结", category: problem.Approval, source: problem.FromReport, priority: problem.Urgent,
		description: "一期养殖区海域使用权证尚未取得，县海洋局要求补充海域使用论证报告，影响网箱投放。",
		project:     "深海养殖基地（一期）", unit: econ, co: []string{natural}, limit: 10, ago: 30,
		steps: []demoStep{{ago: 29, act: problem.ActSign},
			{ago: 20, act: problem.ActFeedback, note: "已向县海洋局报送海域使用论证报告，等待专家评审。"}}},
	{title: "滨海大道改扩建沿线3户征迁未签约", category: problem.Relocation, source: problem.FromMeeting, priority: problem.Critical,
		description: "K2+300至K2+650段尚有3户未签订征迁协议，其中2户对补偿标准有异议，影响路基施工。",
		project:     "滨海大道改扩建", unit: build, co: []string{"海滨社区", "综治中心"}, limit: 5, ago: 14,
		steps: []demoStep{{ago: 13, act: problem.ActSign},
			{ago: 6, act: problem.ActFeedback, note: "已入户做工作两次，1户同意签约；2户对补偿标准有异议，拟请综治中心参与调解。"}}},
	{title: "水产品精深加工项目用地指标未落实", category: problem.Land, source: problem.FromSite, priority: problem.Urgent,
		description: "项目一期需新增建设用地42亩，县里年度指标尚未分配到镇，供地无法启动。",
		project:     "水产品精深加工项目", unit: natural, co: []string{econ}, limit: 10, ago: 20,
		steps: []demoStep{{ago: 19, act: problem.ActSign},
			{ago: 12, act: problem.ActFeedback, note: "已向县自然资源局专题报告，争取第二批指标。"},
			{ago: 3, act: problem.ActExtend, date: 30, note: "县里第二批新增建设用地指标预计下月下达。"}}},
	{title: "闲置厂房技术改造项目供电增容", category: problem.Utilities, source: problem.FromReport, priority: problem.Normal,
		description: "原水产二厂改造后用电负荷增至1600千伏安，现有变压器容量不足。",
		project:     "闲置厂房技术改造（原水产二厂）", unit: econ, deadline: 2, ago: 6,
		steps: []demoStep{{ago: 5, act: problem.ActSign},
			{ago: 2, act: problem.ActFeedback, note: "供电公司已出具增容方案，施工队下周进场。", file: "供电公司答复.txt"}}},
	{title: "滨海休闲旅游度假区规划调整需县规委会审议", category: problem.Planning, source: problem.FromMeeting, priority: problem.Normal,
		description: "度假区北片用地性质需由林地调整为旅游服务设施用地，须提交县规委会审议。",
		project:     "滨海休闲旅游度假区", unit: culture, co: []string{natural}, limit: 15, ago: 0},
	{title: "应急避难场所建设资金缺口600万元", category: problem.Funding, source: problem.FromReport, priority: problem.Urgent,
		description: "项目总投资1500万元，已落实上级补助900万元，尚有600万元资金来源未明确。",
		project:     "应急避难场所建设", unit: emergency, co: []string{"财政所"}, limit: 10, ago: 12},
	{title: "民宿集群提升工程消防验收卡在县消防大队", category: problem.Approval, source: problem.FromSite, priority: problem.Normal,
		description: "石塘村12家民宿完成提升改造，消防验收排期未定，无法办理经营许可。",
		project:     "民宿集群提升工程", unit: culture, co: []string{"石塘村"}, limit: 15, ago: 25,
		steps: []demoStep{{ago: 24, act: problem.ActSign},
			{ago: 15, act: problem.ActFeedback, note: "已与县消防大队对接，首批6家已验收。"},
			{ago: 2, act: problem.ActFinish, note: "县消防大队已出具全部12家民宿的验收意见，经营许可已受理。"}}},
	{title: "古厝修缮涉及文物建筑，维修政策不明确", category: problem.Policy, source: problem.FromInstruction, priority: problem.Normal,
		description: "示范区内3处古厝为县级文物保护点，修缮方案须经文物部门审批，审批口径不清。",
		project:     "XX古厝活化利用示范区", unit: culture, limit: 10, ago: 40,
		steps: []demoStep{{ago: 39, act: problem.ActSign},
			{ago: 33, act: problem.ActFeedback, note: "已请县文旅局文物科现场指导，明确按“修旧如旧”原则编制方案。"},
			{ago: 30, act: problem.ActFinish, note: "修缮方案已获县文旅局批复。"},
			{ago: 28, act: problem.ActClose, note: "经核实批复文件齐全，予以销号。"}}},
	{title: "供水管网改造工程道路开挖许可未办", category: problem.Utilities, source: problem.FromReport, priority: problem.Normal,
		description: "管网穿越渔港路、海滨路，需县交通、公安部门道路开挖许可。",
		project:     "供水管网改造工程", unit: build, limit: 3, ago: 35,
		steps: []demoStep{{ago: 34, act: problem.ActSign},
			{ago: 31, act: problem.ActFinish, note: "已取得海滨路开挖许可。"},
			{ago: 30, act: problem.ActReturn, note: "许可范围未覆盖渔港路段，请补办后再报办结。"},
			{ago: 15, act: problem.ActFinish, note: "渔港路段开挖许可已补办。"},
			{ago: 14, act: problem.ActClose}}},
	{title: "东岙村村道拓宽需占用少量基本农田", category: problem.Land, source: problem.FromPublic, priority: problem.Normal,
		description: "村民反映村道过窄、会车困难；拓宽需占用约1.2亩基本农田，须落实占补平衡。",
		unit:        "东岙村", limit: 15, ago: 9, reported: true,
		steps: []demoStep{{ago: 8, act: problem.ActSign},
			{ago: 4, act: problem.ActFeedback, note: "已与涉及的5户农户协商置换方案，4户同意。"}}},
	{title: "渔港锚地疏浚资金需县级配套", category: problem.Funding, source: problem.FromMeeting, priority: problem.Urgent,
		description: "避风锚地疏浚工程概算2800万元，省级补助到位，县级配套资金尚未安排。",
		project:     "渔港经济区改造提升", unit: build, co: []string{"财政所"}, limit: 10, ago: 18,
		steps: []demoStep{{ago: 17, act: problem.ActSign},
			{ago: 12, act: problem.ActExtend, date: 20, note: "县财政预算调整须经县人大常委会审议，会期在下月中旬。"},
			{ago: 11, act: problem.ActApproveExtension, note: "同意，请跟踪县人大会议议程。"},
			{ago: 5, act: problem.ActFeedback, note: "县财政局已将配套资金列入预算调整方案。"}}},
	{title: "镇卫生院迁建项目可研批复", category: problem.Approval, source: problem.FromReport, priority: problem.Normal,
		description: "可研报告已编制完成，尚未取得县发改局批复，影响初步设计。",
		project:     "镇卫生院迁建", unit: socialAffairs, limit: 10, ago: 16,
		steps: []demoStep{{ago: 15, act: problem.ActSign},
			{ago: 8, act: problem.ActExtend, date: 10, note: "县发改局评审会排期较晚。"},
			{ago: 7, act: problem.ActRefuseExtension, note: "评审会已协调提前，请按期推进。"}}},
}

// clerks are the people who act for units without a demo account.
var clerks = map[string]string{build: "罗文杰", natural: "邱国庆", culture: "郭欣怡", emergency: "董浩然", socialAffairs: "韩雪梅"}

// seedProblems records the demo problems through the real workflow, then
// spreads each one's history over the past weeks (problem.Backdate), so the
// lists show every state and every deadline standing on any seeding day.
func seedProblems(ctx context.Context, tx *db.Tx, sys auth.Actor, units map[string]*org.Unit) error {
	as := func(username string) (auth.Actor, error) {
		u, err := account.ByUsername(ctx, tx, username)
		if err != nil {
			return auth.Actor{}, fmt.Errorf("demo: account %s: %w", username, err)
		}
		return u.Actor("", "", "demo"), nil
	}
	office, err := as("supervisor")
	if err != nil {
		return err
	}
	staff, err := as("staff")
	if err != nil {
		return err
	}
	village, err := as("village")
	if err != nil {
		return err
	}
	// A unit without a demo account answers through its clerk: the system,
	// under the clerk's name, so the timeline reads like the town's.
	clerk := func(unit string) auth.Actor {
		switch unit {
		case econ:
			return staff
		case "东岙村":
			return village
		}
		a := auth.SystemActor("demo")
		a.Name, a.UnitName = clerks[unit], unit
		return a
	}
	projects, _, err := project.List(ctx, tx, sys, project.Filter{})
	if err != nil {
		return err
	}
	projectIDs := map[string]int64{}
	for _, p := range projects {
		projectIDs[p.Name] = p.ID
	}
	cal, err := worktime.Load(ctx, tx)
	if err != nil {
		return err
	}
	today := problem.DayOf(tx.Now())
	// workday is the working day on or after offset days from the seeding
	// day, written in a frame that Backdate later moves back by frame days.
	workday := func(offset, frame int) string {
		return project.FormatDate(cal.NextWorkday(today.AddDate(0, 0, offset)).AddDate(0, 0, frame))
	}
	for _, d := range demoProblems {
		unit, ok := units[d.unit]
		if !ok {
			return fmt.Errorf("demo: problem %s: unit %s missing", d.title, d.unit)
		}
		// Everything is recorded in a frame that is later moved back by
		// frame days, so dates given now are the real ones plus frame.
		frame := d.ago
		in := problem.Input{Title: d.title, Description: d.description, Category: string(d.category), Source: string(d.source),
			Priority: string(d.priority), UnitID: strconv.FormatInt(unit.ID, 10)}
		if d.limit > 0 {
			in.LimitDays = strconv.Itoa(d.limit)
		} else {
			in.Deadline = workday(d.deadline, frame)
		}
		if d.project != "" {
			id, ok := projectIDs[d.project]
			if !ok {
				return fmt.Errorf("demo: problem %s: project %s missing", d.title, d.project)
			}
			in.ProjectID = strconv.FormatInt(id, 10)
		}
		for _, name := range d.co {
			u, ok := units[name]
			if !ok {
				return fmt.Errorf("demo: problem %s: unit %s missing", d.title, name)
			}
			in.CoUnitIDs = append(in.CoUnitIDs, strconv.FormatInt(u.ID, 10))
		}
		by := office
		if d.reported {
			by = clerk(d.unit)
		}
		p, err := problem.Create(ctx, tx, by, in)
		if err != nil {
			return fmt.Errorf("demo: problem %s: %w", d.title, err)
		}
		back := func(days int) error {
			if days == 0 {
				return nil
			}
			return problem.Backdate(ctx, tx, sys, p.ID, days)
		}
		for _, s := range d.steps {
			if err := back(frame - s.ago); err != nil {
				return err
			}
			frame = s.ago
			unitClerk := clerk(d.unit)
			var files []problem.Upload
			if s.file != "" {
				files = []problem.Upload{{Name: s.file, Data: []byte(s.note + "\n（演示附件）\n")}}
			}
			switch s.act {
			case problem.ActSign:
				_, err = problem.Sign(ctx, tx, unitClerk, p.ID)
			case problem.ActFeedback:
				_, err = problem.Feedback(ctx, tx, unitClerk, p.ID, s.note, files)
			case problem.ActFinish:
				_, err = problem.Finish(ctx, tx, unitClerk, p.ID, s.note, files)
			case problem.ActExtend:
				_, err = problem.RequestExtension(ctx, tx, unitClerk, p.ID, problem.ExtensionInput{NewDeadline: workday(s.date, frame), Reason: s.note})
			case problem.ActClose:
				_, err = problem.Close(ctx, tx, office, p.ID, s.note)
			case problem.ActReturn:
				_, err = problem.Return(ctx, tx, office, p.ID, s.note)
			case problem.ActApproveExtension:
				_, err = problem.ApproveExtension(ctx, tx, office, p.ID, s.note)
			case problem.ActRefuseExtension:
				_, err = problem.RefuseExtension(ctx, tx, office, p.ID, s.note)
			}
			if err != nil {
				return fmt.Errorf("demo: problem %s: %s: %w", d.title, s.act.Label(), err)
			}
		}
		if err := back(frame); err != nil {
			return err
		}
	}
	return nil
}
