package web

// changeRoutes declares the routes of this capability; registerRoutes calls it.
func (h *handler) changeRoutes(r *router) {}
