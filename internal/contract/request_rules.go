package contract

import (
	"strings"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// MinTenantsForMultiBill is how many tenants a customer needs for a multi-tenant bill.
const MinTenantsForMultiBill = 3

// Field limits of the forms.
const (
	MaxDetails = 5000
	MaxReason  = 5000
)

// Form is what a customer files: a support-level change or a sales form. Only the fields of
// its Kind are read.
type Form struct {
	Kind    Kind
	Level   string // support level asked for; the level wanted for an additional tenant
	Details string
	// HolderName, HolderEmail, HolderLang: the new referent or domain owner.
	HolderName  string
	HolderEmail string
	HolderLang  string
	// ContractName is the contract name of an additional tenant.
	ContractName string
	// Acknowledged: the customer read that consumption is billed until every resource is deleted.
	Acknowledged bool
}

// checkForm checks the fields of a sales form (not the support-level rules, which need the
// history) and trims them; it returns every failure, each beside its field.
func checkForm(in *Form) i18n.Errors {
	var es i18n.Errors
	in.Details = strings.TrimSpace(in.Details)
	if utf8.RuneCountInString(in.Details) > MaxDetails {
		es.Add(i18n.FieldError("details", "error.field.too_long", "Max", MaxDetails))
	}
	switch in.Kind {
	case SupportLevel:
		// A support-level request names the level it asks for: never filed for no level.
		in.Level = strings.TrimSpace(in.Level)
		switch _, ok := ParseLevel(in.Level); {
		case in.Level == "":
			es.Add(i18n.FieldError("level", "contract.error.level_required"))
		case !ok:
			es.Add(i18n.FieldError("level", "contract.error.unknown_level"))
		}
	case Cancellation:
		if !in.Acknowledged {
			es.Add(i18n.FieldError("acknowledged", "contract.error.acknowledge_billing"))
		}
	case ReferentChange, OwnerChange:
		in.HolderName, in.HolderEmail = strings.TrimSpace(in.HolderName), strings.TrimSpace(in.HolderEmail)
		identity.CheckDisplayName(&es, "holder_name", in.HolderName)
		identity.CheckEmail(&es, "holder_email", in.HolderEmail)
		if !identity.ValidLang(in.HolderLang) {
			es.Add(i18n.FieldError("holder_lang", "error.field.choice"))
		}
	case TenantOrder:
		in.ContractName = strings.TrimSpace(in.ContractName)
		switch {
		case in.ContractName == "":
			es.Add(i18n.FieldError("contract_name", "error.field.required"))
		case utf8.RuneCountInString(in.ContractName) > identity.MaxName:
			es.Add(i18n.FieldError("contract_name", "error.field.too_long", "Max", identity.MaxName))
		}
		if _, ok := ParseLevel(in.Level); !ok {
			es.Add(i18n.FieldError("level", "contract.error.unknown_level"))
		}
	}
	return es
}

// CheckCancellation refuses to cancel a tenant that is not active: already cancelled, or
// whose cancellation is already under way.
func CheckCancellation(status string) *i18n.Error {
	switch status {
	case tenancy.TenantCancelled:
		return i18n.FieldError("tenant", "contract.error.already_cancelled")
	case tenancy.TenantCancellationRequested:
		return i18n.FieldError("tenant", "contract.error.cancellation_under_way")
	}
	return nil
}

// CheckMultiTenantBill refuses a multi-tenant bill to a customer with fewer than three tenants.
func CheckMultiTenantBill(tenants int) *i18n.Error {
	if tenants < MinTenantsForMultiBill {
		return i18n.FieldError("tenants", "contract.error.multi_bill_tenants", "Have", tenants, "Min", MinTenantsForMultiBill)
	}
	return nil
}

// CheckCancellationDate checks the day the sales rep sets for a cancellation: a valid date, not
// before today in Paris.
func CheckCancellationDate(s string, today calendar.Date) (calendar.Date, *i18n.Error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return calendar.Date{}, i18n.FieldError("cancel_on", "error.field.required")
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return calendar.Date{}, i18n.FieldError("cancel_on", "error.field.date")
	}
	if d.Before(today) {
		return calendar.Date{}, i18n.FieldError("cancel_on", "contract.error.date_past", "Date", today)
	}
	return d, nil
}

// WhyNot says why the holder of access may not file a request of kind, or nil when they may:
// the support-level change, the cancellation, the additional tenant order and the multi-tenant bill are for the
// referent or the domain owner. A referent or domain-owner change is for when the holder cannot
// act: any member with the `contract` right may file it, but not the holder themself, who hands
// the role over in the Users tab.
func WhyNot(a *tenancy.Access, kind Kind) *i18n.Error {
	switch kind {
	case ReferentChange:
		if a.Referent {
			return i18n.FieldError("", "contract.error.holder_use_users_tab")
		}
		if !a.Rights.Contract {
			return i18n.FieldError("", "contract.error.need_contract_right")
		}
	case OwnerChange:
		if a.Owner {
			return i18n.FieldError("", "contract.error.holder_use_users_tab")
		}
		if !a.Rights.Contract {
			return i18n.FieldError("", "contract.error.need_contract_right")
		}
	default:
		if !a.Referent && !a.Owner {
			return i18n.FieldError("", "contract.error.referent_or_owner")
		}
	}
	return nil
}
