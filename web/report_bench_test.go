package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"guatu/auth"
	"guatu/db"
	"guatu/meeting"
	"guatu/project"
	"guatu/report"
	"guatu/web/webtest"
)

// BenchmarkDeadlineDay is the afternoon of the 25th: 300 clerks submit
// their monthly report with a site photo at the same moment, to one server
// on SQLite. Every submission must be stored and none may fail: writers
// queue for SQLite's one writer, they never get "database is locked". Each
// iteration is one such wave (a different month each time); the metrics
// are the wave's latencies. Run with -benchtime=3x.
func BenchmarkDeadlineDay(b *testing.B) { deadlineDay(b, false, 0) }

// BenchmarkDeadlineDayNoPhoto is the same wave without photos: what the
// database and the handlers cost, apart from re-encoding photos.
func BenchmarkDeadlineDayNoPhoto(b *testing.B) { deadlineDay(b, true, 0) }

// BenchmarkDeadlineDaySpread is the same 300 submissions arriving over 20
// seconds (15 a second) instead of all in the same instant.
func BenchmarkDeadlineDaySpread(b *testing.B) { deadlineDay(b, false, 20*time.Second) }

func deadlineDay(b *testing.B, noPhoto bool, spread time.Duration) {
	const clients = 300
	env := webtest.New(b)
	var ids []int64
	env.Tx(b, func(ctx context.Context, tx *db.Tx) error {
		for i := range clients {
			p, err := project.Create(ctx, tx, auth.SystemActor("bench"), project.Input{Name: fmt.Sprintf("项目%03d", i), CategoryID: "1",
				Tier: "active", Stage: "started", StageSince: "2025-01-01", UnitID: fmt.Sprint(env.Units.Econ.ID), PlanYear: "2026", PlanInvest: "1000"})
			if err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	staff := make([]*webtest.Client, clients)
	for i := range staff {
		staff[i] = env.Login(b, "staff")
	}
	// A phone photo already shrunk by the app that sent it: 800×600, about 40 KB.
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for x := range 800 {
		for y := range 600 {
			img.Set(x, y, color.RGBA{uint8(x / 4), uint8(y / 3), uint8((x + y) / 6), 255})
		}
	}
	var photo bytes.Buffer
	if err := jpeg.Encode(&photo, img, &jpeg.Options{Quality: 80}); err != nil {
		b.Fatal(err)
	}
	body := func(csrf string) (*bytes.Buffer, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"csrf_token": csrf, "action": "submit", "month_invest": "12.5", "progress": "主体施工", "next_plan": "封顶"} {
			mw.WriteField(k, v)
		}
		if !noPhoto {
			fw, _ := mw.CreateFormFile("photos", "现场.jpg")
			fw.Write(photo.Bytes())
		}
		mw.Close()
		return &buf, mw.FormDataContentType()
	}

	var all []time.Duration
	wave := 0
	for b.Loop() {
		period := time.Date(2026, time.March-time.Month(wave), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
		wave++
		var mu sync.Mutex
		var failures []string
		lat := make([]time.Duration, clients)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range clients {
			buf, ctype := body(staff[i].CSRF)
			req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/projects/%d/report?period=%s", env.HTTP.URL, ids[i], period), buf)
			req.Header.Set("Content-Type", ctype)
			wg.Go(func() {
				<-start
				time.Sleep(spread * time.Duration(i) / clients)
				t0 := time.Now()
				res, err := staff[i].HTTP().Do(req)
				lat[i] = time.Since(t0)
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if err != nil || res.StatusCode != http.StatusSeeOther {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("client %d: %v %v", i, err, res))
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		if len(failures) > 0 {
			b.Fatalf("%d of %d submissions failed, e.g. %s", len(failures), clients, failures[0])
		}
		var stored int
		q := `SELECT COUNT(*) FROM reports r JOIN report_photos ph ON ph.report_id = r.id WHERE r.period = $1 AND r.status = 'submitted'`
		if noPhoto {
			q = `SELECT COUNT(*) FROM reports r WHERE r.period = $1 AND r.status = 'submitted'`
		}
		if err := env.DB.QueryRowContext(context.Background(), q, period).Scan(&stored); err != nil || stored != clients {
			b.Fatalf("%s: %d submissions stored, want %d (%v)", period, stored, clients, err)
		}
		all = append(all, lat...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(len(all)), "submissions")
}

// benchLoop200 is a town at full stretch: 200 实施库 projects, half with
// this month's report in, and a meeting for the month.
func benchLoop200(b *testing.B) (*webtest.Env, int64) {
	env := webtest.New(b)
	sys := auth.SystemActor("bench")
	var meetingID int64
	env.Tx(b, func(ctx context.Context, tx *db.Tx) error {
		for i := range 200 {
			p, err := project.Create(ctx, tx, sys, project.Input{Name: fmt.Sprintf("项目%03d", i), CategoryID: "1", Tier: "active", Stage: "started",
				StageSince: "2025-06-01", UnitID: fmt.Sprint(env.Units.Econ.ID), PlanYear: "2026", PlanInvest: "1000",
				Milestones: []project.MilestoneInput{{Name: "开工", Planned: "2026-01-20", Actual: "2026-01-25"}, {Name: "主体完工", Planned: "2026-03-10"},
					{Name: "竣工", Planned: "2026-10-30"}}})
			if err != nil {
				return err
			}
			if i%2 == 0 {
				if _, err := report.Save(ctx, tx, sys, p.ID, report.Period{Year: 2026, Month: 3},
					report.Input{MonthInvest: "50", Progress: "主体施工", NextPlan: "封顶"}, true, project.Day(2026, 3, 14)); err != nil {
					return err
				}
			}
		}
		m, err := meeting.Create(ctx, tx, sys, meeting.Input{Period: "2026-03", HeldOn: "2026-03-15", UnitID: fmt.Sprint(env.Units.Town.ID)})
		meetingID = m.ID
		return err
	})
	return env, meetingID
}

// BenchmarkReportBoard_200 is the 报送情况 page of a 200-project month.
func BenchmarkReportBoard_200(b *testing.B) {
	env, _ := benchLoop200(b)
	c := env.Login(b, "supervisor")
	for b.Loop() {
		if res := c.Get(b, "/reports?period=2026-03"); res.Status != http.StatusOK {
			b.Fatalf("board: %d", res.Status)
		}
	}
}

// BenchmarkMeetingAgenda_200 is a dispatch meeting's page, its agenda built
// from 200 projects' lights, reports and problems.
func BenchmarkMeetingAgenda_200(b *testing.B) {
	env, id := benchLoop200(b)
	c := env.Login(b, "supervisor")
	for b.Loop() {
		if res := c.Get(b, fmt.Sprintf("/meetings/%d", id)); res.Status != http.StatusOK {
			b.Fatalf("agenda: %d", res.Status)
		}
	}
}
