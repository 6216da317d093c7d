package notify

import (
	"time"
)

// Status is where a robot delivery stands.
type Status string

// The delivery statuses.
const (
	StatusPending Status = "pending" // waiting for its first try or a retry
	StatusSent    Status = "sent"
	StatusFailed  Status = "failed" // refused for good, retried too often, or its robot was turned off
)

// Label is the status's Chinese name.
func (s Status) Label() string {
	switch s {
	case StatusPending:
		return "待发送"
	case StatusSent:
		return "已发送"
	case StatusFailed:
		return "失败"
	}
	return string(s)
}

// Delivery is one notice to one robot, as the delivery log shows it.
type Delivery struct {
	ID            int64
	ChannelID     int64
	NoticeID      int64
	Kind          Kind
	Title         string
	Status        Status
	Attempts      int
	NextAttemptAt time.Time
	AttemptedAt   time.Time
	SentAt        time.Time
	LastError     string
	CreatedAt     time.Time
}

// Retrying reports whether a pending delivery has failed before and waits
// for its next try.
func (d *Delivery) Retrying() bool { return d.Status == StatusPending && d.Attempts > 0 }

// The delivery rules.
const (
	// MaxAttempts is how many times a delivery is tried before it fails
	// for good: with the back-off below, about two hours of trying.
	MaxAttempts = 8
	// RateLimit requests per RateWindow is each robot's limit on both
	// platforms (DingTalk throttles a robot for 10 minutes beyond it).
	RateLimit  = 20
	RateWindow = time.Minute
	// firstRetry doubles after each failure up to maxRetry. It is not
	// shorter than RateWindow, so one delivery's attempts never fall in
	// one window twice and the window count (one attempt time per row) is exact.
	firstRetry = time.Minute
	maxRetry   = time.Hour
	// leaseFor is how long a claimed delivery belongs to its worker. It
	// outlasts a request's timeout by far, so a lease only runs out when
	// the worker died mid-send; then the delivery is tried again.
	leaseFor = 2 * time.Minute
	// LogSize is how many deliveries a robot's log page shows.
	LogSize = 50
)

// Backoff is the wait after the n-th failed attempt: 1, 2, 4, … minutes, at most an hour.
func Backoff(n int) time.Duration {
	d := firstRetry
	for i := 1; i < n && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}
