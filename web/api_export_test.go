package web

// APIRoutes lists the registered API routes ("METHOD /pattern") for tests.
func (s *Server) APIRoutes() []string { return s.apiRoutes().patterns }
