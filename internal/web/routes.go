package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
)

// access is who a route is for. Every route declares one, recorded as the route's name; the
// authorization test walks the router and fails on a route without one.
type access int

const (
	public   access = iota // anyone, logged in or not
	loggedIn               // any logged-in user
	customer               // customer users; the service checks the tenant and the right
	staff                  // agents, sales reps and admins
	admin                  // admins only
	agent                  // support agents and admins
	sales                  // sales reps and admins
)

// String names the access; it is the route's name in the router, which the tests read.
func (a access) String() string {
	return [...]string{"public", "logged_in", "customer", "staff", "admin", "agent", "sales"}[a]
}

// registerRoutes declares every route of the desk, readable top to bottom.
func (h *handler) registerRoutes(app *fiber.App) {
	r := &router{h: h, app: app}
	app.Use(h.twoFactorGate) // staff enrol first when GUICHET_STAFF_2FA=required

	r.get("/login", public, h.showLogin)
	r.post("/login", public, h.loginLimiter(), h.login)
	r.get("/login/code", public, h.showSecondStep)
	r.post("/login/code", public, h.loginLimiter(), h.secondStep)
	r.post("/logout", public, h.logout)
	r.post("/lang", public, h.switchLanguage)
	r.get("/password/forgot", public, h.showForgotPassword)
	r.post("/password/forgot", public, h.loginLimiter(), h.requestPasswordReset)
	r.get("/password/reset/:token", public, h.showSetPassword)
	r.post("/password/reset/:token", public, h.loginLimiter(), h.setPassword)

	r.get("/invitation/:token", public, h.showInvitation)
	r.post("/invitation/:token/accept", customer, h.acceptInvitation)
	r.post("/invitation/:token/decline", public, h.declineInvitation)
	r.post("/invitation/:token/account", public, h.loginLimiter(), h.createInvitedAccount)
	r.post("/invitations/:invitation/accept", customer, h.acceptMyInvitation)
	r.post("/invitations/:invitation/decline", customer, h.declineMyInvitation)

	r.get("/", loggedIn, h.showHome)
	r.get("/admin", admin, h.showAdminOverview)
	r.get("/profile", loggedIn, h.showProfile)
	r.post("/profile/lang", loggedIn, h.saveLanguage)
	r.post("/profile/password", loggedIn, h.changePassword)
	r.get("/profile/2fa", loggedIn, h.showTwoFactor)
	r.post("/profile/2fa", loggedIn, h.confirmTwoFactor)
	r.post("/profile/2fa/disable", loggedIn, h.disableTwoFactor)
	r.post("/profile/2fa/codes", loggedIn, h.renewRecoveryCodes)
	r.post("/profile/tokens", loggedIn, h.createToken)
	r.post("/profile/tokens/:apitoken/revoke", loggedIn, h.revokeToken)
	r.post("/profile/export", loggedIn, h.exportMyData)

	r.post("/scope", customer, h.chooseScope)
	r.get("/contract", customer, h.showContract)
	r.get("/users", customer, h.showMembers)
	r.post("/users", customer, h.invite)
	r.post("/users/invitations/:invitation/cancel", customer, h.cancelInvitation)
	r.post("/membership/withdraw", customer, h.withdraw)
	r.get("/users/:user", customer, h.showMember)
	r.post("/users/:user", customer, h.saveMemberRights)
	r.post("/users/:user/remove", customer, h.removeMember)
	r.post("/users/:user/referent", customer, h.makeReferent)
	r.post("/users/:user/owner", customer, h.makeOwner)
	r.get("/audit", customer, h.showTenantAudit)
	r.get("/audit/export.csv", customer, h.exportTenantAudit)
	r.post("/users/:user/backup-console", customer, h.setBackupConsole)

	// Webhooks: a tenant's referent registers the tenant's endpoints and reads their delivery log.
	r.get("/webhooks", customer, h.showWebhooks(customerHooks))
	r.get("/webhooks/new", customer, h.showNewWebhook(customerHooks))
	r.post("/webhooks", customer, h.createWebhook(customerHooks))
	r.get("/webhooks/:webhook", customer, h.showWebhook(customerHooks))
	r.post("/webhooks/:webhook", customer, h.saveWebhook(customerHooks))
	r.post("/webhooks/:webhook/secret", customer, h.rotateWebhookSecret(customerHooks))
	r.post("/webhooks/:webhook/delete", customer, h.deleteWebhook(customerHooks))
	r.get("/webhooks/:webhook/deliveries", customer, h.showDeliveries(customerHooks))
	r.post("/webhooks/:webhook/deliveries/:delivery/redeliver", customer, h.redeliver(customerHooks))

	r.get("/attachments/:attachment", loggedIn, h.downloadAttachment)

	// The status page: major incidents as customers read them, public when
	// GUICHET_PUBLIC_STATUS says so (the handler sends other visitors to the login page).
	r.get("/status", public, h.showStatus)
	r.get("/status/:major", public, h.showMajor)
	r.post("/status/:major/follow", customer, h.followMajor)
	r.post("/status/:major/unfollow", customer, h.unfollowMajor)

	// Incidents: customers declare and follow them in the tenant chosen with Périmètre; agents
	// work them from a queue across tenants.
	r.get("/incidents", customer, h.showIncidents)
	r.get("/incidents/new", customer, h.showNewIncident)
	r.post("/incidents", customer, h.declareIncident)
	r.get("/incidents/export", customer, h.exportIncidents)
	r.get("/incidents/:incident", customer, h.showIncident)
	r.get("/incidents/:incident/declared", customer, h.showDeclared)
	r.post("/incidents/:incident/reply", customer, h.incidentAction(incident.Reply))
	r.post("/incidents/:incident/cancel", customer, h.incidentAction(incident.Cancel))
	r.post("/incidents/:incident/reopen", customer, h.incidentAction(incident.Reopen))
	r.post("/incidents/:incident/confirm", customer, h.incidentAction(incident.Confirm))

	r.get("/staff/incidents", agent, h.showQueue)
	r.get("/staff/incidents/export", agent, h.exportQueue)
	r.get("/staff/incidents/:incident", agent, h.showStaffIncident)
	for _, a := range append([]incident.Action{incident.Reply}, incident.StaffActions...) {
		r.post("/staff/incidents/:incident/"+string(a), agent, h.incidentAction(a))
	}

	// Major incidents: agents and admins announce an outage in French and in English, post its
	// updates, and link the incidents it causes: by number, every matching one, or from the queue.
	r.get("/staff/major", agent, h.showStaffMajors)
	r.get("/staff/major/new", agent, h.showNewMajor)
	r.post("/staff/major", agent, h.openMajor)
	r.post("/staff/major/link-selected", agent, h.linkSelectedToMajor)
	r.get("/staff/major/:major", agent, h.showStaffMajor)
	r.get("/staff/major/:major/edit", agent, h.showEditMajor)
	r.post("/staff/major/:major/edit", agent, h.editMajor)
	r.post("/staff/major/:major/updates", agent, h.postMajorUpdate)
	r.post("/staff/major/:major/link", agent, h.linkToMajor)
	r.post("/staff/major/:major/link-matching", agent, h.linkMatchingToMajor)
	r.post("/staff/major/:major/unlink/:incident", agent, h.unlinkFromMajor)
	r.post("/staff/major/:major/notes", agent, h.noteOnMajor)

	// Canned responses: agents and admins keep the library, and insert them on incidents.
	r.get("/staff/canned", agent, h.showCannedList)
	r.get("/staff/canned/new", agent, h.showNewCanned)
	r.post("/staff/canned/new", agent, h.createCanned)
	r.get("/staff/canned/:canned", agent, h.showCanned)
	r.post("/staff/canned/:canned", agent, h.saveCanned)
	r.post("/staff/canned/:canned/delete", agent, h.deleteCanned)

	// The help center: everyone reads the articles their visibility allows (the service
	// decides); customers are offered them while they declare or order; agents and admins write
	// them.
	r.get("/help", public, h.showHelp)
	r.get("/help/suggest", customer, h.suggestHelp)
	r.get("/help/categories/:category", public, h.showHelpCategory)
	r.get("/help/articles/:article", public, h.showArticle)
	r.post("/help/articles/:article/vote", loggedIn, h.voteArticle)
	r.post("/help/articles/:article/deflect", customer, h.deflectArticle)
	r.get("/staff/help", agent, h.showHelpArticles)
	r.get("/staff/help/new", agent, h.showNewArticle)
	r.post("/staff/help/new", agent, h.createArticle)
	r.get("/staff/help/:article", agent, h.showEditArticle)
	r.post("/staff/help/:article", agent, h.saveArticle)
	r.get("/staff/help/:article/versions", agent, h.showArticleVersions)
	r.get("/staff/help/:article/versions/:version", agent, h.showArticleVersion)

	// Change requests: customers order from the catalogue; sales reps approve, agents do the work.
	r.get("/changes", customer, h.showChanges)
	r.get("/changes/export.csv", customer, h.exportChanges)
	r.get("/changes/new", customer, h.showNewChange)
	r.post("/changes/new", customer, h.reviewChange)
	r.post("/changes", customer, h.submitChange)
	r.get("/changes/:change", customer, h.showChange)
	r.get("/changes/:change/confirmation", customer, h.showChangeConfirmation)
	r.post("/changes/:change/replies", customer, h.replyToChange)
	r.post("/changes/:change/cancel", customer, h.cancelChange)
	r.post("/changes/:change/accept", customer, h.answerQuote(change.Accept))
	r.post("/changes/:change/decline", customer, h.answerQuote(change.Decline))

	// Services: customers order from the service catalogue (orders are change requests, worked
	// on the staff pages of changes); the Subscriptions tab cancels reserved instances.
	r.get("/services", customer, h.showServices)
	r.get("/services/order/:service", customer, h.showServiceOrder)
	r.post("/services/order/:service", customer, h.orderService)
	r.get("/subscriptions", customer, h.showSubscriptions)
	r.post("/subscriptions/:subscription/cancel", customer, h.cancelSubscription)

	r.get("/staff/changes", agent, h.showChangeQueue)
	r.get("/staff/approvals", sales, h.showApprovals)
	r.get("/staff/changes/:change", staff, h.showStaffChange)
	r.post("/staff/changes/:change/approve", sales, h.stepChange(change.Approve))
	r.post("/staff/changes/:change/reject", sales, h.stepChange(change.Reject))
	r.post("/staff/changes/:change/quote", sales, h.stepChange(change.Quote))
	r.post("/staff/changes/:change/schedule", agent, h.stepChange(change.Schedule))
	r.post("/staff/changes/:change/implement", agent, h.stepChange(change.Implement))
	r.post("/staff/changes/:change/close", agent, h.stepChange(change.Close))
	r.post("/staff/changes/:change/replies", staff, h.replyToStaffChange)

	// Contract requests: customers file the sales forms; sales reps process them.
	for _, k := range contract.Kinds() {
		r.get("/contract/"+k.Slug(), customer, h.showRequestForm(k))
		r.post("/contract/"+k.Slug(), customer, h.fileRequest(k))
	}
	r.get("/contract/requests/:request", customer, h.showRequest)
	r.post("/contract/requests/:request/reply", customer, h.replyRequest)

	r.get("/staff/sales", sales, h.showSalesDesk)
	r.get("/staff/sales/:request", sales, h.showSalesRequest)
	r.post("/staff/sales/:request/accept", sales, h.acceptRequest)
	r.post("/staff/sales/:request/reject", sales, h.rejectRequest)
	r.post("/staff/sales/:request/reply", sales, h.replySalesRequest)

	// Who may download an attachment is who may read its ticket.
	h.readable(incident.SubjectKind, func(c *fiber.Ctx, id int64) error {
		_, err := h.Incidents.Get(c.UserContext(), actorOf(c), id)
		return err
	})
	h.readable(change.SubjectKind, func(c *fiber.Ctx, id int64) error {
		return h.Changes.CanRead(c.UserContext(), actorOf(c), id)
	})
	h.readable(contract.TimelineKind, func(c *fiber.Ctx, id int64) error {
		return h.Contracts.CanRead(c.UserContext(), actorOf(c), id)
	})

	// The mail a reply by mail came from, for staff; anyone else gets the 404 of an entry that
	// came by no mail (the service decides, so that a customer learns nothing from a 403).
	r.get("/staff/original/:entry", loggedIn, h.downloadOriginal)

	// Reports: the staff dashboard (a sales rep's part: their tenants), the customer report.
	r.get("/staff/reports", staff, h.showDashboard)
	r.get("/staff/reports/export.csv", staff, h.exportDashboard)
	r.get("/reports", customer, h.showCustomerReport)
	r.get("/reports/export.csv", customer, h.exportCustomerReport)

	r.get("/staff/tenants", staff, h.showStaffTenants)
	r.get("/staff/tenants/:tenant", staff, h.showStaffTenant)

	r.get("/admin/users", admin, h.showAdminUsers)
	r.get("/admin/users/new", admin, h.showNewUser)
	r.post("/admin/users", admin, h.createUser)
	r.get("/admin/users/:user", admin, h.showEditUser)
	r.post("/admin/users/:user", admin, h.saveUser)
	r.get("/admin/locked", admin, h.showLocked)
	r.post("/admin/locked/:user/reset", admin, h.resetFailedLogin)
	r.post("/admin/users/:user/2fa/reset", admin, h.resetTwoFactor)
	r.get("/admin/users/:user/gdpr", admin, h.showGDPR)
	r.post("/admin/users/:user/gdpr/export", admin, h.exportUserData)
	r.post("/admin/users/:user/gdpr/erase/preview", admin, h.previewErasure)
	r.post("/admin/users/:user/gdpr/erase", admin, h.eraseUser)
	r.get("/admin/audit", admin, h.showAuditLog)
	r.get("/admin/audit/export.csv", admin, h.exportAuditLog)
	r.get("/admin/tenants/new", admin, h.showNewTenant)
	r.post("/admin/tenants", admin, h.createTenant)
	r.get("/admin/tenants/:tenant", admin, h.showEditTenant)
	r.post("/admin/tenants/:tenant", admin, h.saveTenant)
	r.get("/admin/outbox", admin, h.showOutbox)
	r.get("/admin/outbox/:message", admin, h.showOutboxMessage)
	r.get("/admin/outbox/:message/html", admin, h.showOutboxHTML)
	r.post("/admin/outbox/:message/retry", admin, h.retryMessage)
	r.get("/admin/inbound", admin, h.showInbound)
	r.get("/admin/inbound/:inbound", admin, h.showInboundMessage)
	r.get("/admin/inbound/:inbound/raw", admin, h.downloadInboundRaw)
	r.post("/admin/inbound/:inbound/attach", admin, h.attachInbound)
	r.post("/admin/inbound/:inbound/discard", admin, h.discardInbound)
	r.get("/admin/tokens", admin, h.showAdminTokens)
	r.post("/admin/tokens/:apitoken/revoke", admin, h.revokeAnyToken)
	r.get("/admin/webhooks", admin, h.showWebhooks(adminHooks))
	r.get("/admin/webhooks/new", admin, h.showNewWebhook(adminHooks))
	r.post("/admin/webhooks", admin, h.createWebhook(adminHooks))
	r.get("/admin/webhooks/:webhook", admin, h.showWebhook(adminHooks))
	r.post("/admin/webhooks/:webhook", admin, h.saveWebhook(adminHooks))
	r.post("/admin/webhooks/:webhook/secret", admin, h.rotateWebhookSecret(adminHooks))
	r.post("/admin/webhooks/:webhook/delete", admin, h.deleteWebhook(adminHooks))
	r.get("/admin/webhooks/:webhook/deliveries", admin, h.showDeliveries(adminHooks))
	r.post("/admin/webhooks/:webhook/deliveries/:delivery/redeliver", admin, h.redeliver(adminHooks))
}

type router struct {
	h   *handler
	app *fiber.App
}

// get serves HEAD wherever it serves GET: the same status and headers, without the body, for
// link checkers, uptime monitors and mail scanners.
func (r *router) get(path string, a access, hs ...fiber.Handler) {
	r.add(fiber.MethodGet, path, a, hs)
	r.add(fiber.MethodHead, path, a, hs)
}
func (r *router) post(path string, a access, hs ...fiber.Handler) {
	r.add(fiber.MethodPost, path, a, hs)
}

func (r *router) add(method, path string, a access, hs []fiber.Handler) {
	r.app.Add(method, path, append([]fiber.Handler{r.h.checkCSRF, guard(a)}, hs...)...).Name(a.String())
}

// guard sends a visitor to the login page and refuses a user of the wrong kind.
func guard(a access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if a == public {
			return c.Next()
		}
		u := currentUser(c)
		if u == nil {
			return c.Redirect("/login", fiber.StatusSeeOther)
		}
		ok := true
		switch a {
		case customer:
			ok = u.Kind == identity.Customer
		case staff:
			ok = u.Kind.Staff()
		case admin:
			ok = u.Kind == identity.Admin
		case agent:
			ok = u.Kind == identity.Agent || u.Kind == identity.Admin
		case sales:
			ok = u.Kind == identity.Sales || u.Kind == identity.Admin
		}
		if !ok {
			return apperr.ErrForbidden
		}
		return c.Next()
	}
}

// loginAttempts is how many posts of one anonymous form a client address may make a minute.
const loginAttempts = 10

// loginLimiter bounds the posts of an anonymous form (login, its second step, forgotten
// password, password links) per client address, whatever the logins tried. The address is
// clientIP's: behind the proxies of GUICHET_TRUSTED_PROXIES, it is read from X-Forwarded-For.
// The count is kept in the database, so that every process of the desk shares it.
//
// It is also the bound on "anyone can lock any account": the lockout of DESIGN.md stays (five
// failures lock until "Reset failed login" or a password reset by mail), so one address can lock
// at most two accounts a minute; the login page no longer tells whether it worked, and the
// owner, told by mail, unlocks the account alone with "Forgotten password".
func (h *handler) loginLimiter() fiber.Handler {
	return func(c *fiber.Ctx) error {
		ok, err := h.Identity.Throttle(c.UserContext(), "form:"+c.Route().Path, h.clientKey(c), loginAttempts, time.Minute)
		if err != nil {
			return err
		}
		if !ok {
			return fiber.NewError(fiber.StatusTooManyRequests)
		}
		return c.Next()
	}
}
