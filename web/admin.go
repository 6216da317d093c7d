package web

import (
	"net/http"

	"guatu/apperr"
)

// Placeholder handlers, replaced by the account and security pages.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userShow(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userDisable(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userEnable(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userReset(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userUnlock(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userGrant(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) userRevoke(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) adminSessionRevoke(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) securityForm(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) securitySave(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
