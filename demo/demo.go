// Package demo fills an empty database with the demo town "XX镇": its
// 党政班子 with their 分管 units, departments, stations, eight 村/社区 with
// their 组, about sixty people and one account per role, so a newcomer can
// sign in and find a finished-looking town (issue 2 §6).
//
// Everything here is fictional: names and mobile numbers are made up.
package demo

import (
	"context"
	"fmt"
	"strconv"

	"guatu/account"
	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
	"guatu/org"
)

// Password is every demo account's password, printed by `serve --demo` and
// stated in the README. The accounts must change it at first sign-in.
const Password = "Demo@2026guatu"

// TownName is the demo town, the root of its tree.
const TownName = "XX镇"

// Account is a demo account as printed for the operator and on the sign-in page.
type Account struct {
	Username string
	Role     string // what the account is, in Chinese
	Unit     string // where its role is granted
	Name     string // the person it belongs to
}

// Accounts lists the demo accounts in the order they are printed.
var Accounts = []Account{
	{"chief", "党委书记（主要领导）", TownName, "周建华"},
	{"leader", "常务副镇长（分管领导）", TownName, "林志强"},
	{"supervisor", "党政办督查室", TownName, "李静怡"},
	{"staff", "经发办经办人", "经济发展办公室（经发办）", "刘晨"},
	{"village", "村经办人", "东岙村", "张小芳"},
	{"viewer", "县督查组联络员（查看）", TownName, "何晓东"},
	{"sysadmin", "系统管理员", TownName, "许佳宁"},
	{"secadmin", "安全管理员", TownName, "蔡明辉"},
	{"auditor", "审计管理员", TownName, "钱晓红"},
}

// unit is one unit of the demo tree with its people.
type unit struct {
	kind     org.Kind
	name     string
	phone    string
	people   []person
	children []unit
}

// person is one person; account names the demo account linked to them.
type person struct {
	name, position, account string
	role                    auth.Role
	grantOn                 string // unit name the role covers; "" means the town
	leads                   []string
}

// The villages and communities, each 分管 by the agriculture 副镇长.
var villages = []string{"渔港社区", "海滨社区", "东岙村", "西岙村", "石塘村", "南湾村", "北山村", "前岭村"}

var tree = []unit{
	{kind: org.Committee, name: "党政班子", people: []person{
		{name: "周建华", position: "党委书记", account: "chief", role: auth.Chief},
		{name: "陈海明", position: "党委副书记、镇长"},
		{name: "林志强", position: "党委委员、常务副镇长", account: "leader", role: auth.Leader,
			leads: []string{"经济发展办公室（经发办）", "自然资源所", "财政所"}},
		{name: "王丽琴", position: "副镇长",
			leads: []string{"文化旅游办公室（文旅办）", "社会事务办公室", "便民服务中心"}},
		{name: "郑国平", position: "党委委员、副镇长",
			leads: append([]string{"农业农村办公室", "农业综合服务中心"}, villages...)},
		{name: "黄伟东", position: "党委委员、副镇长",
			leads: []string{"城乡建设办公室（城建办）", "应急管理办公室", "综治中心"}},
		{name: "吴晓燕", position: "党委委员、纪委书记", leads: []string{"党政办（督查室）"}},
	}},
	{kind: org.Office, name: "党政办（督查室）", phone: "0576-88810001", people: []person{
		{name: "张文斌", position: "办公室主任"},
		{name: "李静怡", position: "督查室副主任", account: "supervisor", role: auth.Supervisor},
		{name: "何晓东", position: "县督查组联络员", account: "viewer", role: auth.Viewer},
		{name: "许佳宁", position: "经办人（信息化）", account: "sysadmin", role: auth.SysAdmin},
		{name: "蔡明辉", position: "经办人（保密与网络安全）", account: "secadmin", role: auth.SecAdmin},
	}},
	{kind: org.Office, name: "经济发展办公室（经发办）", phone: "0576-88810002", people: []person{
		{name: "朱海涛", position: "办公室主任"},
		{name: "刘晨", position: "经办人", account: "staff", role: auth.Staff, grantOn: "经济发展办公室（经发办）"},
		{name: "沈雅婷", position: "经办人（招商）"},
	}},
	{kind: org.Office, name: "文化旅游办公室（文旅办）", people: []person{
		{name: "杨晓帆", position: "办公室主任"},
		{name: "郭欣怡", position: "经办人"},
	}},
	{kind: org.Office, name: "农业农村办公室", people: []person{
		{name: "徐振华", position: "办公室主任"},
		{name: "马丽君", position: "经办人"},
		{name: "孙立新", position: "经办人"},
	}},
	{kind: org.Office, name: "城乡建设办公室（城建办）", people: []person{
		{name: "方建国", position: "办公室主任"},
		{name: "罗文杰", position: "经办人"},
	}},
	{kind: org.Office, name: "社会事务办公室", people: []person{
		{name: "谢春梅", position: "办公室主任"},
		{name: "韩雪梅", position: "经办人"},
	}},
	{kind: org.Office, name: "应急管理办公室", phone: "0576-88810110", people: []person{
		{name: "潘志勇", position: "办公室主任"},
		{name: "董浩然", position: "经办人"},
	}},
	{kind: org.Station, name: "财政所", people: []person{
		{name: "叶秀英", position: "所长"},
		{name: "钱晓红", position: "会计（内审）", account: "auditor", role: auth.Auditor},
	}},
	{kind: org.Station, name: "自然资源所", people: []person{
		{name: "宋德明", position: "所长"},
		{name: "邱国庆", position: "经办人"},
	}},
	{kind: org.Station, name: "综治中心", people: []person{
		{name: "江文涛", position: "主任"},
		{name: "戴丽华", position: "经办人"},
	}},
	{kind: org.Station, name: "便民服务中心", phone: "0576-88810345", people: []person{
		{name: "金晓梅", position: "主任"},
		{name: "范婷婷", position: "窗口经办人"},
	}},
	{kind: org.Station, name: "农业综合服务中心", people: []person{
		{name: "陆永刚", position: "主任"},
		{name: "顾海燕", position: "农技员"},
	}},
	{kind: org.Community, name: "渔港社区", people: []person{
		{name: "林国华", position: "社区党委书记"},
		{name: "陈美玲", position: "居委会主任"},
		{name: "王俊鹏", position: "会计"},
	}},
	{kind: org.Community, name: "海滨社区", people: []person{
		{name: "吴海生", position: "社区党委书记"},
		{name: "郑秀兰", position: "居委会主任"},
		{name: "李宏杰", position: "会计"},
	}},
	{kind: org.Village, name: "东岙村", people: []person{
		{name: "陈大勇", position: "村党支部书记"},
		{name: "林水根", position: "村委会主任"},
		{name: "张小芳", position: "会计、报账员", account: "village", role: auth.Staff, grantOn: "东岙村"},
	}, children: []unit{
		{kind: org.Group, name: "一组", people: []person{{name: "陈阿林", position: "组长"}}},
		{kind: org.Group, name: "二组"},
	}},
	{kind: org.Village, name: "西岙村", people: []person{
		{name: "黄福林", position: "村党支部书记"},
		{name: "王建新", position: "村委会主任"},
		{name: "周丽娟", position: "会计"},
	}, children: []unit{{kind: org.Group, name: "一组"}}},
	{kind: org.Village, name: "石塘村", people: []person{
		{name: "蒋明华", position: "村党支部书记"},
		{name: "郑海波", position: "村委会主任"},
		{name: "刘春燕", position: "会计"},
	}, children: []unit{{kind: org.Group, name: "一组"}, {kind: org.Group, name: "二组"}}},
	{kind: org.Village, name: "南湾村", people: []person{
		{name: "胡永康", position: "村党支部书记"},
		{name: "陈金发", position: "村委会主任"},
		{name: "杨秀珍", position: "会计"},
	}, children: []unit{{kind: org.Group, name: "一组"}}},
	{kind: org.Village, name: "北山村", people: []person{
		{name: "朱德胜", position: "村党支部书记"},
		{name: "徐长青", position: "村委会主任"},
		{name: "汪晓丽", position: "会计"},
	}, children: []unit{
		{kind: org.Group, name: "一组"},
		{kind: org.Group, name: "二组", people: []person{{name: "徐根宝", position: "组长"}}},
	}},
	{kind: org.Village, name: "前岭村", people: []person{
		{name: "毛志华", position: "村党支部书记"},
		{name: "施建平", position: "村委会主任"},
		{name: "俞美华", position: "会计"},
	}, children: []unit{{kind: org.Group, name: "一组"}}},
}

// mobile makes the n-th fictional mobile number: a real-looking 13x/15x/18x
// prefix and digits from a fixed sequence, so every seeding gives the same numbers.
func mobile(n int) string {
	prefixes := []string{"138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "187", "188", "189", "181", "183", "133"}
	x := uint32(n)*2654435761 + 12345
	return fmt.Sprintf("%s%08d", prefixes[n%len(prefixes)], x%100000000)
}

// ErrNotEmpty is returned when the database already has accounts or units.
var ErrNotEmpty = apperr.Conflictf("数据库已有账号或单位，演示数据只能载入空数据库")

// Seed fills an empty database with the demo town in one transaction, so a
// failure leaves nothing half-seeded. It refuses a database that already has
// accounts or units.
func Seed(ctx context.Context, d *db.DB) error {
	return d.InTx(ctx, func(tx *db.Tx) error { return seed(ctx, tx) })
}

func seed(ctx context.Context, tx *db.Tx) error {
	sys := auth.SystemActor("demo")
	n, err := account.CountUsers(ctx, tx)
	if err != nil {
		return err
	}
	roots, err := org.Children(ctx, tx, 0)
	if err != nil {
		return err
	}
	if n > 0 || len(roots) > 0 {
		return ErrNotEmpty
	}
	town, err := org.CreateRoot(ctx, tx, sys, org.Town, TownName)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	units := map[string]*org.Unit{TownName: town}
	type seeded struct {
		p      *org.Person
		spec   person
		unitID int64
	}
	var people []seeded
	count, unitCount := 0, 1
	var add func(parent *org.Unit, spec unit) error
	add = func(parent *org.Unit, spec unit) error {
		u, err := org.CreateUnit(ctx, tx, sys, org.UnitInput{ParentID: strconv.FormatInt(parent.ID, 10),
			Kind: string(spec.kind), Name: spec.name, Phone: spec.phone})
		if err != nil {
			return fmt.Errorf("demo: unit %s: %w", spec.name, err)
		}
		unitCount++
		if _, dup := units[spec.name]; !dup {
			units[spec.name] = u // groups share names (一组); nothing refers to them by name
		}
		for _, ps := range spec.people {
			count++
			p, err := org.CreatePerson(ctx, tx, sys, org.PersonInput{UnitID: strconv.FormatInt(u.ID, 10),
				Name: ps.name, Phone: mobile(count), Position: ps.position})
			if err != nil {
				return fmt.Errorf("demo: person %s: %w", ps.name, err)
			}
			people = append(people, seeded{p: p, spec: ps, unitID: u.ID})
		}
		for _, c := range spec.children {
			if err := add(u, c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, spec := range tree {
		if err := add(town, spec); err != nil {
			return err
		}
	}
	for _, s := range people {
		if len(s.spec.leads) > 0 {
			ids := make([]int64, len(s.spec.leads))
			for i, name := range s.spec.leads {
				u, ok := units[name]
				if !ok {
					return fmt.Errorf("demo: %s 分管的单位 %s 不存在", s.spec.name, name)
				}
				ids[i] = u.ID
			}
			if _, err := org.SetLeaderUnits(ctx, tx, sys, s.p.ID, ids); err != nil {
				return fmt.Errorf("demo: 分管 %s: %w", s.spec.name, err)
			}
		}
		if s.spec.account == "" {
			continue
		}
		// Create checks the password against the policy and sets
		// must_change_password: the demo journey is sign in → forced change.
		u, _, err := account.Create(ctx, tx, sys, account.Input{Username: s.spec.account, DisplayName: s.spec.name,
			UnitID: strconv.FormatInt(s.unitID, 10), PersonID: strconv.FormatInt(s.p.ID, 10), Password: Password})
		if err != nil {
			return fmt.Errorf("demo: account %s: %w", s.spec.account, err)
		}
		on := town
		if s.spec.grantOn != "" {
			on = units[s.spec.grantOn]
		}
		if err := account.Grant(ctx, tx, sys, u.ID, s.spec.role, on.ID); err != nil {
			return fmt.Errorf("demo: grant %s: %w", s.spec.account, err)
		}
	}
	leaders := map[string]int64{}
	for _, s := range people {
		if len(s.spec.leads) > 0 {
			leaders[s.p.Name] = s.p.ID
		}
	}
	if err := seedProjects(ctx, tx, sys, units, leaders); err != nil {
		return err
	}
	names := map[string]int64{}
	for _, s := range people {
		names[s.p.Name] = s.p.ID
	}
	if err := seedReports(ctx, tx, sys, town, names); err != nil {
		return err
	}
	if err := seedInstructions(ctx, tx, units); err != nil {
		return err
	}
	if err := seedProblems(ctx, tx, sys, units); err != nil {
		return err
	}
	if err := seedBulletins(ctx, tx, sys, town); err != nil {
		return err
	}
	// The demo's administrators share a published password; a mandatory
	// second factor would lock every visitor out of the admin pages.
	if err := account.SetDemoSecurity(ctx, tx, sys); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: sys, Action: audit.DemoSeeded, ObjectType: "unit",
		ObjectID: town.ID, ObjectName: town.Name,
		Note: fmt.Sprintf("演示镇 %s：%d 个单位，%d 名人员，%d 个账号", TownName, unitCount, count, len(Accounts))})
}

// Present reports whether the database holds the demo town: a root named
// TownName and the demo's chief account.
func Present(ctx context.Context, q db.Querier) (bool, error) {
	roots, err := org.Children(ctx, q, 0)
	if err != nil {
		return false, err
	}
	town := false
	for _, r := range roots {
		town = town || r.Name == TownName
	}
	if !town {
		return false, nil
	}
	_, err = account.ByUsername(ctx, q, Accounts[0].Username)
	if apperr.KindOf(err) == apperr.NotFound {
		return false, nil
	}
	return err == nil, err
}
