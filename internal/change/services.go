package change

import (
	_ "embed"
	"fmt"
	"os"
)

// The service catalogue (the Services tab) is written in the change catalogue's format and read
// by the same engine: typed fields, labels in both languages, validation and snapshots. Its
// items add who may order them, their price note, whether they apply at once and their effect.
// Orders are change requests whose catalogue is CatalogueServices.

// The catalogues a request is made from.
const (
	CatalogueStandard = "standard"
	CatalogueServices = "services"
)

// OrderBy says who may order a service item.
type OrderBy string

// Who may order.
const (
	OrderByReferent OrderBy = "referent" // the tenant's referent only
	OrderByOwner    OrderBy = "owner"    // the tenant's domain owner only
	OrderByServices OrderBy = "services" // any member with the services right (the referent and owner too)
)

// Price is a service item's price note.
type Price string

// The price notes.
const (
	PriceFree      Price = "free"
	PriceQuote     Price = "quote"     // the sales rep quotes, the customer accepts, then agents implement
	PricePricelist Price = "pricelist" // priced in the provider's pricelist
)

// Key is the translation key of the price note.
func (p Price) Key() string { return "service.price." + string(p) }

// Key is the translation key of who may order.
func (o OrderBy) Key() string { return "service.order_by." + string(o) }

// Effect is what implementing a service order does.
type Effect string

// The effects.
const (
	EffectNone         Effect = "none"          // the agents' work is the whole of it (DeC/DSS)
	EffectRef1         Effect = "ref1"          // field ref1 becomes the tenant's REF1
	EffectContractName Effect = "contract_name" // field name becomes the tenant's contract name
	EffectAlliance     Effect = "alliance"      // field region is granted to the tenant
	EffectFAB          Effect = "fab"           // File and Applicative Backup is active on the tenant
	EffectSubscription Effect = "subscription"  // a subscription row: region, template, instances, term
)

// The fields the effects read.
const (
	FieldRef1        = "ref1"
	FieldName        = "name"
	FieldTemplate    = "template"
	FieldInstances   = "instances"
	FieldTerm        = "term"
	FieldReservation = "reservation" // ECS: standard or flexible
)

// Quoted says whether the item goes through the quote step.
func (it *Item) Quoted() bool { return it.Price == PriceQuote }

// IsService says whether the item comes from the service catalogue.
func (it *Item) IsService() bool { return it.Effect != "" }

//go:embed services.toml
var embeddedServices []byte

// LoadServices reads the service catalogue from the TOML file at path, or the one shipped in the
// binary when path is empty (GUICHET_SERVICES overrides it), refusing it as LoadCatalogue does,
// and also an item without its service terms or whose effect lacks the fields it reads.
func LoadServices(path string) (*Catalogue, error) {
	name, data := "embedded services.toml", embeddedServices
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("change: service catalogue: %w", err)
		}
		name = path
	}
	c, err := parseServices(data)
	if err != nil {
		return nil, fmt.Errorf("change: service catalogue %s: %w", name, err)
	}
	return c, nil
}

// service checks an item of the service catalogue: its terms, and the fields its effect reads.
func (c *checker) service(where string, it *Item) {
	switch it.OrderBy {
	case OrderByReferent, OrderByOwner, OrderByServices:
	default:
		c.fail(where, "order_by %q: want referent, owner or services", it.OrderBy)
	}
	switch it.Price {
	case PriceFree, PriceQuote, PricePricelist:
	default:
		c.fail(where, "price %q: want free, quote or pricelist", it.Price)
	}
	if it.Kind != "" || it.AutoApproveMax != 0 {
		c.fail(where, "a service item has no kind and no auto_approve_max")
	}
	if it.Immediate && it.Price == PriceQuote {
		c.fail(where, "an item on quote cannot be applied at once")
	}
	type need struct {
		code string
		typ  FieldType
	}
	var needs []need
	switch it.Effect {
	case EffectNone, EffectFAB:
	case EffectRef1:
		needs = []need{{FieldRef1, TypeText}}
	case EffectContractName:
		needs = []need{{FieldName, TypeText}}
	case EffectAlliance:
		needs = []need{{FieldRegion, TypeSelect}}
	case EffectSubscription:
		needs = []need{{FieldRegion, TypeRegion}, {FieldTemplate, TypeSelect}, {FieldInstances, TypeInt}, {FieldTerm, TypeSelect}}
	default:
		c.fail(where, "effect %q: want none, ref1, contract_name, alliance, fab or subscription", it.Effect)
	}
	for _, n := range needs {
		f, ok := it.Field(n.code)
		fwhere := where + ", " + name("field", n.code, 0)
		switch {
		case !ok:
			c.fail(where, "effect %q needs a field %q", it.Effect, n.code)
		case f.Type != n.typ:
			c.fail(fwhere, "effect %q needs type %q, not %q", it.Effect, n.typ, f.Type)
		case !f.Required:
			c.fail(fwhere, "effect %q needs the field required", it.Effect)
		}
	}
	if f, ok := it.Field(FieldRef1); ok && it.Effect == EffectRef1 && (f.Max == nil || *f.Max > 40) {
		c.fail(where+", "+name("field", FieldRef1, 0), "REF1 is at most 40 characters: max must be 1 to 40")
	}
	if f, ok := it.Field(FieldName); ok && it.Effect == EffectContractName && (f.Max == nil || *f.Max > 100) {
		c.fail(where+", "+name("field", FieldName, 0), "a contract name is at most 100 characters: max must be 1 to 100")
	}
	if f, ok := it.Field(FieldRegion); ok && it.Effect == EffectAlliance {
		for _, o := range f.Options {
			if !cloudAlliance(o.Code) {
				c.fail(where+", "+name("field", FieldRegion, 0), "option %q is not a Cloud Alliance region", o.Code)
			}
		}
	}
	if f, ok := it.Field(FieldTerm); ok && it.Effect == EffectSubscription {
		for _, o := range f.Options {
			if n, err := termMonths(o.Code); err != nil || n < 1 || n > 60 {
				c.fail(where+", "+name("field", FieldTerm, 0), "option %q is not a number of months from 1 to 60", o.Code)
			}
		}
	}
	if f, ok := it.Field(FieldReservation); ok && it.Effect == EffectSubscription {
		for _, o := range f.Options {
			if o.Code != "standard" && o.Code != "flexible" {
				c.fail(where+", "+name("field", FieldReservation, 0), "option %q: want standard or flexible", o.Code)
			}
		}
	}
}

// standard refuses the service terms on an item of the change catalogue.
func (c *checker) standard(where string, it *Item) {
	if it.OrderBy != "" || it.Price != "" || it.Immediate || it.Effect != "" || it.Notice != (Text{}) {
		c.fail(where, "order_by, price, immediate, effect and notice belong to the service catalogue")
	}
}
