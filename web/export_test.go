package web

// PrivateRoutes lists the registered private routes ("METHOD /pattern") for tests.
func (s *Server) PrivateRoutes() []string { return s.privateRoutes }
