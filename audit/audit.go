// Package audit is the audit trail: every sign-in, failure, lockout and
// change to data is recorded in the same transaction as the change, so a
// failed audit write rolls the change back. Rows are append-only (database
// triggers) and hash-chained, so Verify can name the first row that was
// altered or removed.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"guatu/auth"
	"guatu/db"
)

// Action names what happened; the catalog gives each a Chinese label.
type Action string

// The recorded actions.
const (
	LoginOK             Action = "auth.login"
	LoginFailed         Action = "auth.login_failed"
	LoginLocked         Action = "auth.locked"
	Logout              Action = "auth.logout"
	SessionExpired      Action = "auth.session_expired"
	SessionRevoked      Action = "auth.session_revoked"
	PasswordChanged     Action = "auth.password_changed"
	PasswordReset       Action = "auth.password_reset"
	TOTPBegun           Action = "auth.totp_begun"
	TOTPEnabled         Action = "auth.totp_enabled"
	TOTPDisabled        Action = "auth.totp_disabled"
	TOTPFailed          Action = "auth.totp_failed"
	RecoveryCodeUsed    Action = "auth.recovery_code_used"
	UserCreated         Action = "user.created"
	UserUpdated         Action = "user.updated"
	UserDisabled        Action = "user.disabled"
	UserEnabled         Action = "user.enabled"
	UserUnlocked        Action = "user.unlocked"
	RoleGranted         Action = "user.role_granted"
	RoleRevoked         Action = "user.role_revoked"
	SetupUsed           Action = "system.setup"
	SettingsChanged     Action = "settings.changed"
	UnitCreated         Action = "unit.created"
	UnitUpdated         Action = "unit.updated"
	UnitMoved           Action = "unit.moved"
	UnitDisabled        Action = "unit.disabled"
	UnitEnabled         Action = "unit.enabled"
	UnitDeleted         Action = "unit.deleted"
	PersonCreated       Action = "person.created"
	PersonUpdated       Action = "person.updated"
	PersonDisabled      Action = "person.disabled"
	PersonEnabled       Action = "person.enabled"
	PersonDeleted       Action = "person.deleted"
	LeaderUnitsSet      Action = "person.leader_units"
	AuditExported       Action = "audit.exported"
	AuditPurged         Action = "audit.purged"
	DemoSeeded          Action = "system.demo_seeded"
	Backup              Action = "system.backup"
	ProjectCreated      Action = "project.created"
	ProjectUpdated      Action = "project.updated"
	ProjectStageChanged Action = "project.stage"
	ProjectsImported    Action = "project.imported"
	ProjectsExported    Action = "project.exported"
	CalendarChanged     Action = "calendar.changed"
	ListEntryChanged    Action = "settings.list_changed"
	Restored            Action = "system.restored"
)

// The actions of problems (堵点、难点), from 交办 to 销号.
const (
	ProblemCreated           Action = "problem.created"
	ProblemSigned            Action = "problem.signed"
	ProblemFeedback          Action = "problem.feedback"
	ProblemDone              Action = "problem.done"
	ProblemClosed            Action = "problem.closed"
	ProblemReturned          Action = "problem.returned"
	ProblemExtensionAsked    Action = "problem.extension_asked"
	ProblemExtensionApproved Action = "problem.extension_approved"
	ProblemExtensionRefused  Action = "problem.extension_refused"
	ProblemsExported         Action = "problem.exported"
	ProblemBackdated         Action = "problem.backdated"
)

// The actions of personal API tokens (接口令牌).
const (
	TokenCreated   Action = "api.token_created"
	TokenRevoked   Action = "api.token_revoked"
	TokenFirstUsed Action = "api.token_first_used"
	TokenRefused   Action = "api.token_refused"
)

// The actions of the monthly reports (一月一调度).
const (
	ReportSaved     Action = "report.saved"
	ReportSubmitted Action = "report.submitted"
	ReportReturned  Action = "report.returned"
	ReportReminded  Action = "report.reminded"
	MonthClosed     Action = "report.month_closed"
	MeetingCreated  Action = "meeting.created"
	MeetingUpdated  Action = "meeting.updated"
	MeetingDecided  Action = "meeting.decided"
)

// The actions of leaders' 批示.
const (
	InstructionCreated  Action = "instruction.created"
	InstructionAnswered Action = "instruction.answered"
	InstructionClosed   Action = "instruction.closed"
)

// The actions of the quarterly bulletins (一季一通报).
const (
	BulletinDrafted  Action = "bulletin.drafted"
	BulletinEdited   Action = "bulletin.edited"
	BulletinIssued   Action = "bulletin.issued"
	BulletinDeleted  Action = "bulletin.deleted"
	BulletinExported Action = "bulletin.exported"
)

// The actions of the group robots (DingTalk, WeCom) that carry notices.
const (
	RobotCreated  Action = "robot.created"
	RobotUpdated  Action = "robot.updated"
	RobotDisabled Action = "robot.disabled"
	RobotEnabled  Action = "robot.enabled"
	RobotDeleted  Action = "robot.deleted"
	RobotTested   Action = "robot.tested"
)

var labels = map[Action]string{
	ReportSaved:         "保存月报草稿",
	ReportSubmitted:     "报送月报",
	ReportReturned:      "退回月报",
	ReportReminded:      "催报",
	MonthClosed:         "月报截止并冻结亮灯",
	MeetingCreated:      "新建调度会",
	MeetingUpdated:      "修改调度会",
	MeetingDecided:      "记录会议决定",
	LoginOK:             "登录",
	LoginFailed:         "登录失败",
	LoginLocked:         "账号锁定",
	Logout:              "退出登录",
	SessionExpired:      "会话超时",
	SessionRevoked:      "会话被终止",
	PasswordChanged:     "修改密码",
	PasswordReset:       "重置密码",
	TOTPBegun:           "生成动态口令密钥",
	TOTPEnabled:         "启用动态口令",
	TOTPDisabled:        "停用动态口令",
	TOTPFailed:          "动态口令错误",
	RecoveryCodeUsed:    "使用恢复码",
	UserCreated:         "新建账号",
	UserUpdated:         "修改账号",
	UserDisabled:        "停用账号",
	UserEnabled:         "启用账号",
	UserUnlocked:        "解除锁定",
	RoleGranted:         "授予角色",
	RoleRevoked:         "撤销角色",
	SetupUsed:           "初始化系统管理员",
	SettingsChanged:     "修改设置",
	UnitCreated:         "新建单位",
	UnitUpdated:         "修改单位",
	UnitMoved:           "移动单位",
	UnitDisabled:        "停用单位",
	UnitEnabled:         "启用单位",
	UnitDeleted:         "删除单位",
	PersonCreated:       "新增人员",
	PersonUpdated:       "修改人员",
	PersonDisabled:      "停用人员",
	PersonEnabled:       "启用人员",
	PersonDeleted:       "删除人员",
	LeaderUnitsSet:      "调整分管单位",
	AuditExported:       "导出审计记录",
	AuditPurged:         "清理过期审计记录",
	DemoSeeded:          "载入演示数据",
	Backup:              "备份数据库",
	ProjectCreated:      "新建项目",
	ProjectUpdated:      "修改项目",
	ProjectStageChanged: "调整项目阶段",
	ProjectsImported:    "导入项目",
	ProjectsExported:    "导出项目台账",
	CalendarChanged:     "修改节假日安排",
	ListEntryChanged:    "修改项目分类或节点模板",
	Restored:            "从备份恢复数据库",
	TokenCreated:        "创建接口令牌",
	TokenRevoked:        "撤销接口令牌",
	TokenFirstUsed:      "接口令牌首次使用",
	TokenRefused:        "接口令牌验证未通过",
	BulletinDrafted:     "生成通报草稿",
	BulletinEdited:      "修改通报",
	BulletinIssued:      "签发通报",
	BulletinDeleted:     "删除通报草稿",
	BulletinExported:    "下载通报",
	InstructionCreated:  "写批示",
	InstructionAnswered: "反馈批示",
	InstructionClosed:   "批示已落实办结",

	ProblemCreated:           "登记（交办）问题",
	ProblemSigned:            "签收问题",
	ProblemFeedback:          "反馈问题进展",
	ProblemDone:              "问题办结",
	ProblemClosed:            "问题销号",
	ProblemReturned:          "问题退回重办",
	ProblemExtensionAsked:    "申请问题延期",
	ProblemExtensionApproved: "同意问题延期",
	ProblemExtensionRefused:  "不同意问题延期",
	ProblemsExported:         "导出问题清单",
	ProblemBackdated:         "调整问题历史日期（演示数据）",
	RobotCreated:             "新建群机器人",
	RobotUpdated:             "修改群机器人",
	RobotDisabled:            "停用群机器人",
	RobotEnabled:             "启用群机器人",
	RobotDeleted:             "删除群机器人",
	RobotTested:              "发送机器人测试消息",
}

// Label is the action's Chinese name.
func (a Action) Label() string {
	if l, ok := labels[a]; ok {
		return l
	}
	return string(a)
}

// Actions lists the catalog for filters, in a stable order.
func Actions() []Action {
	out := make([]Action, 0, len(labels))
	for a := range labels {
		out = append(out, a)
	}
	sortActions(out)
	return out
}

func sortActions(a []Action) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// Failure marks an entry that records a refused or failed attempt.
const Failure = "failure"

// Entry is one thing to record. Before and After are the record's state and
// are stored as JSON; never put secrets in them.
type Entry struct {
	Actor      auth.Actor
	Action     Action
	ObjectType string // "user", "unit", "person", "settings", …
	ObjectID   int64
	ObjectName string
	Outcome    string // "" means success
	Before     any
	After      any
	Note       string
}

// Row is a stored audit record.
type Row struct {
	ID         int64
	At         time.Time
	UserID     int64
	Username   string
	ClientIP   string
	RequestID  string
	Origin     string
	Action     Action
	ObjectType string
	ObjectID   int64
	ObjectName string
	Outcome    string
	Detail     string
	PrevHash   string
	Hash       string
}

// Detail is the decoded detail column.
type Detail struct {
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	Note   string          `json:"note,omitempty"`
}

// Decoded returns the row's detail.
func (r Row) Decoded() Detail {
	var d Detail
	json.Unmarshal([]byte(r.Detail), &d)
	return d
}

// hashOf is the chain link: SHA-256 over the previous hash and every column,
// separated by a byte that cannot occur in the text columns' JSON or names.
func hashOf(r Row) string {
	h := sha256.New()
	parts := []string{
		r.PrevHash,
		strconv.FormatInt(r.ID, 10),
		r.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(r.UserID, 10),
		r.Username, r.ClientIP, r.RequestID, r.Origin,
		string(r.Action), r.ObjectType,
		strconv.FormatInt(r.ObjectID, 10),
		r.ObjectName, r.Outcome, r.Detail,
	}
	h.Write([]byte(strings.Join(parts, "\x1f")))
	return hex.EncodeToString(h.Sum(nil))
}

// Verification is the result of checking the chain.
type Verification struct {
	Checked int   // rows checked
	OK      bool  // the whole chain is intact
	BadID   int64 // the first row that was altered, or where rows are missing
	Problem string
}

// Filter selects records for the auditor's page and export.
type Filter struct {
	From, To   time.Time // To is exclusive; zero means open
	User       string    // username, exact (case-folded) or prefix
	Action     Action
	ObjectType string
	ObjectID   int64
	Outcome    string
	Limit      int // 0 means no limit
	Offset     int
}

func (f Filter) where() db.Where {
	var w db.Where
	if !f.From.IsZero() {
		w.Add("at >= $?", db.Time(f.From))
	}
	if !f.To.IsZero() {
		w.Add("at < $?", db.Time(f.To))
	}
	if f.User != "" {
		w.Add(`username LIKE $? ESCAPE '\'`, db.LikeEscape(strings.ToLower(f.User))+"%")
	}
	if f.Action != "" {
		w.Add("action = $?", string(f.Action))
	}
	if f.ObjectType != "" {
		w.Add("object_type = $?", f.ObjectType)
	}
	if f.ObjectID != 0 {
		w.Add("object_id = $?", f.ObjectID)
	}
	if f.Outcome != "" {
		w.Add("outcome = $?", f.Outcome)
	}
	return w
}

// MinRetentionDays is the legal floor: six calendar months can be 184 days
// (网络安全法 requires network logs be kept at least six months).
const MinRetentionDays = 184
