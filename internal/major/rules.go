package major

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
)

// Limits of what staff may write.
const (
	MaxTitle = 200
	MaxText  = 20000
	// MaxTenants is how many tenants a major incident may name (beyond, it concerns them all).
	MaxTenants = 1000
	// MaxNumbers is how many incidents one link form may name.
	MaxNumbers = 1000
)

// RegionAlliance is the region choice of a Cloud Alliance region, as incidents name it.
const RegionAlliance = incident.RegionAlliance

// MayManage reports whether a user of kind k opens, updates and links major incidents: support
// agents and admins.
func MayManage(k identity.Kind) bool { return k == identity.Agent || k == identity.Admin }

// Draft is what staff fill in to open or edit a major incident.
type Draft struct {
	TitleFR, TitleEN, DescriptionFR, DescriptionEN string
	Services, Regions                              []string
	AllTenants                                     bool
	// Tenants are the codes of the tenants concerned when not AllTenants, as typed (spaces,
	// commas or new lines between them).
	Tenants string
	// StartedAt is when the outage began, as a datetime-local field sends it, in Paris time
	// (YYYY-MM-DDTHH:MM); empty is now.
	StartedAt string
}

// TenantCodes splits the typed tenant codes, upper-cased, each once, in the order typed.
func (d *Draft) TenantCodes() []string {
	var out []string
	for _, c := range strings.FieldsFunc(d.Tenants, separator) {
		c = strings.ToUpper(c)
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Check validates a draft at now, each failure beside its field, trims it and returns the start
// time it names.
func (d *Draft) Check(now time.Time) (time.Time, error) {
	var es i18n.Errors
	text := func(field string, v *string, max int, required, tooLong string) {
		*v = strings.TrimSpace(strings.ReplaceAll(*v, "\r\n", "\n"))
		switch n := utf8.RuneCountInString(*v); {
		case n == 0:
			es.Add(i18n.FieldError(field, required))
		case n > max:
			es.Add(i18n.FieldError(field, tooLong, "Max", max, "Length", n))
		}
	}
	text("title_fr", &d.TitleFR, MaxTitle, "major.error.title_fr_required", "major.error.title_too_long")
	text("title_en", &d.TitleEN, MaxTitle, "major.error.title_en_required", "major.error.title_too_long")
	text("description_fr", &d.DescriptionFR, MaxText, "major.error.description_fr_required", "major.error.text_too_long")
	text("description_en", &d.DescriptionEN, MaxText, "major.error.description_en_required", "major.error.text_too_long")
	d.Services = uniq(d.Services)
	if len(d.Services) == 0 {
		es.Add(i18n.FieldError("services", "major.error.services_required"))
	}
	for _, s := range d.Services {
		if !cloud.IsService(s) {
			es.Add(i18n.FieldError("services", "major.error.services_required"))
		}
	}
	d.Regions = uniq(d.Regions)
	if len(d.Regions) == 0 {
		es.Add(i18n.FieldError("regions", "major.error.regions_required"))
	}
	for _, r := range d.Regions {
		if !cloud.IsRegion(r) && r != RegionAlliance {
			es.Add(i18n.FieldError("regions", "major.error.regions_required"))
		}
	}
	if !d.AllTenants {
		switch codes := d.TenantCodes(); {
		case len(codes) == 0:
			es.Add(i18n.FieldError("tenants", "major.error.tenants_required"))
		case len(codes) > MaxTenants:
			es.Add(i18n.FieldError("tenants", "major.error.tenants_too_many", "Max", MaxTenants))
		}
	}
	started := now
	if v := strings.TrimSpace(d.StartedAt); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, calendar.Paris)
		switch {
		case err != nil:
			es.Add(i18n.FieldError("started_at", "major.error.started_at"))
		case t.After(now.Add(5 * time.Minute)):
			es.Add(i18n.FieldError("started_at", "major.error.started_future"))
		case t.Before(now.AddDate(0, 0, -30)):
			es.Add(i18n.FieldError("started_at", "major.error.started_old"))
		default:
			started = t.UTC()
		}
	}
	return started, es.Err()
}

// separator tells the words of a typed list apart: spaces, commas, semicolons, new lines.
func separator(r rune) bool {
	return r == ',' || r == ';' || unicode.IsSpace(r)
}

func uniq(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// UpdateDraft is a public update as staff write it.
type UpdateDraft struct {
	State          string
	BodyFR, BodyEN string
}

// CheckUpdate says whether an update may be posted on m, each failure beside its field: not on
// a resolved major incident (a page-level refusal), with a known state and both texts.
func CheckUpdate(m *Major, u *UpdateDraft) error {
	if !m.Active() {
		return i18n.NewError("major.error.update_resolved")
	}
	var es i18n.Errors
	if !State(u.State).Valid() {
		es.Add(i18n.FieldError("state", "major.error.state"))
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"body_fr", &u.BodyFR}, {"body_en", &u.BodyEN}} {
		*f.v = strings.TrimSpace(strings.ReplaceAll(*f.v, "\r\n", "\n"))
		switch n := utf8.RuneCountInString(*f.v); {
		case n == 0:
			es.Add(i18n.FieldError(f.field, "major.error."+f.field+"_required"))
		case n > MaxText:
			es.Add(i18n.FieldError(f.field, "major.error.text_too_long", "Max", MaxText, "Length", n))
		}
	}
	return es.Err()
}

// CheckLink says whether inc may be linked to m: m is still active, concerns inc's tenant, inc
// is open and linked to no major incident yet. field is the form field the refusal goes beside.
func CheckLink(m *Major, inc *incident.Incident, field string) *i18n.Error {
	switch {
	case !m.Active():
		return i18n.FieldError(field, "major.error.link_resolved")
	case inc.MajorID != nil && *inc.MajorID == m.ID:
		return i18n.FieldError(field, "major.error.link_twice", "Number", inc.Number())
	case inc.MajorID != nil:
		return i18n.FieldError(field, "major.error.link_other", "Number", inc.Number(), "Major", Number(*inc.MajorID))
	case !m.Concerns(inc.TenantID):
		return i18n.FieldError(field, "major.error.link_tenant", "Number", inc.Number(), "Tenant", inc.TenantCode)
	case !inc.IsOpen():
		return i18n.FieldError(field, "major.error.link_not_open", "Number", inc.Number())
	}
	return nil
}

// CheckUnlink says whether inc may be unlinked from m.
func CheckUnlink(m *Major, inc *incident.Incident) *i18n.Error {
	if inc.MajorID == nil || *inc.MajorID != m.ID {
		return i18n.NewError("major.error.unlink_not_linked", "Number", inc.Number())
	}
	return nil
}

// ResolvesLinked reports what resolving the major incident does to a linked incident in state
// s: an incident support still owes work on is resolved with the resolution text; one resolved,
// closed or cancelled already is left as it is (its timeline gets the resolution all the same).
func ResolvesLinked(s incident.Status) bool {
	return s == incident.New || s == incident.InProgress || s == incident.PendingCustomer
}
