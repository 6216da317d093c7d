package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"guatu/account"
	"guatu/apperr"
	"guatu/auth"
)

// reqState is what the middleware learns about a request, kept in its
// context and filled as the chain runs.
type reqState struct {
	requestID string
	ip        string
	secure    bool // served over TLS (directly or behind the configured proxy)
	security  account.Security
	token     string // session cookie value
	session   *account.Session
	user      *account.User
	actor     auth.Actor
	gate      account.Gate
	csrf      string
	flash     string
	flashErr  bool
}

type ctxKey struct{}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(ctxKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// actor is the acting user of a request (zero Actor when anonymous).
func actor(r *http.Request) auth.Actor { return state(r).actor }

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withState starts the chain: request id, client address, settings.
func (s *Server) withState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{requestID: newRequestID()}
		sec, err := account.LoadSecurity(r.Context(), s.db)
		if err != nil {
			s.log.Error("load security settings", "err", err)
		}
		st.security = sec
		st.ip = clientIP(r, sec.BehindTLSProxy)
		st.secure = r.TLS != nil || sec.BehindTLSProxy
		w.Header().Set("X-Request-Id", st.requestID)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, st)))
	})
}

// clientIP is the peer address; behind the configured proxy, the last address
// the proxy appended to X-Forwarded-For. Only a proxy on this machine
// (loopback) is believed: on an intranet every client has a private address,
// so trusting private peers would let anyone choose the address recorded.
func clientIP(r *http.Request, behindProxy bool) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if behindProxy {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
				parts := strings.Split(xff, ",")
				if last := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(last) != nil {
					return last
				}
			}
		}
	}
	return host
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// accessLog writes one structured line per request.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		st := state(r)
		level := slog.LevelInfo
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" {
			level = slog.LevelDebug
		}
		path := r.URL.Path
		if strings.HasPrefix(path, "/setup/") {
			path = "/setup/…" // the one-time token is a secret: keep it out of logs
		}
		s.log.Log(r.Context(), level, "http", "request_id", st.requestID, "method", r.Method, "path", path,
			"status", sw.status, "bytes", sw.bytes, "ms", time.Since(start).Milliseconds(), "ip", st.ip, "user", st.actor.Username)
	})
}

// recoverPanic turns a panic into the 500 page with the request id.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", state(r).requestID, "panic", p, "stack", string(debug.Stack()))
				s.fail(w, r, &apperr.Error{Kind: apperr.Internal, Msg: "panic"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows nothing from outside the server and no inline
// script; SVG charts use presentation attributes, so style-src stays 'self'.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries, error pages and
// static files included.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if state(r).secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// Cookie names. __Host- requires Secure, which browsers refuse over plain
// HTTP; a town intranet often serves plain HTTP by IP address, so there the
// cookie has a plain name (and is still HttpOnly and SameSite=Lax).
const (
	sessionCookieSecure = "__Host-guatu_session"
	sessionCookiePlain  = "guatu_session"
	csrfCookieSecure    = "__Host-guatu_csrf"
	csrfCookiePlain     = "guatu_csrf"
	flashCookieSecure   = "__Host-guatu_flash"
	flashCookiePlain    = "guatu_flash"
)

func cookieName(secure bool, secureName, plainName string) string {
	if secure {
		return secureName
	}
	return plainName
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, secureName, plainName, value string, maxAge int) {
	st := state(r)
	http.SetCookie(w, &http.Cookie{Name: cookieName(st.secure, secureName, plainName), Value: value, Path: "/",
		MaxAge: maxAge, HttpOnly: true, Secure: st.secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) readCookie(r *http.Request, secureName, plainName string) string {
	c, err := r.Cookie(cookieName(state(r).secure, secureName, plainName))
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	s.setCookie(w, r, sessionCookieSecure, sessionCookiePlain, token, 0)
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	s.setCookie(w, r, sessionCookieSecure, sessionCookiePlain, "", -1)
}

// setFlash leaves a one-time message for the next page.
func (s *Server) setFlash(w http.ResponseWriter, r *http.Request, msg string, isErr bool) {
	v := "ok:" + msg
	if isErr {
		v = "err:" + msg
	}
	s.setCookie(w, r, flashCookieSecure, flashCookiePlain, url.QueryEscape(v), 60)
}

// loadSession resumes the session from its cookie (if any), reads the flash,
// and fixes the CSRF token: the session's, or for anonymous pages (sign-in,
// set-up) a random token in its own cookie that the form must echo.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		// The API authenticates by bearer token only (web/api.go): no cookie is read or set for it.
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || isAPIPath(r) {
			next.ServeHTTP(w, r)
			return
		}
		if f := s.readCookie(r, flashCookieSecure, flashCookiePlain); f != "" {
			if v, err := url.QueryUnescape(f); err == nil {
				kind, msg, _ := strings.Cut(v, ":")
				st.flash, st.flashErr = msg, kind == "err"
			}
			s.setCookie(w, r, flashCookieSecure, flashCookiePlain, "", -1)
		}
		if token := s.readCookie(r, sessionCookieSecure, sessionCookiePlain); token != "" {
			sess, u, err := account.Resume(r.Context(), s.db, token)
			switch {
			case err == nil && !sess.MFAPending:
				st.token, st.session, st.user = token, sess, u
				st.actor = u.Actor(st.ip, st.requestID, "ui")
				st.csrf = sess.CSRFToken
				st.gate = account.GateFor(u, st.security, s.db.Now())
			case err == nil && sess.MFAPending:
				st.token = token // half signed in: only the code page uses it
			case apperr.KindOf(err) == apperr.Unauthorized:
				s.clearSessionCookie(w, r)
				if st.flash == "" {
					st.flash, st.flashErr = err.Error(), true
				}
			default:
				s.fail(w, r, err)
				return
			}
		}
		if st.csrf == "" {
			st.csrf = s.readCookie(r, csrfCookieSecure, csrfCookiePlain)
			if len(st.csrf) < 32 {
				st.csrf = account.NewToken()
				s.setCookie(w, r, csrfCookieSecure, csrfCookiePlain, st.csrf, 0)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// csrf refuses cross-origin state changes (http.CrossOriginProtection, by
// Sec-Fetch-Site and Origin) and any state change without the form token,
// since some in-app browsers send neither header.
//
// The API under /api/ is exempt, and only it: it never reads a cookie, so a
// forged cross-site request carries no credential it could use (a browser
// does not add an Authorization header on its own).
// maxFormBody bounds a page's form submission: the largest is a monthly
// report with its photos. Each upload is then checked against its own
// limit (a spreadsheet's sheet.MaxFileSize, a photo's photo.MaxBytes).
const maxFormBody = 64 << 20

// formMemory is how much of a multipart body is held in memory; the rest
// of a large upload waits in a temporary file, so hundreds of phones
// submitting photos at once do not exhaust the server's memory.
const formMemory = 8 << 20

var tooLarge = apperr.Invalidf("提交的内容太大：一次提交不能超过 %d MB，照片请分几次上传", maxFormBody>>20)

func (s *Server) csrf(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.Forbiddenf("请求来源不符，已拒绝（跨站请求）"))
	}))
	check := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		st := state(r)
		if r.ContentLength > maxFormBody {
			s.fail(w, r, tooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		// Parsed here, so a body without a length (chunked) that runs past
		// the limit is named as too large rather than as a stale page.
		var parseErr error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			parseErr = r.ParseMultipartForm(formMemory)
		} else {
			parseErr = r.ParseForm()
		}
		if tooBig := (*http.MaxBytesError)(nil); errors.As(parseErr, &tooBig) {
			s.fail(w, r, tooLarge)
			return
		}
		got := r.PostFormValue("csrf_token")
		if got == "" {
			got = r.Header.Get("X-CSRF-Token")
		}
		if st.csrf == "" || subtle.ConstantTimeCompare([]byte(got), []byte(st.csrf)) != 1 {
			s.fail(w, r, apperr.Forbiddenf("页面已过期或请求无效，请刷新页面后重试"))
			return
		}
		next.ServeHTTP(w, r)
	})
	protected := cop.Handler(check)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPIPath(r) {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// requireLogin guards every private route: no session sends the browser to
// the sign-in page; a user who must change their password or enrol a second
// factor can reach only those pages.
func (s *Server) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		if st.user == nil {
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		allowed := func(prefixes ...string) bool {
			for _, p := range prefixes {
				if r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/") {
					return true
				}
			}
			return false
		}
		// A gate redirect must not swallow the message meant for the page asked for.
		keepFlash := func() {
			if st.flash != "" {
				s.setFlash(w, r, st.flash, st.flashErr)
			}
		}
		switch st.gate {
		case account.GateChangePassword:
			if !allowed("/me/password", "/logout") {
				keepFlash()
				http.Redirect(w, r, "/me/password", http.StatusSeeOther)
				return
			}
		case account.GateEnrolTOTP:
			if !allowed("/me/totp", "/logout") {
				keepFlash()
				http.Redirect(w, r, "/me/totp", http.StatusSeeOther)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// static serves embedded files; a request with the current content hash is
// cached for a year, others must revalidate. Directories are not listed.
func (s *Server) static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/static/")
		s.mu.Lock()
		hash, ok := s.assets[p]
		s.mu.Unlock()
		if !ok {
			s.notFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == hash {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		http.ServeFileFS(w, r, s.files, "static/"+p)
	})
}
