package web

import (
	"net/http"

	"guatu/apperr"
)

// Placeholder handlers, replaced by the audit pages.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("建设中")
}
