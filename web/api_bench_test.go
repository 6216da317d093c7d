package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"guatu/db"
	"guatu/web/webtest"
)

// seedProjectsDirect inserts n 实施库 projects with ms milestones each under
// 经发办 with plain INSERTs: project.Create would take minutes for a
// county's library, and the benchmark measures reading, not writing.
func seedProjectsDirect(b testing.TB, env *webtest.Env, n, ms int) {
	b.Helper()
	now := db.Time(time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC))
	env.Tx(b, func(ctx context.Context, tx *db.Tx) error {
		for i := range n {
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO projects (code, name, category_id, level, tier, stage, stage_since,
				investor, location, total_invest, completed_invest, leader_id, unit_id, person_in_charge, planned_start,
				planned_operating, description, created_at, updated_at)
				VALUES ($1, $2, $3, 'town', 'active', 'started', '2026-02-01', '某某集团有限公司', 'XX镇工业园区', 120000000, 8000000,
				$4, $5, '张三', '2026-02-01', '2026-12-20', '项目简介', $6, $6) RETURNING id`,
				fmt.Sprintf("2026-%05d", i+1), fmt.Sprintf("重点项目%04d", i), i%8+1, env.Leader.ID, env.Units.Econ.ID, now).Scan(&id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO project_year_plans (project_id, year, planned_invest, completed_invest)
				VALUES ($1, 2026, 30000000, 5000000)`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO project_co_units (project_id, unit_id) VALUES ($1, $2)`, id, env.Units.Office.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO project_targets (project_id, sort_order, name, value, unit)
				VALUES ($1, 10, '年产值', '8000', '万元')`, id); err != nil {
				return err
			}
			for m := range ms {
				actual := ""
				if m < 2 {
					actual = fmt.Sprintf("2026-%02d-14", m+2)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO milestones (project_id, sort_order, name, planned_on, actual_on, unit_id, note)
					VALUES ($1, $2, $3, $4, $5, $6, '')`, id, (m+1)*10, fmt.Sprintf("节点%d", m+1), fmt.Sprintf("2026-%02d-15", m+2), actual,
					env.Units.Econ.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// BenchmarkAPIProjectList_5000 is the aim: the JSON list of a
// county's 5,000 projects with their ten milestones each, in one request
// (GET /api/v1/projects?per_page=5000&include=milestones). It measures the
// server alone: the handler stack into a recorder, no socket, no client.
func BenchmarkAPIProjectList_5000(b *testing.B) {
	env := webtest.New(b)
	seedProjectsDirect(b, env, 5000, 10)
	token := apiToken(b, env, "chief")
	h := env.Server.Handler()
	get := func() *countingWriter {
		req := httptest.NewRequest("GET", "/api/v1/projects?per_page=5000&include=milestones", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := &countingWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		return w
	}
	first := get()
	if first.status != http.StatusOK || first.bytes < 5000*1000 {
		b.Fatalf("status %d, %d bytes", first.status, first.bytes)
	}
	b.ResetTimer()
	for b.Loop() {
		if w := get(); w.status != http.StatusOK || w.bytes != first.bytes {
			b.Fatalf("status %d, %d bytes", w.status, w.bytes)
		}
	}
	b.ReportMetric(float64(first.bytes)/1e6, "MB/op")
}

// countingWriter stands for the socket: it keeps the status and counts
// the bytes, so the benchmark measures the server and not a recorder's
// growing buffer.
type countingWriter struct {
	header http.Header
	status int
	bytes  int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.bytes += len(p)
	return len(p), nil
}

// BenchmarkAPIProjectList_Page50 is one default page (50 projects, no
// milestones) out of the same 5,000: what an integration polling the
// library page by page costs.
func BenchmarkAPIProjectList_Page50(b *testing.B) {
	env := webtest.New(b)
	seedProjectsDirect(b, env, 5000, 10)
	token := apiToken(b, env, "chief")
	h := env.Server.Handler()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/api/v1/projects?page=37", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := &countingWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}
