package web

import (
	"net/http"

	"guatu/apperr"
)

// Placeholder handlers, replaced by the 我的 pages.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) totpBegin(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) totpDisable(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) sessionRevoke(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
