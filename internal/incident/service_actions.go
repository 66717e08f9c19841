package incident

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Act is one action asked for from a page.
type Act struct {
	Action Action
	// Version is the incident's version the form was read at: a state or field change made on
	// a stale page, or without its version (0), is refused with apperr.ErrStale. Replies append
	// and carry none: they conflict with nothing.
	Version    int
	Body       string // a reply or note (field "body"), a resolution note ("note"), a reason ("reason")
	Internal   bool   // staff: an internal note rather than a public reply
	Priority   Priority
	AssigneeID int64
	Files      []timeline.Upload
	// Then is a state change made with a staff's public reply, in its transaction (a canned
	// response's action): Wait puts the incident in wait of the customer after the reply;
	// Resolve makes the reply the resolution note. Anything else with a reply is refused.
	Then Action
}

// Reply is the action of writing on an incident, whoever writes.
const Reply Action = "reply"

// ReplyAction is what writing on an incident is for a customer or for staff.
func ReplyAction(staff bool) Action {
	if staff {
		return StaffReply
	}
	return CustomerReply
}

// Do applies act to incident id for actor, in one transaction with its timeline and its mail.
func (s *Service) Do(ctx context.Context, actor tenancy.Actor, id int64, act Act) (*Incident, error) {
	if act.Action == Reply {
		act.Action = ReplyAction(actor.Staff())
	}
	var inc *Incident
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := Lock(ctx, tx, id); err != nil {
			return err
		}
		var err error
		if inc, err = s.read(ctx, tx, actor, id); err != nil {
			return err
		}
		if !isReply(act.Action) && act.Version != inc.Version {
			return apperr.ErrStale
		}
		now := s.now()
		who := Who(actor, inc)
		if act.Then != "" {
			return s.replyThen(ctx, tx, actor, inc, act, who, now)
		}
		if e := Check(act.Action, inc, who, now); e != nil {
			return e
		}
		return s.apply(ctx, tx, actor, inc, act, now)
	})
	if err != nil {
		return nil, err
	}
	return inc, nil
}

// replyThen applies a staff's public reply with the state change act.Then, both or neither.
func (s *Service) replyThen(ctx context.Context, tx bun.Tx, actor tenancy.Actor, inc *Incident, act Act, who Actor, now time.Time) error {
	if act.Action != StaffReply || act.Internal || (act.Then != Wait && act.Then != Resolve) {
		return i18n.NewError("incident.error.not_yours")
	}
	act.Body = timeline.CleanBody(act.Body)
	if e := timeline.CheckBody(act.Body); e != nil {
		return e
	}
	if act.Then == Resolve { // the reply is the resolution note: one entry, one mail
		if e := Check(Resolve, inc, who, now); e != nil {
			return e
		}
		act.Action, act.Then = Resolve, ""
		return s.apply(ctx, tx, actor, inc, act, now)
	}
	if e := Check(Wait, inc, who, now); e != nil {
		return e
	}
	if e := Check(StaffReply, inc, who, now); e != nil {
		return e
	}
	then := act.Then
	act.Then = ""
	if err := s.apply(ctx, tx, actor, inc, act, now); err != nil {
		return err
	}
	return s.apply(ctx, tx, actor, inc, Act{Action: then, Version: inc.Version}, now)
}

// isReply reports whether a is writing on the incident, which needs no version.
func isReply(a Action) bool { return a == CustomerReply || a == StaffReply }

// apply writes an allowed action: its entries, the new state, the SLA keys and the mail.
func (s *Service) apply(ctx context.Context, tx bun.Tx, actor tenancy.Actor, inc *Incident, act Act, now time.Time) error {
	if err := s.checkInput(ctx, tx, inc, &act); err != nil {
		return err
	}
	sub := inc.Subject()
	changed := false // a field or the state changes: the version moves on
	var entry *timeline.Entry
	switch act.Action {
	case CustomerReply, StaffReply:
		e, err := timeline.Write(ctx, tx, sub, actor, act.Body, act.Internal, act.Files, now)
		if err != nil {
			return err
		}
		act.Body, act.Internal, entry = e.Body, e.Internal(), e
	case Take, Assign:
		to := actor.UserID
		if act.Action == Assign {
			to = act.AssigneeID
		}
		name, err := userName(ctx, tx, to)
		if err != nil {
			return err
		}
		e := timeline.NewEvent(sub, actor, now, EventAssigned, timeline.Text, inc.AssigneeName, name)
		if err := timeline.Record(ctx, tx, e); err != nil {
			return err
		}
		inc.AssigneeID, inc.AssigneeName, changed, entry = &to, name, true, e
	case Reprioritize:
		e := timeline.NewEvent(sub, actor, now, EventPriority, timeline.Text, string(inc.Priority), string(act.Priority))
		e.Body = act.Body
		if err := timeline.Record(ctx, tx, e); err != nil {
			return err
		}
		inc.Priority, changed, entry = act.Priority, true, e
	}
	if next := Next(act.Action, inc); next != inc.Status {
		e := timeline.NewEvent(sub, actor, now, EventStatus, timeline.Key, StatusKey(inc.Status), StatusKey(next))
		var files []timeline.Upload
		if act.Action == Resolve {
			e.Body, files = act.Body, act.Files
		}
		if err := timeline.Record(ctx, tx, e, files...); err != nil {
			return err
		}
		inc.Status, changed, entry = next, true, e
		switch next {
		case Resolved:
			inc.ResolvedAt = &now
		case InProgress:
			inc.ResolvedAt = nil
		}
	}
	if err := s.refreshSLA(ctx, tx, inc, now); err != nil {
		return err
	}
	inc.UpdatedAt = now
	if changed {
		if err := Update(ctx, tx, inc); err != nil {
			return err
		}
	} else if err := s.touch(ctx, tx, inc); err != nil {
		return err
	}
	// Webhooks hear of it with the last entry written (a note reaches no customer's endpoint).
	typ := events.IncidentUpdated
	if act.Action == Resolve {
		typ = events.IncidentResolved
	}
	if err := events.Emit(ctx, tx, s.Events, events.Event{Type: typ, TenantID: inc.TenantID, Subject: inc, Entry: entry, Actor: actor}); err != nil {
		return err
	}
	return s.tell(ctx, tx, actor, inc, act)
}

// checkInput validates what an action carries, each failure beside its field. A reply's text
// is timeline.Write's to check.
func (s *Service) checkInput(ctx context.Context, tx bun.Tx, inc *Incident, act *Act) error {
	if isReply(act.Action) {
		return nil
	}
	act.Body = strings.TrimSpace(act.Body)
	field, required := "", false
	switch act.Action {
	case Resolve:
		field, required = "note", true
	case Reprioritize:
		field, required = "reason", true
		if !slices.Contains(Priorities, act.Priority) {
			return i18n.FieldError("priority", "incident.error.priority")
		}
		if act.Priority == inc.Priority {
			return i18n.FieldError("priority", "incident.error.priority_same")
		}
	case Assign:
		u, err := identity.UserByID(ctx, tx, act.AssigneeID)
		if err != nil || !u.Active || (u.Kind != identity.Agent && u.Kind != identity.Admin) {
			return i18n.FieldError("assignee", "incident.error.assignee")
		}
	}
	if field == "" {
		return nil
	}
	switch n := utf8.RuneCountInString(act.Body); {
	case required && n == 0:
		return i18n.FieldError(field, "incident.error."+field+"_required")
	case n > timeline.MaxBody:
		return i18n.FieldError(field, "incident.error.text_too_long", "Max", timeline.MaxBody, "Length", n)
	}
	return nil
}

// tell writes the mail an action causes.
func (s *Service) tell(ctx context.Context, tx bun.Tx, actor tenancy.Actor, inc *Incident, act Act) error {
	worker := audience.Assignee
	if !inc.Assigned() {
		worker = audience.SupportLeads
	}
	switch {
	case act.Action == StaffReply && !act.Internal:
		return s.notify(ctx, tx, inc, nil, actor, "incident_reply", false, map[string]any{"Body": act.Body}, audience.Requester)
	case act.Action == CustomerReply:
		return s.notify(ctx, tx, inc, nil, actor, "incident_customer_reply", false, map[string]any{"Body": act.Body}, worker)
	case act.Action == Resolve:
		return s.notify(ctx, tx, inc, nil, actor, "incident_resolved", false,
			map[string]any{"Body": act.Body, "ReopenUntil": inc.ReopenUntil()}, audience.Requester)
	case act.Action == Reopen:
		return s.notify(ctx, tx, inc, nil, actor, "incident_reopened", false, nil, worker)
	}
	return nil
}

// notify mails one kind of message about inc to roles, in the thread of the incident; t is the
// incident's tenant when the caller holds it (nil: the audience finds it). Customers' messages
// link to the customer page, staff's to the agents' page.
func (s *Service) notify(ctx context.Context, tx bun.IDB, inc *Incident, t *tenancy.Tenant, actor tenancy.Actor, kind string, confirm bool, extra map[string]any, roles ...audience.Role) error {
	var assignee int64
	if inc.AssigneeID != nil {
		assignee = *inc.AssigneeID
	}
	rs, err := s.Audience.To(ctx, tx, audience.Event{Tenant: t, TenantID: inc.TenantID, Right: tenancy.RightIncidents, Actor: actor,
		Confirm: confirm, RequesterID: inc.ReporterID, AssigneeID: assignee}, roles...)
	if err != nil || len(rs) == 0 {
		return err
	}
	path := "/incidents/" + inc.Number()
	if roles[0] == audience.Assignee || roles[0] == audience.SupportLeads {
		path = "/staff/incidents/" + inc.Number()
	}
	actorName := actor.Name
	if actor.UserID == 0 {
		actorName = "Guichet"
	}
	data := map[string]any{"Number": inc.Number(), "Title": inc.Title, "Link": s.Notifier.Link(path),
		"Tenant": inc.TenantCode, "Priority": string(inc.Priority), "StatusKey": StatusKey(inc.Status), "Actor": actorName}
	for k, v := range extra {
		data[k] = v
	}
	return s.Notifier.Enqueue(ctx, tx, notify.Notice{Kind: kind, Thread: "incident-" + strconv.FormatInt(inc.ID, 10), Data: data}, rs...)
}

func userName(ctx context.Context, idb bun.IDB, id int64) (string, error) {
	u, err := identity.UserByID(ctx, idb, id)
	if err != nil {
		return "", err
	}
	return u.DisplayName, nil
}
