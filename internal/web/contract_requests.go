package web

// contractRoutes declares the routes of this capability; registerRoutes calls it.
func (h *handler) contractRoutes(r *router) {}
