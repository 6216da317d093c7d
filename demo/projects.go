package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/org"
	"guatu/project"
)

// demoProject is one key project of the demo town, drawn from the speeches.
// Dates are relative to the day the demo is seeded, so it always looks current.
type demoProject struct {
	name      string
	category  int64  // 1 海洋经济 … 8 其他 (the migration's order)
	unit      string // 牵头单位
	leader    string // 责任领导
	tier      project.Tier
	stage     project.Stage
	stageAgo  int     // days since the project entered its stage
	total     int64   // 万元
	plan      int64   // this year's plan, 万元
	done      float64 // pace of this year's investment: 1 keeps up with time progress, 0 records nothing
	startIn   int     // planned start, days from today (negative: past)
	operateIn int     // planned operating date, days from today
	late      int     // days the next due milestone is overdue (0: on time)
	template  int     // node template: 0 产业, 1 基础设施与民生, 2 文旅与农业
	flagship  bool
	investor  string
	village   string
}

const (
	econ     = "经济发展办公室（经发办）"
	culture  = "文化旅游办公室（文旅办）"
	agri     = "农业农村办公室"
	build    = "城乡建设办公室（城建办）"
	social   = "社会事务办公室"
	natural  = "自然资源所"
	lin      = "林志强"
	wang     = "王丽琴"
	zheng    = "郑国平"
	huang    = "黄伟东"
	activeT  = project.Active
	rollingT = project.Rolling
	reserveT = project.Reserve
)

var demoProjects = []demoProject{
	{"XX湾蓝色经济产业园", 1, econ, lin, activeT, project.Started, 200, 120000, 30000, 1.1, -240, 420, 0, 0, true, "XX湾海洋发展集团", "渔港社区"},
	{"深海养殖基地（一期）", 1, econ, lin, activeT, project.Started, 150, 36000, 12000, 0.95, -160, 210, 12, 0, true, "蓝海渔业股份", "东岙村"},
	{"水产品精深加工项目", 1, econ, lin, activeT, project.Signed, 130, 28000, 9000, 0.3, 40, 500, 45, 0, false, "鑫海食品有限公司", "西岙村"},
	{"远洋渔业冷链物流中心", 1, econ, lin, activeT, project.Landed, 110, 18000, 6000, 0.5, -20, 330, 20, 0, false, "海通冷链物流", "渔港社区"},
	{"海洋牧场示范区", 1, agri, zheng, activeT, project.Started, 90, 15000, 5000, 1.0, -90, 260, 0, 2, false, "", "南湾村"},
	{"渔港经济区改造提升", 1, build, huang, activeT, project.Started, 240, 42000, 15000, 0.7, -300, 60, 0, 1, true, "", "渔港社区"},
	{"海洋生物医药中试基地", 7, econ, lin, activeT, project.Negotiating, 60, 25000, 2000, 0, 120, 700, 0, 0, true, "海康生物科技", ""},
	{"船舶修造技术改造", 3, econ, lin, activeT, project.Started, 300, 9600, 4000, 0.9, -330, -10, 0, 0, false, "东岙船舶修造厂", "东岙村"},
	{"闲置厂房技术改造（原水产二厂）", 3, econ, lin, activeT, project.Landed, 95, 6500, 3000, 0.2, 10, 280, 35, 0, false, "恒达机械", "西岙村"},
	{"海工装备配套产业园", 3, natural, lin, activeT, project.Signed, 45, 50000, 8000, 0.6, 90, 640, 0, 0, true, "中船配套（拟）", ""},
	{"XX古厝活化利用示范区", 2, culture, wang, activeT, project.Started, 180, 22000, 8000, 1.05, -200, 300, 0, 2, true, "XX文旅集团", "前岭村"},
	{"滨海休闲旅游度假区", 2, culture, wang, activeT, project.Landed, 120, 80000, 12000, 0.4, -30, 900, 25, 2, true, "海岸度假投资", "海滨社区"},
	{"渔俗文化节品牌打造", 2, culture, wang, activeT, project.Started, 70, 1200, 600, 1.2, -60, 120, 0, 2, false, "", ""},
	{"红色旅游线路（海防遗址串联）", 2, culture, wang, activeT, project.Started, 140, 3800, 1500, 0.85, -150, 90, 0, 1, false, "", "北山村"},
	{"民宿集群提升工程", 2, culture, wang, activeT, project.Started, 200, 5200, 2000, 1.0, -210, 150, 8, 2, false, "", "石塘村"},
	{"海岛夜经济街区", 2, culture, wang, activeT, project.Signed, 30, 7800, 2500, 0.8, 60, 400, 0, 2, false, "夜色文旅", "渔港社区"},
	{"非遗工坊与研学基地", 2, culture, wang, activeT, project.Negotiating, 40, 2400, 500, 0, 150, 520, 0, 2, false, "", "前岭村"},
	{"特色海产品电商产业园", 4, agri, zheng, activeT, project.Started, 180, 4600, 2000, 1.1, -190, 160, 0, 2, false, "渔乡电商", "南湾村"},
	{"高标准农田建设（2026年度）", 4, agri, zheng, activeT, project.Started, 100, 3200, 3200, 0.9, -110, 200, 0, 1, false, "", "北山村"},
	{"紫菜育苗与加工基地", 4, agri, zheng, activeT, project.Operating, 20, 2800, 800, 1.0, -400, -30, 0, 2, false, "石塘紫菜合作社", "石塘村"},
	{"乡村振兴示范片区（东岙—西岙）", 4, agri, zheng, activeT, project.Started, 260, 12000, 4000, 0.75, -280, 330, 0, 1, true, "", "东岙村"},
	{"农村污水治理提标改造", 5, build, huang, activeT, project.Started, 220, 6800, 3000, 0.95, -240, 120, 20, 1, false, "", ""},
	{"镇区老旧小区改造", 5, build, huang, activeT, project.Started, 160, 5400, 2500, 1.0, -180, 100, 0, 1, false, "", "海滨社区"},
	{"滨海大道改扩建", 5, build, huang, activeT, project.Landed, 150, 26000, 9000, 0.3, -60, 480, 50, 1, true, "", ""},
	{"供水管网改造工程", 5, build, huang, activeT, project.Started, 120, 3600, 1800, 1.05, -130, 140, 0, 1, false, "", ""},
	{"镇卫生院迁建", 6, social, wang, activeT, project.Signed, 100, 9800, 3000, 0.1, 30, 560, 0, 1, false, "", ""},
	{"中心幼儿园扩建", 6, social, wang, activeT, project.Started, 150, 2600, 1600, 0.85, -170, 45, 0, 1, false, "", ""},
	{"居家养老服务中心", 6, social, wang, activeT, project.Operating, 40, 900, 300, 1.0, -300, -45, 0, 1, false, "", "海滨社区"},
	{"应急避难场所建设", 5, "应急管理办公室", huang, activeT, project.Stalled, 75, 1500, 800, 0.1, -100, 120, 60, 1, false, "", ""},
	{"海洋科创孵化中心", 7, econ, lin, activeT, project.Started, 100, 4500, 1500, 0.9, -120, 240, 0, 0, false, "", "渔港社区"},
	{"5G+智慧渔港", 7, econ, lin, rollingT, project.Negotiating, 80, 3000, 0, 0, 200, 560, 0, 0, false, "运营商（洽谈中）", "渔港社区"},
	{"海上风电运维基地", 1, econ, lin, rollingT, project.Negotiating, 120, 60000, 0, 0, 300, 1100, 0, 0, true, "能源集团（洽谈中）", ""},
	{"游艇码头及配套", 2, culture, wang, rollingT, project.Planning, 200, 35000, 0, 0, 400, 1200, 0, 2, false, "", "海滨社区"},
	{"滨海湿地公园", 5, build, huang, rollingT, project.Planning, 150, 8000, 0, 0, 360, 900, 0, 1, false, "", "南湾村"},
	{"冷链仓储二期", 1, econ, lin, rollingT, project.Planning, 90, 12000, 0, 0, 420, 1000, 0, 0, false, "", ""},
	{"海岛环线旅游公路", 5, build, huang, reserveT, project.Planning, 300, 45000, 0, 0, 800, 1800, 0, 1, false, "", ""},
	{"海洋文化博物馆", 2, culture, wang, reserveT, project.Planning, 260, 15000, 0, 0, 700, 1600, 0, 1, false, "", ""},
	{"循环水养殖产业园", 1, agri, zheng, reserveT, project.Planning, 180, 20000, 0, 0, 600, 1400, 0, 0, false, "", ""},
	{"低效用地再开发（老码头片区）", 8, natural, lin, reserveT, project.Planning, 120, 10000, 0, 0, 500, 1300, 0, 0, false, "", "渔港社区"},
	{"停滞项目盘活：原海景酒店", 2, culture, wang, activeT, project.Signed, 150, 8800, 2000, 0.0, -30, 400, 0, 2, false, "待引入运营方", "海滨社区"},
}

var nodeTemplates = [][]string{
	{"签约", "供地", "立项备案", "规划许可", "施工许可", "开工", "主体完工", "竣工验收", "投产"},
	{"立项", "可研批复", "初步设计批复", "招标", "开工", "主体完工", "竣工验收"},
	{"签约", "用地落实", "方案设计", "开工", "建成", "运营"},
}

// seedProjects fills the project library: about forty projects across
// every stage, category and light, the stall patterns among them.
func seedProjects(ctx context.Context, tx *db.Tx, sys auth.Actor, units map[string]*org.Unit, leaders map[string]int64) error {
	today := project.DayOf(tx.Now(), shanghai)
	day := func(offset int) time.Time { return today.AddDate(0, 0, offset) }
	ymd := func(offset int) string { return project.FormatDate(day(offset)) }
	for i, d := range demoProjects {
		unit, ok := units[d.unit]
		if !ok {
			return fmt.Errorf("demo: project %s: unit %s missing", d.name, d.unit)
		}
		in := project.Input{Code: fmt.Sprintf("%d-%03d", today.Year(), i+1), Name: d.name, CategoryID: strconv.FormatInt(d.category, 10),
			Tier: string(d.tier), Level: string(project.Town), Flagship: d.flagship, Investor: d.investor,
			UnitID: strconv.FormatInt(unit.ID, 10), LeaderID: strconv.FormatInt(leaders[d.leader], 10),
			TotalInvest: strconv.FormatInt(d.total, 10), PlanYear: strconv.Itoa(today.Year()), PlanInvest: strconv.FormatInt(d.plan, 10),
			PlannedStart: ymd(d.startIn), PlannedOperating: ymd(d.operateIn), Stage: string(d.stage), StageSince: ymd(-d.stageAgo),
			Location: d.village}
		if d.total >= 10000 {
			in.Level = string(project.County)
		}
		if v, ok := units[d.village]; ok {
			in.LocationUnitID = strconv.FormatInt(v.ID, 10)
		}
		// Milestones spread from 60 days before the planned start to the
		// operating date; those already due are reached, except that the
		// first one due after `late` days ago is left open when the project runs late.
		nodes := nodeTemplates[d.template]
		first, last := d.startIn-60, d.operateIn
		if d.stage == project.Operating {
			last = min(last, -d.stageAgo)
		}
		lateLeft := d.late > 0
		for n, name := range nodes {
			at := first + (last-first)*n/max(len(nodes)-1, 1)
			m := project.MilestoneInput{Name: name, Planned: ymd(at), UnitID: in.UnitID}
			if at < 0 {
				switch {
				case lateLeft && at >= -d.late-40 && at <= -d.late+40:
					lateLeft = false
					m.Planned = ymd(-d.late) // open, overdue by d.late days
				case d.stage == project.Planning || d.stage == project.Negotiating:
					m.Planned = ymd(at + 400) // not started yet: nothing is due
				default:
					m.Actual = ymd(at - n%3)
				}
			}
			in.Milestones = append(in.Milestones, m)
		}
		p, err := project.Create(ctx, tx, sys, in)
		if err != nil {
			return fmt.Errorf("demo: project %s: %w", d.name, err)
		}
		if d.plan > 0 && d.done > 0 {
			// done is the pace: 1 keeps up with 时序进度, each tenth below
			// falls 2.5 points behind (0.5 is yellow, 0.1 red) whatever the date.
			pct := max(project.TimeProgress(today)-(1-d.done)*25, 0)
			done := int64(float64(d.plan*10000) * pct / 100)
			if err := project.SetYearCompleted(ctx, tx, sys, p.ID, today.Year(), done); err != nil {
				return err
			}
		}
	}
	return nil
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()
