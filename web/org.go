package web

import (
	"net/http"

	"guatu/apperr"
)

// Placeholder handlers, replaced by the organisation pages.
func (s *Server) orgTree(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitShow(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitEdit(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitMove(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitOrder(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitDisable(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitEnable(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) unitDelete(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) peopleList(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personNew(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personShow(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personEdit(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personLeads(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personDisable(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personEnable(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) personDelete(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
