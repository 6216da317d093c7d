package demo

import (
	"context"
	"fmt"
	"strconv"

	"guatu/account"
	"guatu/auth"
	"guatu/db"
	"guatu/instruction"
	"guatu/org"
	"guatu/project"
)

// demoInstruction is one 批示 of the demo town. Days are relative to the
// day the demo is seeded, so it always shows one answered in time, one
// answered late, one overdue past the 分管领导 and on to the 主要领导, one
// just overdue, one due soon and one closed.
type demoInstruction struct {
	writer    string   // demo account
	project   string   // the project it is written on ("" for one on its own)
	units     []string // addressed units
	person    string   // a person named in it ("" for none)
	content   string
	writtenAt int // days from today (negative: a paper 批示 entered later)
	dueIn     int // deadline, days from today
	answers   []demoAnswer
	closeNote string // set: the writer marks it 已落实
}

// demoAnswer is a unit's answer, given by a demo account.
type demoAnswer struct{ by, unit, text string }

var demoInstructions = []demoInstruction{
	{writer: "chief", project: "XX湾蓝色经济产业园", units: []string{econ}, writtenAt: -3, dueIn: 4,
		content: "蓝色经济产业园是全镇一号工程，请经发办对标年度节点倒排工期，每周报送一次进展。",
		answers: []demoAnswer{{"staff", econ, "已制定倒排工期表，明确 12 个节点和责任人，每周五报送进展。"}}},
	{writer: "leader", project: "水产品精深加工项目", units: []string{econ, natural}, writtenAt: -20, dueIn: -8,
		content: "签约已逾四个月仍未落地，请经发办、自然资源所会商用地指标，拿出落地时间表。",
		answers: []demoAnswer{{"staff", econ, "已与企业会商，拟 4 月底前完成供地，时间表附后。"},
			{"supervisor", natural, "用地指标已报县局审核（纸质反馈，督查室代录）。"}},
		closeNote: "供地时间表已明确，转入月度调度跟踪。"},
	{writer: "chief", project: "滨海大道改扩建", units: []string{build}, person: huang, writtenAt: -30, dueIn: -21,
		content: "滨海大道征迁进度严重滞后，请城建办拿出攻坚方案，黄伟东同志牵头调度。"},
	{writer: "leader", project: "深海养殖基地（一期）", units: []string{econ, "东岙村"}, writtenAt: -9, dueIn: -2,
		content: "海域使用权证办理卡在哪个环节？请经发办会同东岙村查明原因并反馈。",
		answers: []demoAnswer{{"village", "东岙村", "村里已完成养殖户清退协议签订，剩余 2 户正在做工作。"}}},
	{writer: "chief", units: []string{"党政办（督查室）", "应急管理办公室", "综治中心"}, writtenAt: -1, dueIn: 2,
		content: "春季安全生产大检查要全覆盖、无死角，请各单位报送检查情况和整改清单。"},
	{writer: "chief", project: "XX古厝活化利用示范区", units: []string{culture}, person: wang, writtenAt: 0, dueIn: 20,
		content: "古厝活化要坚持修旧如旧，请文旅办结合文化节谋划业态，王丽琴同志审定方案。"},
}

// seedInstructions writes the demo's 批示 and answers as their demo
// accounts, so the audit trail and every page show real names.
func seedInstructions(ctx context.Context, tx *db.Tx, units map[string]*org.Unit) error {
	today := project.DayOf(tx.Now(), shanghai)
	ymd := func(offset int) string { return project.FormatDate(today.AddDate(0, 0, offset)) }
	actors := map[string]auth.Actor{}
	as := func(username string) (auth.Actor, error) {
		if a, ok := actors[username]; ok {
			return a, nil
		}
		u, err := account.ByUsername(ctx, tx, username)
		if err != nil {
			return auth.Actor{}, fmt.Errorf("demo: account %s: %w", username, err)
		}
		actors[username] = u.Actor("", "", "demo")
		return actors[username], nil
	}
	projects, _, err := project.List(ctx, tx, auth.SystemActor("demo"), project.Filter{})
	if err != nil {
		return err
	}
	projectID := map[string]int64{}
	for _, p := range projects {
		projectID[p.Name] = p.ID
	}
	people, _, err := org.People(ctx, tx, auth.SystemActor("demo"), org.PeopleFilter{})
	if err != nil {
		return err
	}
	personID := map[string]int64{}
	for _, p := range people {
		personID[p.Name] = p.ID
	}
	for _, d := range demoInstructions {
		writer, err := as(d.writer)
		if err != nil {
			return err
		}
		in := instruction.Input{TargetType: string(instruction.None), Content: d.content, WrittenOn: ymd(d.writtenAt), Deadline: ymd(d.dueIn)}
		if d.project != "" {
			id, ok := projectID[d.project]
			if !ok {
				return fmt.Errorf("demo: 批示 on %s: no such project", d.project)
			}
			in.TargetType, in.TargetID = string(instruction.Project), strconv.FormatInt(id, 10)
		}
		for _, name := range d.units {
			u, ok := units[name]
			if !ok {
				return fmt.Errorf("demo: 批示 to %s: no such unit", name)
			}
			in.UnitIDs = append(in.UnitIDs, strconv.FormatInt(u.ID, 10))
		}
		if d.person != "" {
			in.PersonIDs = []string{strconv.FormatInt(personID[d.person], 10)}
		}
		written, err := instruction.Create(ctx, tx, writer, in)
		if err != nil {
			return fmt.Errorf("demo: 批示 %q: %w", d.content, err)
		}
		for _, a := range d.answers {
			by, err := as(a.by)
			if err != nil {
				return err
			}
			answer := instruction.AnswerInput{UnitID: strconv.FormatInt(units[a.unit].ID, 10), Content: a.text}
			if _, err := instruction.Answer(ctx, tx, by, written.ID, answer); err != nil {
				return fmt.Errorf("demo: answer of %s: %w", a.unit, err)
			}
		}
		if d.closeNote != "" {
			if _, err := instruction.Close(ctx, tx, writer, written.ID, d.closeNote); err != nil {
				return fmt.Errorf("demo: closing 批示: %w", err)
			}
		}
	}
	return nil
}
