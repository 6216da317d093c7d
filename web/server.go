// Package web is Guatu's HTTP face: server-rendered Chinese pages over the
// domain packages, with the security middleware every response passes.
// Handlers parse input, call one domain function and render; they hold no
// business rules and no permission logic (the domain asks auth.Can).
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"guatu/account"
	"guatu/db"
	"guatu/notify"
)

//go:embed templates static
var embedded embed.FS

// Config is what the server needs from main.
type Config struct {
	DB      *db.DB
	Logger  *slog.Logger
	Dev     bool   // read templates and static files from ./web on every request
	Demo    bool   // the demo town: the sign-in page lists the demo accounts
	Version string // shown in the footer
	// Robots sends the group robots' test messages and checks their
	// webhooks; nil means the official hosts only, with no links back.
	Robots *notify.Sender
}

// Server holds the application's dependencies; it has no package-level state.
type Server struct {
	db       *db.DB
	log      *slog.Logger
	dev      bool
	demo     bool
	version  string
	files    fs.FS // templates and static, embedded or from disk
	throttle *account.Throttle
	imports  pendingImports // uploaded spreadsheets between their check and their import
	robots   *notify.Sender

	mu     sync.Mutex
	pages  map[string]*template.Template
	assets map[string]string // static path → content hash
	loc    *time.Location

	privateRoutes []string // patterns of the signed-in routes, for the permission matrix
}

// New builds the server, parsing every template once (in -dev, per request).
func New(cfg Config) (*Server, error) {
	s := &Server{db: cfg.DB, log: cfg.Logger, dev: cfg.Dev, demo: cfg.Demo, version: cfg.Version,
		throttle: account.NewThrottle(), loc: shanghai, robots: cfg.Robots}
	if s.robots == nil {
		s.robots = &notify.Sender{}
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s.files = embedded
	if cfg.Dev {
		s.files = os.DirFS("web")
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// load parses the layout and partials once, then each page on a clone of
// them: the page set comes from the files, never from a hand-kept list.
func (s *Server) load() error {
	assets := map[string]string{}
	err := fs.WalkDir(s.files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(s.files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		assets[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:4])
		return nil
	})
	if err != nil {
		return fmt.Errorf("web: static: %w", err)
	}
	base := template.New("").Funcs(s.funcs(assets))
	base, err = base.ParseFS(s.files, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return fmt.Errorf("web: templates: %w", err)
	}
	names, err := fs.Glob(s.files, "templates/pages/*.html")
	if err != nil {
		return err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if t, err = t.ParseFS(s.files, n); err != nil {
			return fmt.Errorf("web: %s: %w", n, err)
		}
		pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	s.mu.Lock()
	s.pages, s.assets = pages, assets
	s.mu.Unlock()
	return nil
}

func (s *Server) page(name string) (*template.Template, error) {
	if s.dev {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no page template %q", name)
	}
	return t, nil
}

// Handler is the whole application as an http.Handler.
func (s *Server) Handler() http.Handler { return s.routes() }
