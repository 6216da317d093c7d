package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"guatu/auth"
	"guatu/db"
)

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
