package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"guatu/apperr"
	"guatu/auth"
	"guatu/db"
)

// Post enqueues a notice inside the caller's transaction: an inbox row for
// each recipient and a pending delivery for each robot that should hear it.
// Nothing is sent before the transaction commits, and nothing at all if it
// rolls back. A notice nobody would receive is not stored.
//
// Post is not audited: the change that caused the notice is.
func Post(ctx context.Context, tx *db.Tx, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	users, err := recipients(ctx, tx, m.To)
	if err != nil {
		return fmt.Errorf("notify.Post: %w", err)
	}
	var channels []int64
	if !m.NoRobots {
		if channels, err = listeners(ctx, tx, m.Kind, m.UnitID); err != nil {
			return fmt.Errorf("notify.Post: %w", err)
		}
	}
	if len(users) == 0 && len(channels) == 0 {
		return nil
	}
	id, err := insertNotice(ctx, tx, m.Kind, strings.TrimSpace(m.Title), strings.TrimSpace(m.Body), m.Link)
	if err != nil {
		return err
	}
	now := db.Time(tx.Now())
	for _, u := range users {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox (notice_id, user_id, created_at) VALUES ($1, $2, $3)`, id, u, now); err != nil {
			return fmt.Errorf("notify.Post: inbox: %w", err)
		}
	}
	for _, c := range channels {
		if _, err := insertDelivery(ctx, tx, c, id); err != nil {
			return err
		}
	}
	return nil
}

func insertNotice(ctx context.Context, tx *db.Tx, kind Kind, title, body, link string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO notices (kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		string(kind), title, body, link, db.Time(tx.Now())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("notify: insert notice: %w", err)
	}
	return id, nil
}

func insertDelivery(ctx context.Context, tx *db.Tx, channelID, noticeID int64) (int64, error) {
	var id int64
	now := db.Time(tx.Now())
	err := tx.QueryRowContext(ctx, `INSERT INTO robot_deliveries (channel_id, notice_id, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $3) RETURNING id`, channelID, noticeID, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("notify: insert delivery: %w", err)
	}
	return id, nil
}

// recipients resolves the selectors to enabled accounts, each once, in id order.
func recipients(ctx context.Context, q db.Querier, to []Recipient) ([]int64, error) {
	seen := map[int64]bool{}
	for _, r := range to {
		var query string
		args := []any{r.id}
		switch r.kind {
		case toUser:
			query = `SELECT id FROM users WHERE id = $1 AND disabled = FALSE`
		case toPerson:
			query = `SELECT id FROM users WHERE person_id = $1 AND disabled = FALSE`
		case toRoleOn:
			query = `SELECT DISTINCT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id
				WHERE g.unit_id = $1 AND g.role = $2 AND u.disabled = FALSE`
			args = append(args, string(r.role))
		case toRoleOver:
			// The grant's unit path is a prefix of the target's: the grant covers it (auth.Grant.Covers).
			query = `SELECT DISTINCT g.user_id FROM role_grants g
				JOIN units gu ON gu.id = g.unit_id
				JOIN units t ON t.id = $1
				JOIN users u ON u.id = g.user_id
				WHERE g.role = $2 AND t.path LIKE gu.path || '%' AND u.disabled = FALSE`
			args = append(args, string(r.role))
		default:
			return nil, errors.New("recipient made without a constructor")
		}
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			seen[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]int64, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}

// listeners are the enabled robots that hear a notice of kind about the
// unit: those of the unit, of its ancestors, and the 全镇 ones.
func listeners(ctx context.Context, q db.Querier, kind Kind, unitID int64) ([]int64, error) {
	path := "" // matches no unit's path: only the 全镇 robots
	if unitID != 0 {
		if err := q.QueryRowContext(ctx, `SELECT path FROM units WHERE id = $1`, unitID).Scan(&path); err != nil {
			return nil, fmt.Errorf("unit %d: %w", unitID, err)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id FROM robot_channels c LEFT JOIN units u ON u.id = c.unit_id
		WHERE c.enabled = TRUE AND c.kinds LIKE $1 AND (c.unit_id IS NULL OR $2 LIKE u.path || '%')
		ORDER BY c.id`, "%,"+string(kind)+",%", path)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// MaxOnceKey bounds a key given to Once.
const MaxOnceKey = 200

// Once reports whether key is used for the first time, and records it in
// tx. Call it in the same transaction as the Post it guards: if the
// transaction rolls back the key is free again, and if another server
// commits the same key first, this insert waits for it and then does
// nothing (PostgreSQL), or runs after it (SQLite's single writer). Either
// way exactly one transaction sees first = true.
//
// Keys name what is reminded and when, e.g. "report-ahead:2026-03:unit:7".
func Once(ctx context.Context, tx *db.Tx, key string) (first bool, err error) {
	if key == "" || len(key) > MaxOnceKey {
		return false, fmt.Errorf("notify.Once: key must be 1 to %d bytes", MaxOnceKey)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO notify_once (once_key, created_at) VALUES ($1, $2) ON CONFLICT (once_key) DO NOTHING`,
		key, db.Time(tx.Now()))
	if err != nil {
		return false, fmt.Errorf("notify.Once %q: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("notify.Once %q: %w", key, err)
	}
	return n == 1, nil
}

const noticeColumns = `n.id, n.kind, n.title, n.body, n.link, n.created_at, i.read_at`

func scanNotice(s interface{ Scan(...any) error }, extra ...any) (*Notice, error) {
	var n Notice
	var kind string
	dest := append([]any{&n.ID, &kind, &n.Title, &n.Body, &n.Link, (*db.Time)(&n.CreatedAt), (*db.Time)(&n.ReadAt)}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	n.Kind = Kind(kind)
	return &n, nil
}

// Inbox lists the actor's notices, unread first and newest first within
// each, perPage at a time, with the total.
func Inbox(ctx context.Context, q db.Querier, by auth.Actor, page, perPage int) ([]*Notice, int, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+noticeColumns+`, COUNT(*) OVER()
		FROM inbox i JOIN notices n ON n.id = i.notice_id
		WHERE i.user_id = $1
		ORDER BY CASE WHEN i.read_at = '' THEN 0 ELSE 1 END, n.id DESC
		LIMIT $2 OFFSET $3`, by.UserID, perPage, (page-1)*perPage)
	if err != nil {
		return nil, 0, fmt.Errorf("notify.Inbox: %w", err)
	}
	defer rows.Close()
	var out []*Notice
	total := 0
	for rows.Next() {
		n, err := scanNotice(rows, &total)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// UnreadCount is how many of the actor's notices are unread: the badge in
// the navigation.
func UnreadCount(ctx context.Context, q db.Querier, by auth.Actor) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE user_id = $1 AND read_at = ''`, by.UserID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notify.UnreadCount: %w", err)
	}
	return n, nil
}

// MarkRead opens one of the actor's notices: it becomes read (once; the
// first reading time stays) and is returned for its link. A notice that is
// not in the actor's inbox is NotFound, whoever else it was sent to.
func MarkRead(ctx context.Context, tx *db.Tx, by auth.Actor, noticeID int64) (*Notice, error) {
	n, err := scanNotice(tx.QueryRowContext(ctx, `SELECT `+noticeColumns+`
		FROM inbox i JOIN notices n ON n.id = i.notice_id WHERE i.notice_id = $1 AND i.user_id = $2`, noticeID, by.UserID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("消息不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("notify.MarkRead %d: %w", noticeID, err)
	}
	if n.Unread() {
		n.ReadAt = tx.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE inbox SET read_at = $1 WHERE notice_id = $2 AND user_id = $3 AND read_at = ''`,
			db.Time(n.ReadAt), noticeID, by.UserID); err != nil {
			return nil, fmt.Errorf("notify.MarkRead %d: %w", noticeID, err)
		}
	}
	return n, nil
}

// MarkAllRead marks every unread notice of the actor read and says how many.
func MarkAllRead(ctx context.Context, tx *db.Tx, by auth.Actor) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE inbox SET read_at = $1 WHERE user_id = $2 AND read_at = ''`, db.Time(tx.Now()), by.UserID)
	if err != nil {
		return 0, fmt.Errorf("notify.MarkAllRead: %w", err)
	}
	return res.RowsAffected()
}

// How long notification data is kept.
const (
	keepDeliveries = 180 * 24 * time.Hour // a robot's log of what it sent
	keepRead       = 365 * 24 * time.Hour // notices read; unread ones stay until read
	keepOnce       = 400 * 24 * time.Hour // no reminder looks back further than a year
)

// Purge removes notification data past keeping: finished deliveries older
// than 180 days, inbox rows read more than a year ago, notices nothing
// refers to any more, and Once keys older than 400 days. It returns how
// many rows went. Like expired sessions, this is housekeeping and is not
// audited.
func Purge(ctx context.Context, tx *db.Tx, now time.Time) (int64, error) {
	var total int64
	for _, st := range []struct {
		query string
		arg   any
	}{
		{`DELETE FROM robot_deliveries WHERE status <> 'pending' AND created_at < $1`, db.Time(now.Add(-keepDeliveries))},
		{`DELETE FROM inbox WHERE read_at <> '' AND read_at < $1`, db.Time(now.Add(-keepRead))},
		{`DELETE FROM notices WHERE created_at < $1
			AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notice_id = notices.id)
			AND NOT EXISTS (SELECT 1 FROM robot_deliveries d WHERE d.notice_id = notices.id)`, db.Time(now.Add(-keepDeliveries))},
		{`DELETE FROM notify_once WHERE created_at < $1`, db.Time(now.Add(-keepOnce))},
	} {
		res, err := tx.ExecContext(ctx, st.query, st.arg)
		if err != nil {
			return total, fmt.Errorf("notify.Purge: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("notify.Purge: %w", err)
		}
		total += n
	}
	return total, nil
}
