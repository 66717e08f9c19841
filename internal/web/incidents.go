package web

// incidentRoutes declares the routes of this capability; registerRoutes calls it.
func (h *handler) incidentRoutes(r *router) {}
