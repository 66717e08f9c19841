package gdpr

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Archive is a person's data as a zip file, ready to download.
type Archive struct {
	// Name is the file's name: guichet-data-123-20261202.zip.
	Name string
	Data []byte
	// Files counts the attachments it holds.
	Files int
}

// The files of an archive.
const (
	FileReadme      = "README.txt"
	FileAccount     = "account.json"
	FileMemberships = "memberships.json"
	FileTickets     = "tickets.json"
	FileReplies     = "replies.json"
	FileMails       = "mails.json"
	FileAudit       = "audit.json"
	DirAttachments  = "attachments/"
)

// Export returns everything the desk holds about user id, as a zip file, to an admin or to the
// person themself (anyone else: apperr.ErrNotFound, as for no such user), and records the
// export in the audit log in the transaction that read it. Only what is about the person or
// was written by them is in it: their account, memberships and invitations, the tickets they
// made, their own timeline entries and files, the mails sent to them, and the audit entries
// about them or by them. README.txt, in their language, says what each file holds.
func (s *Service) Export(ctx context.Context, actor identity.Actor, id int64) (*Archive, error) {
	if actor.Kind != identity.Admin && actor.UserID != id {
		return nil, apperr.ErrNotFound
	}
	var a *Archive
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		u, err := person(ctx, tx, id, false)
		if err != nil {
			return err
		}
		x := &exporter{s: s, ctx: ctx, idb: tx, u: u, key: strings.ToLower(strings.TrimSpace(u.Email)), now: s.now()}
		if a, err = x.archive(); err != nil {
			return fmt.Errorf("gdpr: export user %d: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.GDPRExported, ActorID: actor.UserID, ActorLabel: label(actor),
			SubjectID: u.ID, Object: "user " + fmt.Sprint(u.ID), After: map[string]any{"files": a.Files, "bytes": len(a.Data)}})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

type exporter struct {
	s   *Service
	ctx context.Context
	idb bun.IDB
	u   *Person
	key string
	now time.Time
	zw  *zip.Writer
}

func (x *exporter) archive() (*Archive, error) {
	var buf bytes.Buffer
	x.zw = zip.NewWriter(&buf)
	lang := x.u.Lang
	if !identity.ValidLang(lang) {
		lang = x.s.Lang
	}
	if err := x.write(FileReadme, []byte(x.readme(lang))); err != nil {
		return nil, err
	}
	parts := []struct {
		name string
		read func() (any, error)
	}{
		{FileAccount, x.account},
		{FileMemberships, x.memberships},
		{FileTickets, x.tickets},
		{FileMails, x.mails},
		{FileAudit, x.audit},
	}
	for _, p := range parts {
		v, err := p.read()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		if err := x.writeJSON(p.name, v); err != nil {
			return nil, err
		}
	}
	replies, files, err := x.replies()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", FileReplies, err)
	}
	if err := x.writeJSON(FileReplies, replies); err != nil {
		return nil, err
	}
	if err := x.files(files); err != nil {
		return nil, err
	}
	if err := x.zw.Close(); err != nil {
		return nil, err
	}
	day := calendar.ParisDate(x.now)
	name := fmt.Sprintf("guichet-data-%d-%04d%02d%02d.zip", x.u.ID, day.Year, day.Month, day.Day)
	return &Archive{Name: name, Data: buf.Bytes(), Files: len(files)}, nil
}

func (x *exporter) write(name string, data []byte) error {
	w, err := x.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: x.now})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func (x *exporter) writeJSON(name string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return x.write(name, b.Bytes())
}

func (x *exporter) readme(lang string) string {
	t := func(key string) string {
		return x.s.Bundle.T(lang, key, map[string]any{"Name": x.u.Name, "Login": x.u.Login, "Date": x.s.Bundle.FormatDateTime(lang, x.now)})
	}
	var b strings.Builder
	b.WriteString(t("gdpr.readme.intro") + "\n\n")
	for _, f := range []struct{ name, key string }{
		{FileAccount, "gdpr.readme.account"},
		{FileMemberships, "gdpr.readme.memberships"},
		{FileTickets, "gdpr.readme.tickets"},
		{FileReplies, "gdpr.readme.replies"},
		{FileMails, "gdpr.readme.mails"},
		{FileAudit, "gdpr.readme.audit"},
		{DirAttachments, "gdpr.readme.attachments"},
	} {
		b.WriteString(f.name + "\n    " + t(f.key) + "\n\n")
	}
	b.WriteString(t("gdpr.readme.values") + "\n\n" + t("gdpr.readme.others") + "\n")
	return strings.ReplaceAll(b.String(), "\n", "\r\n")
}

// --- account.json

type accountFile struct {
	ID             int64        `json:"id"`
	Login          string       `json:"login"`
	Name           string       `json:"display_name"`
	Email          string       `json:"email"`
	Lang           string       `json:"language"`
	Kind           string       `json:"kind"`
	Active         bool         `json:"active"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
	LockedAt       *time.Time   `json:"locked_at"`
	FailedLogins   int          `json:"failed_logins"`
	TwoFactorSince *time.Time   `json:"two_factor_since"`
	ErasedAt       *time.Time   `json:"erased_at,omitempty"`
	Sessions       []sessionRow `json:"sessions"`
	APITokens      []tokenRow   `json:"api_tokens"`
	HelpVotes      []voteRow    `json:"help_votes"`
	Followed       []followRow  `json:"major_incidents_followed"`
	Subscriptions  []cancelRow  `json:"subscription_cancellations_requested"`
}

type sessionRow struct {
	CreatedAt  time.Time `bun:"created_at" json:"created_at"`
	LastSeenAt time.Time `bun:"last_seen_at" json:"last_seen_at"`
	Pending    bool      `bun:"pending" json:"waiting_for_second_factor"`
}

type tokenRow struct {
	Name       string     `bun:"name" json:"name"`
	Prefix     string     `bun:"prefix" json:"prefix"`
	Scope      string     `bun:"scope" json:"scope"`
	CreatedAt  time.Time  `bun:"created_at" json:"created_at"`
	ExpiresAt  time.Time  `bun:"expires_at" json:"expires_at"`
	LastUsedAt *time.Time `bun:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at" json:"revoked_at"`
}

type voteRow struct {
	ArticleID int64     `bun:"article_id" json:"article_id"`
	Helpful   bool      `bun:"helpful" json:"helpful"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`
}

type followRow struct {
	MajorID   int64     `bun:"major_id" json:"-"`
	Major     string    `bun:"-" json:"major_incident"`
	Tenant    string    `bun:"code" json:"tenant"`
	CreatedAt time.Time `bun:"created_at" json:"since"`
}

type cancelRow struct {
	Tenant      string    `bun:"code" json:"tenant"`
	Kind        string    `bun:"kind" json:"subscription"`
	Instances   int       `bun:"instances" json:"instances"`
	RequestedAt time.Time `bun:"requested_at" json:"requested_at"`
	EffectiveOn string    `bun:"effective_on" json:"effective_on"`
}

func (x *exporter) account() (any, error) {
	u, err := identity.UserByID(x.ctx, x.idb, x.u.ID)
	if err != nil {
		return nil, err
	}
	f := &accountFile{ID: u.ID, Login: u.Login, Name: u.DisplayName, Email: u.Email, Lang: u.Lang, Kind: string(u.Kind),
		Active: u.Active, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), LockedAt: utc(u.LockedAt),
		FailedLogins: u.FailedLogins, TwoFactorSince: utc(u.TOTPEnabledAt), ErasedAt: utc(x.u.ErasedAt),
		Sessions: []sessionRow{}, APITokens: []tokenRow{}, HelpVotes: []voteRow{}, Followed: []followRow{}, Subscriptions: []cancelRow{}}
	if err := x.idb.NewSelect().TableExpr("sessions").Column("created_at", "last_seen_at", "pending").
		Where("user_id = ?", u.ID).Order("created_at").Scan(x.ctx, &f.Sessions); err != nil {
		return nil, err
	}
	if err := x.idb.NewSelect().TableExpr("api_tokens").Column("name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at").
		Where("user_id = ?", u.ID).Order("id").Scan(x.ctx, &f.APITokens); err != nil {
		return nil, err
	}
	if err := x.idb.NewSelect().TableExpr("help_votes").Column("article_id", "helpful", "created_at", "updated_at").
		Where("user_id = ?", u.ID).Order("article_id").Scan(x.ctx, &f.HelpVotes); err != nil {
		return nil, err
	}
	if err := x.idb.NewSelect().TableExpr("major_incident_followers AS f").ColumnExpr("f.major_id, t.code, f.created_at").
		Join("JOIN tenants AS t ON t.id = f.tenant_id").Where("f.user_id = ?", u.ID).Order("f.major_id").Scan(x.ctx, &f.Followed); err != nil {
		return nil, err
	}
	for i := range f.Followed {
		f.Followed[i].Major = major.Number(f.Followed[i].MajorID)
	}
	if err := x.idb.NewSelect().TableExpr("subscription_cancellations AS c").ColumnExpr("t.code, s.kind, c.instances, c.requested_at, c.effective_on").
		Join("JOIN tenants AS t ON t.id = c.tenant_id").Join("JOIN subscriptions AS s ON s.id = c.subscription_id").
		Where("c.requested_by = ?", u.ID).Order("c.id").Scan(x.ctx, &f.Subscriptions); err != nil {
		return nil, err
	}
	for i := range f.Sessions {
		s := &f.Sessions[i]
		s.CreatedAt, s.LastSeenAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC()
	}
	return f, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// --- memberships.json

type membershipsFile struct {
	Memberships []membershipRow `json:"memberships"`
	Roles       []roleRow       `json:"roles"`
	Invitations []invitationRow `json:"invitations"`
}

type membershipRow struct {
	Tenant        string    `bun:"code" json:"tenant"`
	TenantName    string    `bun:"name" json:"tenant_name"`
	Incidents     bool      `bun:"can_incidents" json:"incidents"`
	Changes       bool      `bun:"can_changes" json:"changes"`
	Contract      bool      `bun:"can_contract" json:"contract"`
	Users         bool      `bun:"can_users" json:"users"`
	Services      bool      `bun:"can_services" json:"services"`
	BackupConsole bool      `bun:"can_backup_console" json:"backup_console"`
	CreatedAt     time.Time `bun:"created_at" json:"since"`
}

type roleRow struct {
	Tenant string `json:"tenant"`
	Role   string `json:"role"`
}

type invitationRow struct {
	Tenant    string     `bun:"code" json:"tenant"`
	Email     string     `bun:"email" json:"email"`
	Status    string     `bun:"status" json:"status"`
	Incidents bool       `bun:"can_incidents" json:"incidents"`
	Changes   bool       `bun:"can_changes" json:"changes"`
	Contract  bool       `bun:"can_contract" json:"contract"`
	Users     bool       `bun:"can_users" json:"users"`
	Services  bool       `bun:"can_services" json:"services"`
	CreatedAt time.Time  `bun:"created_at" json:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at" json:"expires_at"`
	ClosedAt  *time.Time `bun:"closed_at" json:"closed_at"`
}

func (x *exporter) memberships() (any, error) {
	f := &membershipsFile{Memberships: []membershipRow{}, Roles: []roleRow{}, Invitations: []invitationRow{}}
	if err := x.idb.NewSelect().TableExpr("memberships AS m").
		ColumnExpr("t.code, t.name, m.can_incidents, m.can_changes, m.can_contract, m.can_users, m.can_services, m.can_backup_console, m.created_at").
		Join("JOIN tenants AS t ON t.id = m.tenant_id").Where("m.user_id = ?", x.u.ID).Order("t.code").Scan(x.ctx, &f.Memberships); err != nil {
		return nil, err
	}
	var ts []struct {
		Code       string `bun:"code"`
		ReferentID int64  `bun:"referent_id"`
		OwnerID    int64  `bun:"owner_id"`
		SalesRepID *int64 `bun:"sales_rep_id"`
	}
	if err := x.idb.NewSelect().TableExpr("tenants").Column("code", "referent_id", "owner_id", "sales_rep_id").
		Where("referent_id = ? OR owner_id = ? OR sales_rep_id = ?", x.u.ID, x.u.ID, x.u.ID).Order("code").Scan(x.ctx, &ts); err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ReferentID == x.u.ID {
			f.Roles = append(f.Roles, roleRow{t.Code, "referent"})
		}
		if t.OwnerID == x.u.ID {
			f.Roles = append(f.Roles, roleRow{t.Code, "domain_owner"})
		}
		if t.SalesRepID != nil && *t.SalesRepID == x.u.ID {
			f.Roles = append(f.Roles, roleRow{t.Code, "sales_rep"})
		}
	}
	w := cond("i.user_id = ?", x.u.ID)
	if x.key != "" {
		w = or(w, cond("i.email_key = ?", x.key))
	}
	if err := x.idb.NewSelect().TableExpr("invitations AS i").
		ColumnExpr("t.code, i.email, i.status, i.can_incidents, i.can_changes, i.can_contract, i.can_users, i.can_services, i.created_at, i.expires_at, i.closed_at").
		Join("JOIN tenants AS t ON t.id = i.tenant_id").Where(w.cond, w.args...).Order("i.id").Scan(x.ctx, &f.Invitations); err != nil {
		return nil, err
	}
	return f, nil
}

// --- tickets.json

type ticketsFile struct {
	Incidents []incidentRow `json:"incidents"`
	Changes   []changeRow   `json:"change_requests"`
	Requests  []requestRow  `json:"sales_requests"`
}

type incidentRow struct {
	ID          int64      `bun:"id" json:"-"`
	Number      string     `bun:"-" json:"number"`
	Tenant      string     `bun:"code" json:"tenant"`
	Title       string     `bun:"title" json:"title"`
	Description string     `bun:"description" json:"description"`
	Service     string     `bun:"service" json:"service"`
	Region      string     `bun:"region" json:"region"`
	RegionOther string     `bun:"region_other" json:"region_other,omitempty"`
	Impact      string     `bun:"impact" json:"impact"`
	Urgency     string     `bun:"urgency" json:"urgency"`
	Priority    string     `bun:"priority" json:"priority"`
	Status      string     `bun:"status" json:"status"`
	Phone       string     `bun:"phone" json:"phone"`
	CreatedAt   time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at" json:"updated_at"`
	ResolvedAt  *time.Time `bun:"resolved_at" json:"resolved_at"`
}

type changeRow struct {
	Number      string            `json:"number"`
	Tenant      string            `json:"tenant"`
	Catalogue   string            `json:"catalogue"`
	Item        string            `json:"item"`
	ItemLabel   map[string]string `json:"item_label"`
	Values      map[string]string `json:"values"`
	State       string            `json:"state"`
	ScheduledOn string            `json:"scheduled_on,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

type requestRow struct {
	Number         string     `json:"number"`
	Tenant         string     `json:"tenant"`
	Kind           string     `json:"kind"`
	State          string     `json:"state"`
	FromLevel      string     `json:"from_level,omitempty"`
	Level          string     `json:"level,omitempty"`
	HolderName     string     `json:"holder_name,omitempty"`
	HolderEmail    string     `json:"holder_email,omitempty"`
	ContractName   string     `json:"contract_name,omitempty"`
	NewTenantCode  string     `json:"new_tenant_code,omitempty"`
	Details        string     `json:"details,omitempty"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	EffectiveOn    string     `json:"effective_on,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	DecidedAt      *time.Time `json:"decided_at"`
}

func (x *exporter) tickets() (any, error) {
	f := &ticketsFile{Incidents: []incidentRow{}, Changes: []changeRow{}, Requests: []requestRow{}}
	if err := x.idb.NewSelect().TableExpr("incidents AS i").
		ColumnExpr("i.id, t.code, i.title, i.description, i.service, i.region, i.region_other, i.impact, i.urgency, i.priority, i.status, i.phone, i.created_at, i.updated_at, i.resolved_at").
		Join("JOIN tenants AS t ON t.id = i.tenant_id").Where("i.reporter_id = ?", x.u.ID).Order("i.id").Scan(x.ctx, &f.Incidents); err != nil {
		return nil, err
	}
	for i := range f.Incidents {
		r := &f.Incidents[i]
		r.Number, r.CreatedAt, r.UpdatedAt, r.ResolvedAt = incident.Number(r.ID), r.CreatedAt.UTC(), r.UpdatedAt.UTC(), utc(r.ResolvedAt)
	}
	var cs []change.Request
	if err := x.idb.NewSelect().Model(&cs).ColumnExpr("cr.*").ColumnExpr("t.code AS tenant_code").
		Join("JOIN tenants AS t ON t.id = cr.tenant_id").Where("cr.requester_id = ?", x.u.ID).Order("cr.id").Scan(x.ctx); err != nil {
		return nil, err
	}
	for i := range cs {
		r := &cs[i]
		snap := r.Snapshot()
		vs := map[string]string{}
		for code, v := range snap.Values {
			vs[code] = v.String()
		}
		row := changeRow{Number: r.Number(), Tenant: r.TenantCode, Catalogue: r.Catalogue, Item: r.ItemCode,
			ItemLabel: map[string]string{"fr": snap.Item.Label.FR, "en": snap.Item.Label.EN}, Values: vs, State: string(r.State),
			Reason: r.Reason, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		if !r.ScheduledOn.IsZero() {
			row.ScheduledOn = r.ScheduledOn.String()
		}
		f.Changes = append(f.Changes, row)
	}
	var rs []contract.Request
	if err := x.idb.NewSelect().Model(&rs).Relation("Tenant").Where("r.requester_id = ?", x.u.ID).Order("r.id").Scan(x.ctx); err != nil {
		return nil, err
	}
	for i := range rs {
		r := &rs[i]
		row := requestRow{Number: r.Number(), Kind: string(r.Kind), State: string(r.State), FromLevel: string(r.FromLevel),
			Level: string(r.Level), HolderName: r.HolderName, HolderEmail: r.HolderEmail, ContractName: r.ContractName,
			NewTenantCode: r.NewTenantCode, Details: r.Details, DecisionReason: r.DecisionReason,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), DecidedAt: utc(r.DecidedAt)}
		if r.Tenant != nil {
			row.Tenant = r.Tenant.Code
		}
		if !r.EffectiveOn.IsZero() {
			row.EffectiveOn = r.EffectiveOn.String()
		}
		f.Requests = append(f.Requests, row)
	}
	return f, nil
}

// --- replies.json and attachments/

type replyRow struct {
	ID          int64       `bun:"id" json:"id"`
	SubjectKind string      `bun:"subject_kind" json:"-"`
	SubjectID   int64       `bun:"subject_id" json:"-"`
	Ticket      string      `bun:"-" json:"ticket"`
	Kind        string      `bun:"kind" json:"kind"`
	Event       string      `bun:"event" json:"event,omitempty"`
	Body        string      `bun:"body" json:"text"`
	Via         string      `bun:"via" json:"via,omitempty"`
	CreatedAt   time.Time   `bun:"created_at" json:"created_at"`
	Files       []fileEntry `bun:"-" json:"attachments,omitempty"`
}

type fileEntry struct {
	ID          int64      `bun:"id" json:"id"`
	EntryID     int64      `bun:"entry_id" json:"-"`
	Name        string     `bun:"name" json:"name"`
	ContentType string     `bun:"content_type" json:"content_type"`
	Size        int64      `bun:"size" json:"size"`
	PurgedAt    *time.Time `bun:"purged_at" json:"deleted_at,omitempty"`
	File        string     `bun:"-" json:"file,omitempty"`
}

// ticketNumber is the number people quote of a timeline's subject.
func ticketNumber(kind string, id int64) string {
	switch kind {
	case incident.SubjectKind:
		return incident.Number(id)
	case change.SubjectKind:
		return change.Number(id)
	case contract.TimelineKind:
		return contract.FormatNumber(id)
	case major.SubjectKind:
		return major.Number(id)
	}
	return fmt.Sprintf("%s %d", kind, id)
}

// replies are the person's own timeline entries that hold a text (replies, notes, reasons) or
// files, with the files listed; the files kept are returned to be written under attachments/.
func (x *exporter) replies() ([]replyRow, []fileEntry, error) {
	rs := []replyRow{}
	if err := x.idb.NewSelect().TableExpr("timeline_entries AS e").
		ColumnExpr("e.id, e.subject_kind, e.subject_id, e.kind, e.event, e.body, e.via, e.created_at").
		Where("e.actor_id = ?", x.u.ID).
		Where("(e.kind <> ? OR e.body <> '' OR EXISTS (SELECT 1 FROM attachments AS a WHERE a.entry_id = e.id))", timeline.Event).
		Order("e.id").Scan(x.ctx, &rs); err != nil {
		return nil, nil, err
	}
	var fs []fileEntry
	if err := x.idb.NewSelect().TableExpr("attachments AS a").
		ColumnExpr("a.id, a.entry_id, a.name, a.content_type, a.size, a.purged_at").
		Join("JOIN timeline_entries AS e ON e.id = a.entry_id").Where("e.actor_id = ?", x.u.ID).Order("a.id").Scan(x.ctx, &fs); err != nil {
		return nil, nil, err
	}
	at := make(map[int64]int, len(rs))
	for i := range rs {
		r := &rs[i]
		r.Ticket, r.CreatedAt = ticketNumber(r.SubjectKind, r.SubjectID), r.CreatedAt.UTC()
		at[r.ID] = i
	}
	var kept []fileEntry
	for _, f := range fs {
		if f.PurgedAt == nil {
			f.File = fmt.Sprintf("%s%d-%s", DirAttachments, f.ID, safeName(f.Name))
			kept = append(kept, f)
		} else {
			f.PurgedAt = utc(f.PurgedAt)
		}
		if i, ok := at[f.EntryID]; ok {
			rs[i].Files = append(rs[i].Files, f)
		}
	}
	return rs, kept, nil
}

// files writes the content of the attachments fs under their names.
func (x *exporter) files(fs []fileEntry) error {
	for _, f := range fs {
		var data []byte
		if err := x.idb.NewSelect().TableExpr("attachments").Column("data").Where("id = ?", f.ID).Scan(x.ctx, &data); err != nil {
			return fmt.Errorf("attachment %d: %w", f.ID, err)
		}
		w, err := x.zw.CreateHeader(&zip.FileHeader{Name: f.File, Method: zip.Store, Modified: x.now})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// safeName is a file name that stays inside its folder of the archive.
func safeName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(name, ".")
	if name == "" {
		name = "file"
	}
	return name
}

// --- mails.json

type mailRow struct {
	ID        int64      `bun:"id" json:"id"`
	CreatedAt time.Time  `bun:"created_at" json:"created_at"`
	SentAt    *time.Time `bun:"sent_at" json:"sent_at"`
	Status    string     `bun:"status" json:"status"`
	Kind      string     `bun:"kind" json:"kind"`
	Lang      string     `bun:"lang" json:"language"`
	To        string     `bun:"recipient_email" json:"to"`
	Subject   string     `bun:"subject" json:"subject"`
	Body      string     `bun:"body_text" json:"text"`
}

func (x *exporter) mails() (any, error) {
	ms := []mailRow{}
	w := or(cond("recipient_user_id = ?", x.u.ID), emailIs(x.key, "recipient_email"))
	if err := x.idb.NewSelect().TableExpr("outbox").Column("id", "created_at", "sent_at", "status", "kind", "lang", "recipient_email", "subject", "body_text").
		Where(w.cond, w.args...).Order("id").Scan(x.ctx, &ms); err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].CreatedAt, ms[i].SentAt = ms[i].CreatedAt.UTC(), utc(ms[i].SentAt)
	}
	return ms, nil
}

// --- audit.json

type auditRow struct {
	ID        int64           `bun:"id" json:"id"`
	At        time.Time       `bun:"at" json:"at"`
	Action    string          `bun:"action" json:"action"`
	ActorID   *int64          `bun:"actor_id" json:"-"`
	ActorKind string          `bun:"actor_kind" json:"-"`
	By        string          `bun:"-" json:"by"`
	IP        string          `bun:"ip" json:"ip,omitempty"`
	Tenant    *string         `bun:"code" json:"tenant,omitempty"`
	Subject   *int64          `bun:"subject_user_id" json:"-"`
	AboutYou  bool            `bun:"-" json:"about_you"`
	Object    string          `bun:"object" json:"object,omitempty"`
	BeforeRaw string          `bun:"before_json" json:"-"`
	AfterRaw  string          `bun:"after_json" json:"-"`
	Before    json.RawMessage `bun:"-" json:"before,omitempty"`
	After     json.RawMessage `bun:"-" json:"after,omitempty"`
}

// audit lists the entries about the person or by them. Who acted is "you", "staff", "member"
// (another person of a tenant) or "system"; the address is theirs only; what changed is told
// only of the entries about them (an entry about someone else says what they did, not to whom).
func (x *exporter) audit() (any, error) {
	rs := []auditRow{}
	if err := x.idb.NewSelect().TableExpr("audit_log AS l").
		ColumnExpr("l.id, l.at, l.action, l.actor_id, COALESCE(u.kind, '') AS actor_kind, l.ip, t.code, l.subject_user_id, l.object, l.before_json, l.after_json").
		Join("LEFT JOIN users AS u ON u.id = l.actor_id").Join("LEFT JOIN tenants AS t ON t.id = l.tenant_id").
		Where("l.subject_user_id = ? OR l.actor_id = ?", x.u.ID, x.u.ID).Order("l.id").Scan(x.ctx, &rs); err != nil {
		return nil, err
	}
	for i := range rs {
		r := &rs[i]
		r.At = r.At.UTC()
		byYou := r.ActorID != nil && *r.ActorID == x.u.ID
		r.AboutYou = r.Subject != nil && *r.Subject == x.u.ID
		switch {
		case byYou:
			r.By = "you"
		case r.ActorID == nil:
			r.By = "system"
		case identity.Kind(r.ActorKind).Staff():
			r.By = "staff"
		default:
			r.By = "member"
		}
		if !byYou {
			r.IP = ""
		}
		if !r.AboutYou {
			r.Object = ""
			continue
		}
		if json.Valid([]byte(r.BeforeRaw)) {
			r.Before = json.RawMessage(r.BeforeRaw)
		}
		if json.Valid([]byte(r.AfterRaw)) {
			r.After = json.RawMessage(r.AfterRaw)
		}
	}
	return rs, nil
}
