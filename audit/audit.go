// Package audit is the audit trail: every sign-in, failure, lockout and
// change to data is recorded in the same transaction as the change, so a
// failed audit write rolls the change back. Rows are append-only (database
// triggers) and hash-chained, so Verify can name the first row that was
// altered or removed.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	LoginOK          Action = "auth.login"
	LoginFailed      Action = "auth.login_failed"
	LoginLocked      Action = "auth.locked"
	Logout           Action = "auth.logout"
	SessionExpired   Action = "auth.session_expired"
	SessionRevoked   Action = "auth.session_revoked"
	PasswordChanged  Action = "auth.password_changed"
	PasswordReset    Action = "auth.password_reset"
	TOTPEnabled      Action = "auth.totp_enabled"
	TOTPDisabled     Action = "auth.totp_disabled"
	TOTPFailed       Action = "auth.totp_failed"
	RecoveryCodeUsed Action = "auth.recovery_code_used"
	UserCreated      Action = "user.created"
	UserUpdated      Action = "user.updated"
	UserDisabled     Action = "user.disabled"
	UserEnabled      Action = "user.enabled"
	UserUnlocked     Action = "user.unlocked"
	RoleGranted      Action = "user.role_granted"
	RoleRevoked      Action = "user.role_revoked"
	SetupUsed        Action = "system.setup"
	SettingsChanged  Action = "settings.changed"
	UnitCreated      Action = "unit.created"
	UnitUpdated      Action = "unit.updated"
	UnitMoved        Action = "unit.moved"
	UnitDisabled     Action = "unit.disabled"
	UnitEnabled      Action = "unit.enabled"
	UnitDeleted      Action = "unit.deleted"
	PersonCreated    Action = "person.created"
	PersonUpdated    Action = "person.updated"
	PersonDisabled   Action = "person.disabled"
	PersonEnabled    Action = "person.enabled"
	PersonDeleted    Action = "person.deleted"
	LeaderUnitsSet   Action = "person.leader_units"
	AuditExported    Action = "audit.exported"
	AuditPurged      Action = "audit.purged"
	DemoSeeded       Action = "system.demo_seeded"
	Backup           Action = "system.backup"
	Restored         Action = "system.restored"
)

var labels = map[Action]string{
	LoginOK:          "登录",
	LoginFailed:      "登录失败",
	LoginLocked:      "账号锁定",
	Logout:           "退出登录",
	SessionExpired:   "会话超时",
	SessionRevoked:   "会话被终止",
	PasswordChanged:  "修改密码",
	PasswordReset:    "重置密码",
	TOTPEnabled:      "启用动态口令",
	TOTPDisabled:     "停用动态口令",
	TOTPFailed:       "动态口令错误",
	RecoveryCodeUsed: "使用恢复码",
	UserCreated:      "新建账号",
	UserUpdated:      "修改账号",
	UserDisabled:     "停用账号",
	UserEnabled:      "启用账号",
	UserUnlocked:     "解除锁定",
	RoleGranted:      "授予角色",
	RoleRevoked:      "撤销角色",
	SetupUsed:        "初始化系统管理员",
	SettingsChanged:  "修改设置",
	UnitCreated:      "新建单位",
	UnitUpdated:      "修改单位",
	UnitMoved:        "移动单位",
	UnitDisabled:     "停用单位",
	UnitEnabled:      "启用单位",
	UnitDeleted:      "删除单位",
	PersonCreated:    "新增人员",
	PersonUpdated:    "修改人员",
	PersonDisabled:   "停用人员",
	PersonEnabled:    "启用人员",
	PersonDeleted:    "删除人员",
	LeaderUnitsSet:   "调整分管单位",
	AuditExported:    "导出审计记录",
	AuditPurged:      "清理过期审计记录",
	DemoSeeded:       "载入演示数据",
	Backup:           "备份数据库",
	Restored:         "从备份恢复数据库",
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

// Record appends e to the trail inside tx. If it fails, the caller's change
// must roll back, which returning its error does.
func Record(ctx context.Context, tx *db.Tx, e Entry) error {
	detail := ""
	if e.Before != nil || e.After != nil || e.Note != "" {
		var d Detail
		var err error
		if e.Before != nil {
			if d.Before, err = json.Marshal(e.Before); err != nil {
				return fmt.Errorf("audit.Record: %w", err)
			}
		}
		if e.After != nil {
			if d.After, err = json.Marshal(e.After); err != nil {
				return fmt.Errorf("audit.Record: %w", err)
			}
		}
		d.Note = e.Note
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("audit.Record: %w", err)
		}
		detail = string(b)
	}
	outcome := e.Outcome
	if outcome == "" {
		outcome = "success"
	}
	r := Row{
		At:         tx.Now(),
		UserID:     e.Actor.UserID,
		Username:   e.Actor.Username,
		ClientIP:   e.Actor.IP,
		RequestID:  e.Actor.RequestID,
		Origin:     e.Actor.Origin,
		Action:     e.Action,
		ObjectType: e.ObjectType,
		ObjectID:   e.ObjectID,
		ObjectName: e.ObjectName,
		Outcome:    outcome,
		Detail:     detail,
	}
	// Updating the head first takes its row lock (PostgreSQL) or the single
	// writer (SQLite), so chain links are made one at a time, in id order.
	err := tx.QueryRowContext(ctx,
		`UPDATE audit_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash`).
		Scan(&r.ID, &r.PrevHash)
	if err != nil {
		return fmt.Errorf("audit.Record: head: %w", err)
	}
	r.Hash = hashOf(r)
	_, err = tx.ExecContext(ctx, `
		INSERT INTO audit_log (id, at, user_id, username, client_ip, request_id, origin, action,
			object_type, object_id, object_name, outcome, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.ID, db.Time(r.At), r.UserID, r.Username, r.ClientIP, r.RequestID, r.Origin, string(r.Action),
		r.ObjectType, r.ObjectID, r.ObjectName, r.Outcome, r.Detail, r.PrevHash, r.Hash)
	if err != nil {
		return fmt.Errorf("audit.Record: insert: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET last_hash = $1 WHERE id = 1`, r.Hash); err != nil {
		return fmt.Errorf("audit.Record: head: %w", err)
	}
	return nil
}

const rowColumns = `id, at, user_id, username, client_ip, request_id, origin, action,
	object_type, object_id, object_name, outcome, detail, prev_hash, hash`

func scanRow(s interface{ Scan(...any) error }) (Row, error) {
	var r Row
	var action string
	err := s.Scan(&r.ID, (*db.Time)(&r.At), &r.UserID, &r.Username, &r.ClientIP, &r.RequestID, &r.Origin,
		&action, &r.ObjectType, &r.ObjectID, &r.ObjectName, &r.Outcome, &r.Detail, &r.PrevHash, &r.Hash)
	r.Action = Action(action)
	return r, err
}

// Verification is the result of checking the chain.
type Verification struct {
	Checked int   // rows checked
	OK      bool  // the whole chain is intact
	BadID   int64 // the first row that was altered, or where rows are missing
	Problem string
}

// Verify walks the chain from the oldest kept row to the head and reports
// the first row that was altered, removed or added behind the trail's back.
func Verify(ctx context.Context, q db.Querier) (Verification, error) {
	var v Verification
	var head Row
	var purgedBelow int64
	var purgedHash string
	err := q.QueryRowContext(ctx, `SELECT last_id, last_hash, purged_below, purged_hash FROM audit_head WHERE id = 1`).
		Scan(&head.ID, &head.Hash, &purgedBelow, &purgedHash)
	if err != nil {
		return v, fmt.Errorf("audit.Verify: head: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+rowColumns+` FROM audit_log ORDER BY id`)
	if err != nil {
		return v, fmt.Errorf("audit.Verify: %w", err)
	}
	defer rows.Close()
	next := max(purgedBelow, 1)
	prev := purgedHash
	fail := func(id int64, problem string) (Verification, error) {
		v.BadID, v.Problem = id, problem
		return v, nil
	}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return v, fmt.Errorf("audit.Verify: %w", err)
		}
		switch {
		case r.ID < next:
			return fail(r.ID, fmt.Sprintf("第 %d 条记录早于保留起点，应已清理却仍存在或被插入", r.ID))
		case r.ID > next:
			return fail(next, fmt.Sprintf("第 %d 条记录缺失（被删除）", next))
		case r.PrevHash != prev:
			return fail(r.ID, fmt.Sprintf("第 %d 条记录的前序哈希不符：前一条记录被删除或修改", r.ID))
		case hashOf(r) != r.Hash:
			return fail(r.ID, fmt.Sprintf("第 %d 条记录的内容被修改", r.ID))
		}
		prev = r.Hash
		next++
		v.Checked++
	}
	if err := rows.Err(); err != nil {
		return v, err
	}
	if next-1 != head.ID || prev != head.Hash {
		if next-1 < head.ID {
			return fail(next, fmt.Sprintf("第 %d 条及之后的记录缺失（被删除）", next))
		}
		return fail(head.ID, "链尾与记录头不一致")
	}
	v.OK = true
	return v, nil
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

// List returns the records matching f, newest first, and how many match in all.
func List(ctx context.Context, q db.Querier, by auth.Actor, f Filter) ([]Row, int, error) {
	if !auth.CanAnywhere(by, auth.ViewAudit) {
		return nil, 0, forbidden()
	}
	w := f.where()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM audit_log `+w.SQL(), w.Args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit.List: %w", err)
	}
	query := `SELECT ` + rowColumns + ` FROM audit_log ` + w.SQL() + ` ORDER BY id DESC`
	if f.Limit > 0 {
		query += " LIMIT " + w.Next(f.Limit) + " OFFSET " + w.Next(f.Offset)
	}
	rows, err := q.QueryContext(ctx, query, w.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit.List: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// ForObject returns the trail of one record, oldest first (for history views).
func ForObject(ctx context.Context, q db.Querier, objectType string, id int64) ([]Row, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+rowColumns+` FROM audit_log
		WHERE object_type = $1 AND object_id = $2 ORDER BY id`, objectType, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MinRetentionDays is the legal floor: six calendar months can be 184 days
// (网络安全法 requires network logs be kept at least six months).
const MinRetentionDays = 184

// Purge removes records older than retentionDays, keeping the chain
// verifiable: it first moves the retention mark (which the delete trigger
// honours) and remembers the hash where the kept chain resumes. It records
// itself. It returns how many rows were removed.
func Purge(ctx context.Context, tx *db.Tx, by auth.Actor, retentionDays int) (int64, error) {
	if !by.System {
		return 0, forbidden()
	}
	if retentionDays < MinRetentionDays {
		return 0, fmt.Errorf("audit.Purge: retention %d days is below the legal minimum %d", retentionDays, MinRetentionDays)
	}
	cutoff := tx.Now().AddDate(0, 0, -retentionDays)
	var lastOld int64
	var lastHash string
	err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log WHERE at < $1 ORDER BY id DESC LIMIT 1`, db.Time(cutoff)).
		Scan(&lastOld, &lastHash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("audit.Purge: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET purged_below = $1, purged_hash = $2 WHERE id = 1`, lastOld+1, lastHash); err != nil {
		return 0, fmt.Errorf("audit.Purge: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE id <= $1`, lastOld)
	if err != nil {
		return 0, fmt.Errorf("audit.Purge: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, Record(ctx, tx, Entry{Actor: by, Action: AuditPurged, ObjectType: "audit",
		Note: fmt.Sprintf("保留 %d 天，清理截至第 %d 条（%s 之前）的 %d 条记录，链续接哈希 %s", retentionDays, lastOld, cutoff.Format("2006-01-02"), n, lastHash[:12])})
}
