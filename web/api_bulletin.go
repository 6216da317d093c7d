package web

import (
	"net/http"
	"strconv"
	"time"

	"guatu/bulletin"
)

// The bulletin API: /api/v1/bulletins lists the bulletins the user may
// read (a unit: its town's issued ones), /api/v1/bulletins/{id} returns one
// with its text, tables and figures. Reading only: drafting and issuing
// are the office's work on the pages, where the document is seen as it
// will be printed.

type apiBulletinPage struct {
	Items   []apiBulletin `json:"items"`
	Total   int           `json:"total"`
	Page    int           `json:"page"`
	PerPage int           `json:"per_page"`
}

type apiBulletin struct {
	ID       int64  `json:"id"`
	UnitID   int64  `json:"unit_id"`
	Unit     string `json:"unit"`
	Span     string `json:"span"` // 2026-Q3
	SpanName string `json:"span_name"`
	State    string `json:"state"` // draft, issued
	Title    string `json:"title"`
	// Set once issued.
	Number   string     `json:"number"`
	Issuer   string     `json:"issuer"`
	Signer   string     `json:"signer"`
	IssuedOn string     `json:"issued_on"`
	IssuedAt *time.Time `json:"issued_at"`
	Hash     string     `json:"hash"`
	// Intact is false when the stored content no longer matches the hash.
	Intact     bool              `json:"intact"`
	Replaces   *apiBulletinRef   `json:"replaces"`
	ReplacedBy *apiBulletinRef   `json:"replaced_by"`
	Content    *bulletin.Content `json:"content,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	Links      map[string]string `json:"links"`
}

type apiBulletinRef struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
}

func bulletinJSON(b *bulletin.Bulletin, withContent bool) apiBulletin {
	out := apiBulletin{ID: b.ID, UnitID: b.UnitID, Unit: b.UnitName, Span: b.Span.Key(), SpanName: b.Span.Label(), State: string(b.State),
		Title: b.Title, Number: b.Number, Issuer: b.Issuer, Signer: b.Signer, Hash: b.Hash, Intact: b.Intact,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, Links: map[string]string{
			"page": "/bulletins/" + strconv.FormatInt(b.ID, 10), "docx": "/bulletins/" + strconv.FormatInt(b.ID, 10) + "/docx", "xlsx": "/bulletins/" + strconv.FormatInt(b.ID, 10) + "/xlsx"}}
	if b.State == bulletin.Issued {
		out.IssuedOn = b.IssuedOn.Format(time.DateOnly)
		at := b.IssuedAt
		out.IssuedAt = &at
	}
	if b.ReplacesID != 0 {
		out.Replaces = &apiBulletinRef{ID: b.ReplacesID, Number: b.ReplacesNumber}
	}
	if b.ReplacedBy != nil {
		out.ReplacedBy = &apiBulletinRef{ID: b.ReplacedBy.ID, Number: b.ReplacedBy.Number}
	}
	if withContent {
		c := b.Content
		out.Content = &c
	}
	return out
}

// apiBulletinList is GET /api/v1/bulletins?span=2026-Q3&state=issued.
func (s *Server) apiBulletinList(w http.ResponseWriter, r *http.Request) error {
	bad := unknownParams(r, "span", "state", "page", "per_page")
	q := r.URL.Query()
	span := q.Get("span")
	if span != "" {
		sp, err := bulletin.ParseSpan(span)
		if err != nil {
			bad["span"] = "应为 2026-Q1、2026-03、2026-H1 或 2026 这样的周期"
		}
		span = sp.Key()
	}
	state := q.Get("state")
	if state != "" && state != string(bulletin.Draft) && state != string(bulletin.Issued) {
		bad["state"] = "应为 draft 或 issued"
	}
	page, perPage := apiPaging(q, bad)
	if len(bad) > 0 {
		return badRequest("查询参数有误", bad)
	}
	list, err := bulletin.List(r.Context(), s.db, actor(r))
	if err != nil {
		return err
	}
	var kept []*bulletin.Bulletin
	for _, b := range list {
		if (span == "" || b.Span.Key() == span) && (state == "" || string(b.State) == state) {
			kept = append(kept, b)
		}
	}
	out := apiBulletinPage{Items: []apiBulletin{}, Total: len(kept), Page: page, PerPage: perPage}
	for i := (page - 1) * perPage; i < len(kept) && i < page*perPage; i++ {
		out.Items = append(out.Items, bulletinJSON(kept[i], false))
	}
	return s.writeJSON(w, r, http.StatusOK, out)
}

// apiBulletinGet is GET /api/v1/bulletins/{id}: the bulletin with its
// content (sections, tables with their numbers, figures and the ranking);
// 404 outside the user's view, as on the pages.
func (s *Server) apiBulletinGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := queryParams(r); err != nil {
		return err
	}
	b, err := bulletin.View(r.Context(), s.db, actor(r), id)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, http.StatusOK, bulletinJSON(b, true))
}
