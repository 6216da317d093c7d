package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"guatu/auth"
	"guatu/bulletin"
	"guatu/db"
)

// The bulletin API's rows of the API permission matrix: drafts, as on the pages.
func init() { apiMatrixAreas = append(apiMatrixAreas, bulletinAPIMatrixRoutes) }

func bulletinAPIMatrixRoutes() []apiRoute {
	return []apiRoute{
		{method: "GET", path: "/api/v1/bulletins", allowed: bulReads},
		{method: "GET", path: "/api/v1/bulletins/{id}", allowed: bulDrafts, scoped: true, pathFor: func(m *matrix, tg target) string {
			return fmt.Sprintf("/api/v1/bulletins/%d", aBulletin(m.t, m.env, tg.unit).ID)
		}},
	}
}

type apiBulletinJSON struct {
	ID       int64  `json:"id"`
	Span     string `json:"span"`
	State    string `json:"state"`
	Number   string `json:"number"`
	IssuedOn string `json:"issued_on"`
	Intact   bool   `json:"intact"`
	Content  *struct {
		Title    string `json:"title"`
		Sections []struct {
			Heading string `json:"heading"`
			Tables  []struct {
				Key  string `json:"key"`
				Rows [][]struct {
					T string   `json:"t"`
					N *float64 `json:"n"`
				} `json:"rows"`
			} `json:"tables"`
		} `json:"sections"`
		Figures struct {
			Through string `json:"through"`
			Ranking []struct {
				UnitName string  `json:"unit_name"`
				Scored   bool    `json:"scored"`
				Rank     int     `json:"rank"`
				Score    float64 `json:"score"`
			} `json:"ranking"`
		} `json:"figures"`
	} `json:"content"`
}

func TestAPI_Bulletins(t *testing.T) {
	env := newAPIEnv(t)
	reportProject(t, env.Env, env.Units.Econ, "滨海冷库")
	b := aBulletin(t, env.Env, env.Units.Town)
	sup, village := env.as("supervisor"), env.as("village")

	var list struct {
		Items []apiBulletinJSON `json:"items"`
		Total int               `json:"total"`
	}
	sup.get(t, "/api/v1/bulletins?span=2026-02").decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != b.ID || list.Items[0].State != "draft" || list.Items[0].Content != nil {
		t.Fatalf("office list: %+v", list)
	}
	village.get(t, "/api/v1/bulletins").decode(t, http.StatusOK, &list)
	if list.Total != 0 {
		t.Errorf("a village lists a draft: %+v", list)
	}
	village.get(t, fmt.Sprintf("/api/v1/bulletins/%d", b.ID)).wantErr(t, http.StatusNotFound, "not_found", "通报不存在")
	sup.get(t, "/api/v1/bulletins?span=2026-Q9").wantErr(t, http.StatusBadRequest, "bad_request", "查询参数有误", "span")

	env.Tx(t, func(ctx context.Context, tx *db.Tx) error {
		sys := auth.SystemActor("test")
		in, _, err := bulletin.IssueDefaults(ctx, tx, sys, b, env.Clock.Now())
		if err != nil {
			return err
		}
		in.Signer = "王书记"
		_, err = bulletin.Issue(ctx, tx, sys, b.ID, in, env.Clock.Now())
		return err
	})
	var one apiBulletinJSON
	village.get(t, fmt.Sprintf("/api/v1/bulletins/%d", b.ID)).decode(t, http.StatusOK, &one)
	if one.State != "issued" || one.Number != "XX镇督〔2026〕1号" || !one.Intact || one.Content == nil || one.Content.Figures.Through != "2026-02" {
		t.Fatalf("issued: %+v", one)
	}
	rk := one.Content.Sections[1].Tables[0]
	scored := 0
	for _, s := range one.Content.Figures.Ranking {
		if s.Scored {
			scored++
		}
	}
	if rk.Key != "ranking" || scored == 0 || len(rk.Rows) != scored {
		t.Fatalf("ranking: %+v", one.Content.Sections[1])
	}
	if first := rk.Rows[0]; first[0].T != "1" || first[0].N == nil || *first[0].N != 1 {
		t.Errorf("ranking row: %+v", first)
	}
	village.get(t, "/api/v1/bulletins?state=issued").decode(t, http.StatusOK, &list)
	if list.Total != 1 {
		t.Errorf("village list of issued: %+v", list)
	}
}
