package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"guatu/db"
)

// dueDelivery is a delivery the worker may try now.
type dueDelivery struct {
	id, channelID int64
}

// dueDeliveries lists pending deliveries whose time has come and whose
// lease (if any) has run out, oldest first, for enabled robots.
func dueDeliveries(ctx context.Context, q db.Querier, now time.Time, limit int) ([]dueDelivery, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.channel_id FROM robot_deliveries d
		JOIN robot_channels c ON c.id = d.channel_id
		WHERE d.status = $1 AND d.next_attempt_at <= $2 AND d.lease_until <= $2 AND c.enabled = TRUE
		ORDER BY d.id LIMIT $3`, string(StatusPending), db.Time(now), limit)
	if err != nil {
		return nil, fmt.Errorf("notify: due deliveries: %w", err)
	}
	defer rows.Close()
	var out []dueDelivery
	for rows.Next() {
		var d dueDelivery
		if err := rows.Scan(&d.id, &d.channelID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// errWindowFull says the robot has had RateLimit requests in the last RateWindow.
var errWindowFull = errors.New("notify: robot rate limit reached")

// lockRobot takes the robot's row lock for the rest of tx (a row lock on
// PostgreSQL; SQLite has a single writer anyway) and counts its requests
// in the rate window. Holding the lock, claims for one robot happen one at
// a time on every server, so the count is never stale. It reports false
// when the robot was removed or turned off meanwhile.
func lockRobot(ctx context.Context, tx *db.Tx, channelID int64, now time.Time) (recent int, ok bool, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE robot_channels SET claimed_at = $1 WHERE id = $2 AND enabled = TRUE`, db.Time(now), channelID)
	if err != nil {
		return 0, false, fmt.Errorf("notify: lock robot %d: %w", channelID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, false, err
	}
	recent, err = recentAttempts(ctx, tx, channelID, now)
	return recent, err == nil, err
}

// claimDelivery takes a due delivery for one worker: it reports false when
// another worker holds or has finished it (or the robot is gone), and
// errWindowFull when the robot's rate limit leaves no room. The
// conditional update takes the delivery only if it is still pending, due
// and unleased: of two servers, exactly one changes the row.
func claimDelivery(ctx context.Context, tx *db.Tx, deliveryID, channelID int64, now time.Time, token string) (bool, error) {
	recent, ok, err := lockRobot(ctx, tx, channelID, now)
	if err != nil || !ok {
		return false, err
	}
	if recent >= RateLimit {
		return false, errWindowFull
	}
	res, err := tx.ExecContext(ctx, `UPDATE robot_deliveries
		SET lease_until = $1, lease_token = $2, attempted_at = $3, attempts = attempts + 1
		WHERE id = $4 AND status = $5 AND next_attempt_at <= $3 AND lease_until <= $3`,
		db.Time(now.Add(leaseFor)), token, db.Time(now), deliveryID, string(StatusPending))
	if err != nil {
		return false, fmt.Errorf("notify: claim delivery %d: %w", deliveryID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// insertClaimed adds a delivery already claimed by the caller, for a send
// that happens at once (the test button): no worker can take it meanwhile.
// The caller holds the robot's lock (lockRobot).
func insertClaimed(ctx context.Context, tx *db.Tx, channelID, noticeID int64, now time.Time, token string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO robot_deliveries
		(channel_id, notice_id, attempts, next_attempt_at, lease_until, lease_token, attempted_at, created_at)
		VALUES ($1, $2, 1, $3, $4, $5, $3, $3) RETURNING id`,
		channelID, noticeID, db.Time(now), db.Time(now.Add(leaseFor)), token).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("notify: insert delivery: %w", err)
	}
	return id, nil
}

// loadForSend reads what a claimed delivery sends, and how many attempts it has had.
func loadForSend(ctx context.Context, tx *db.Tx, deliveryID int64) (*Channel, *Notice, int, error) {
	var channelID int64
	var attempts int
	n := &Notice{}
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT d.channel_id, d.attempts, n.id, n.kind, n.title, n.body, n.link, n.created_at
		FROM robot_deliveries d JOIN notices n ON n.id = d.notice_id WHERE d.id = $1`, deliveryID).
		Scan(&channelID, &attempts, &n.ID, &kind, &n.Title, &n.Body, &n.Link, (*db.Time)(&n.CreatedAt))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("notify: delivery %d: %w", deliveryID, err)
	}
	n.Kind = Kind(kind)
	ch, err := getChannel(ctx, tx, channelID)
	if err != nil {
		return nil, nil, 0, err
	}
	return ch, n, attempts, nil
}

// outcome is what became of one attempt.
type outcome struct {
	status Status
	next   time.Time // the next attempt, while pending
	sentAt time.Time
	err    string
}

// finishDelivery records an attempt's outcome, if the worker still holds
// the lease (a worker whose lease ran out and was taken over records nothing).
func finishDelivery(ctx context.Context, tx *db.Tx, deliveryID int64, token string, o outcome) error {
	_, err := tx.ExecContext(ctx, `UPDATE robot_deliveries
		SET status = $1, next_attempt_at = $2, sent_at = $3, last_error = $4, lease_until = '', lease_token = ''
		WHERE id = $5 AND lease_token = $6`,
		string(o.status), timeOrEmpty(o.next), timeOrEmpty(o.sentAt), o.err, deliveryID, token)
	if err != nil {
		return fmt.Errorf("notify: finish delivery %d: %w", deliveryID, err)
	}
	return nil
}

// timeOrEmpty is the stored form of a time that may be unset (”).
func timeOrEmpty(t time.Time) any {
	if t.IsZero() {
		return ""
	}
	return db.Time(t)
}

// recentAttempts counts a robot's requests in the rate window (now - RateWindow, now].
func recentAttempts(ctx context.Context, q db.Querier, channelID int64, now time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM robot_deliveries WHERE channel_id = $1 AND attempted_at > $2`,
		channelID, db.Time(now.Add(-RateWindow))).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notify: rate window of robot %d: %w", channelID, err)
	}
	return n, nil
}

// Deliveries is a robot's delivery log: its last LogSize deliveries, newest first.
func Deliveries(ctx context.Context, q db.Querier, channelID int64) ([]*Delivery, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.channel_id, d.notice_id, n.kind, n.title, d.status, d.attempts,
		d.next_attempt_at, d.attempted_at, d.sent_at, d.last_error, d.created_at
		FROM robot_deliveries d JOIN notices n ON n.id = d.notice_id
		WHERE d.channel_id = $1 ORDER BY d.id DESC LIMIT $2`, channelID, LogSize)
	if err != nil {
		return nil, fmt.Errorf("notify.Deliveries: %w", err)
	}
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		var d Delivery
		var kind, status string
		if err := rows.Scan(&d.ID, &d.ChannelID, &d.NoticeID, &kind, &d.Title, &status, &d.Attempts,
			(*db.Time)(&d.NextAttemptAt), (*db.Time)(&d.AttemptedAt), (*db.Time)(&d.SentAt), &d.LastError,
			(*db.Time)(&d.CreatedAt)); err != nil {
			return nil, err
		}
		d.Kind, d.Status = Kind(kind), Status(status)
		out = append(out, &d)
	}
	return out, rows.Err()
}
