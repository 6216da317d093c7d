package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"guatu/apperr"
	"guatu/audit"
	"guatu/auth"
	"guatu/db"
)

// Worker sends the robot outbox. Several workers, in one server or in
// several sharing a PostgreSQL database, may run at once: each delivery is
// claimed under a lease, and each robot's rate limit is counted from the
// delivery log, so neither a restart nor a second server sends a delivery
// twice or a robot more than RateLimit requests a minute.
type Worker struct {
	DB     *db.DB
	Sender *Sender
	Log    *slog.Logger // nil: failures are only recorded in the log table
}

// batchSize bounds the deliveries one run looks at; the rest wait a minute.
const batchSize = 200

// RunOnce sends what is due at now. A robot whose rate limit is reached,
// or that could not be reached, is skipped for the rest of the run. It is
// a scheduler job (schedule.Job).
func (w *Worker) RunOnce(ctx context.Context, now time.Time) error {
	due, err := dueDeliveries(ctx, w.DB, now, batchSize)
	if err != nil {
		return err
	}
	skip := map[int64]bool{}
	var errs []error
	for _, d := range due {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if skip[d.channelID] {
			continue
		}
		retry, err := w.deliver(ctx, d, now)
		if errors.Is(err, errWindowFull) || retry {
			skip[d.channelID] = true
			continue
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deliver claims, sends and records one delivery. It reports whether the
// robot failed in a way worth retrying, which ends this run's tries of it.
func (w *Worker) deliver(ctx context.Context, d dueDelivery, now time.Time) (retrying bool, err error) {
	token := newLeaseToken()
	var ch *Channel
	var n *Notice
	var attempts int
	err = w.DB.InTx(ctx, func(tx *db.Tx) error {
		claimed, err := claimDelivery(ctx, tx, d.id, d.channelID, now, token)
		if err != nil || !claimed {
			return err
		}
		ch, n, attempts, err = loadForSend(ctx, tx, d.id)
		return err
	})
	if err != nil || ch == nil {
		return false, err
	}
	sendErr := w.Sender.Send(ctx, ch, n)
	o := judge(sendErr, attempts, now, true)
	if sendErr != nil && w.Log != nil {
		w.Log.Warn("robot delivery failed", "delivery", d.id, "robot", ch.ID, "attempt", attempts, "status", o.status, "err", sendErr)
	}
	// A cancelled run (shutdown) still records what happened if it can; if
	// it cannot, the lease runs out and the delivery is tried again.
	bg := context.WithoutCancel(ctx)
	err = w.DB.InTx(bg, func(tx *db.Tx) error { return finishDelivery(bg, tx, d.id, token, o) })
	return o.status == StatusPending, err
}

// judge turns an attempt's result into the delivery's next state: sent;
// pending again after the back-off when the error is retryable and
// attempts remain (and retries are allowed); otherwise failed.
func judge(sendErr error, attempts int, now time.Time, retries bool) outcome {
	if sendErr == nil {
		return outcome{status: StatusSent, sentAt: now}
	}
	msg := Describe(sendErr)
	var se *SendError
	retryable := errors.As(sendErr, &se) && se.Retryable
	switch {
	case retryable && retries && attempts < MaxAttempts:
		return outcome{status: StatusPending, next: now.Add(Backoff(attempts)), err: msg}
	case retryable && retries:
		msg += fmt.Sprintf("；已尝试 %d 次，不再重试", attempts)
	}
	return outcome{status: StatusFailed, err: msg}
}

func newLeaseToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b)
}

// SendTest sends a test message to a robot at once and reports the
// outcome in the returned delivery (sent, or failed with the reason). It is
// not retried. The robot must be enabled and within its rate limit
// (Conflict otherwise). The attempt is recorded in the robot's delivery
// log and, with its outcome, in the audit trail.
func SendTest(ctx context.Context, d *db.DB, by auth.Actor, s *Sender, id int64) (*Delivery, error) {
	token := newLeaseToken()
	now := d.Now()
	var ch *Channel
	var n *Notice
	var dl *Delivery
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if ch, err = ViewChannel(ctx, tx, by, id); err != nil {
			return err
		}
		if !ch.Enabled {
			return apperr.Conflictf("机器人“%s”已停用，请先启用再发送测试消息", ch.Name)
		}
		recent, ok, err := lockRobot(ctx, tx, id, now)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFoundf("群机器人不存在")
		}
		if recent >= RateLimit {
			return apperr.Conflictf("该机器人最近一分钟已发出 %d 条消息，达到平台每分钟 %d 条的限制，请一分钟后再试", recent, RateLimit)
		}
		n = &Notice{Kind: KindTest, Title: "测试消息", Link: "/settings/robots/" + strconv.FormatInt(id, 10),
			Body: fmt.Sprintf("这是挂图作战发给“%s”的测试消息，由%s发送。\n看到这条消息，说明机器人设置正确；今后%s的消息会发到这个群。",
				ch.Name, by.Name, ch.KindLabels())}
		if n.ID, err = insertNotice(ctx, tx, n.Kind, n.Title, n.Body, n.Link); err != nil {
			return err
		}
		deliveryID, err := insertClaimed(ctx, tx, id, n.ID, now, token)
		dl = &Delivery{ID: deliveryID, ChannelID: id, NoticeID: n.ID, Kind: n.Kind, Title: n.Title, Attempts: 1, AttemptedAt: now, CreatedAt: now}
		return err
	})
	if err != nil {
		return nil, err
	}
	sendErr := s.Send(ctx, ch, n)
	o := judge(sendErr, 1, now, false)
	dl.Status, dl.SentAt, dl.LastError = o.status, o.sentAt, o.err
	// Recorded even if the page's request ended meanwhile: the robot may have posted.
	bg := context.WithoutCancel(ctx)
	err = d.InTx(bg, func(tx *db.Tx) error {
		if err := finishDelivery(bg, tx, dl.ID, token, o); err != nil {
			return err
		}
		e := audit.Entry{Actor: by, Action: audit.RobotTested, ObjectType: "robot", ObjectID: ch.ID, ObjectName: ch.Name, Note: "发送成功"}
		if sendErr != nil {
			e.Outcome, e.Note = audit.Failure, o.err
		}
		return audit.Record(bg, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return dl, nil
}
