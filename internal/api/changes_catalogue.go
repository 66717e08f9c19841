package api

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/i18n"
)

// ChangeCatalogue is the change catalogue as a customer orders from it: catalogues, their
// categories, and the items still offered with the fields of their forms.
type ChangeCatalogue struct {
	Tenant     string             `json:"tenant" example:"OCB0000001" doc:"The tenant the catalogue was asked for."`
	Catalogues []ChangeCollection `json:"catalogues"`
}

// ChangeCollection is one catalogue of the list, such as the standard change catalogue.
type ChangeCollection struct {
	Code       string           `json:"code" example:"standard"`
	Label      string           `json:"label" doc:"In the reader's language."`
	Categories []ChangeCategory `json:"categories"`
}

// ChangeCategory groups items, such as quota management.
type ChangeCategory struct {
	Code  string       `json:"code" example:"quotas"`
	Label string       `json:"label" doc:"In the reader's language."`
	Items []ChangeItem `json:"items"`
}

// ChangeItem is an item of the catalogue: what a customer orders, with the fields of its form.
type ChangeItem struct {
	Code         string        `json:"code" example:"ecs_instances" doc:"The item's code, as a change request names it."`
	Kind         string        `json:"kind,omitempty" enum:"quota" doc:"quota: the fields region, current and requested, requested above current."`
	Label        string        `json:"label" doc:"In the reader's language."`
	Description  string        `json:"description" doc:"In the reader's language."`
	LeadTimeDays int           `json:"lead_time_days" doc:"How many business days implementing the change usually takes."`
	Catalogue    string        `json:"catalogue" example:"standard" doc:"The code of the item's catalogue."`
	Category     string        `json:"category" example:"quotas" doc:"The code of the item's category."`
	Fields       []ChangeField `json:"fields" doc:"The fields of the item's form, in order: a request sends each one's value under its code."`
}

// ChangeField is one field of an item's form, typed as the catalogue defines it.
type ChangeField struct {
	Code      string         `json:"code" example:"requested" doc:"The key of the field's value in a request's values."`
	Type      string         `json:"type" enum:"int,text,textarea,select,region,date" doc:"int: a whole number; text: one line; textarea: several lines; select: one of options; region: one of options (a cloud region code); date: YYYY-MM-DD, today or later (Paris)."`
	Label     string         `json:"label" doc:"In the reader's language."`
	Help      string         `json:"help,omitempty" doc:"In the reader's language."`
	Unit      string         `json:"unit,omitempty" doc:"The unit of an int, in the reader's language."`
	Required  bool           `json:"required"`
	Minimum   *int64         `json:"minimum,omitempty" doc:"int: the smallest value accepted."`
	Maximum   *int64         `json:"maximum,omitempty" doc:"int: the largest value accepted."`
	MinLength *int64         `json:"min_length,omitempty" doc:"text, textarea: the fewest characters accepted."`
	MaxLength *int64         `json:"max_length,omitempty" doc:"text, textarea: the most characters accepted."`
	Options   []ChangeOption `json:"options,omitempty" doc:"select: the choices; region: the regions offered."`
}

// ChangeOption is one choice of a select or region field.
type ChangeOption struct {
	Code  string `json:"code" example:"eu-west-0"`
	Label string `json:"label" doc:"In the reader's language."`
}

// ChangeValue is the value of a catalogue field: a whole number for an int field, a string for
// the others (an option or region code, a date YYYY-MM-DD, a text). In a request sent, an int
// field also takes its digits as a string, as the form does.
type ChangeValue struct {
	text string
	num  bool
}

// Schema is huma's SchemaProvider: a string or a whole number.
func (ChangeValue) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Description: "A whole number for an int field; a string otherwise (an option or region code, a date YYYY-MM-DD, a text).",
		OneOf:       []*huma.Schema{{Type: huma.TypeString}, {Type: huma.TypeInteger}},
	}
}

// UnmarshalJSON reads a string, or a number as the digits a form would send.
func (v *ChangeValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = ChangeValue{text: s}
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	text := n.String()
	if _, err := strconv.ParseInt(text, 10, 64); err != nil {
		// 1e3 is a whole number written otherwise; anything else goes to the catalogue's check as
		// written, which refuses it beside its field.
		if f, ferr := n.Float64(); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<62 {
			text = strconv.FormatInt(int64(f), 10)
		}
	}
	*v = ChangeValue{text: text, num: true}
	return nil
}

// MarshalJSON writes an int field's value as a number, any other as a string.
func (v ChangeValue) MarshalJSON() ([]byte, error) {
	if v.num {
		if _, err := strconv.ParseInt(v.text, 10, 64); err == nil {
			return []byte(v.text), nil
		}
	}
	return json.Marshal(v.text)
}

// changeValueOf is a stored value as the API writes it.
func changeValueOf(v change.Value) ChangeValue {
	return ChangeValue{text: v.String(), num: v.Type == change.TypeInt}
}

// changeValues are a request's values by field code.
func changeValues(vs change.Values) map[string]ChangeValue {
	out := make(map[string]ChangeValue, len(vs))
	for code, v := range vs {
		out[code] = changeValueOf(v)
	}
	return out
}

type changeCatalogueInput struct {
	Tenant string `query:"tenant" maxLength:"40" example:"OCB0000001" doc:"One of the reader's tenants, on which they hold the changes right."`
}

type changeCatalogueOutput struct {
	Body ChangeCatalogue
}

type changeItemInput struct {
	Item   string `path:"item" maxLength:"100" example:"ecs_instances"`
	Tenant string `query:"tenant" maxLength:"40" example:"OCB0000001" doc:"One of the reader's tenants, on which they hold the changes right."`
}

type changeItemOutput struct {
	Body ChangeItem
}

func init() { registrars = append(registrars, (*server).registerChangeCatalogue) }

func (s *server) registerChangeCatalogue(api huma.API) {
	huma.Register(api, op(http.MethodGet, "/change-catalogue", "get-change-catalogue", "Changes",
		"The change catalogue a customer may order from on a tenant (the changes right), each item with its typed fields"),
		func(ctx context.Context, in *changeCatalogueInput) (*changeCatalogueOutput, error) {
			tenantID, code, err := s.changeTenant(ctx, in.Tenant)
			if err != nil {
				return nil, err
			}
			cat, err := s.Changes.Browse(ctx, actorOf(ctx), tenantID)
			if err != nil {
				return nil, err
			}
			lang := callerOf(ctx).Lang
			out := &changeCatalogueOutput{Body: ChangeCatalogue{Tenant: code, Catalogues: []ChangeCollection{}}}
			for _, col := range cat.Collections {
				c := ChangeCollection{Code: col.Code, Label: col.Label.In(lang), Categories: []ChangeCategory{}}
				for _, category := range col.Categories {
					offered := category.Offered()
					if len(offered) == 0 {
						continue
					}
					k := ChangeCategory{Code: category.Code, Label: category.Label.In(lang), Items: make([]ChangeItem, 0, len(offered))}
					for _, it := range offered {
						k.Items = append(k.Items, s.changeItemOf(it, lang))
					}
					c.Categories = append(c.Categories, k)
				}
				out.Body.Catalogues = append(out.Body.Catalogues, c)
			}
			return out, nil
		})
	huma.Register(api, op(http.MethodGet, "/change-catalogue/{item}", "get-change-item", "Changes",
		"An item of the change catalogue, with its typed fields (retired items are not found)"),
		func(ctx context.Context, in *changeItemInput) (*changeItemOutput, error) {
			tenantID, _, err := s.changeTenant(ctx, in.Tenant)
			if err != nil {
				return nil, err
			}
			it, err := s.Changes.Orderable(ctx, actorOf(ctx), tenantID, in.Item)
			if err != nil {
				return nil, err
			}
			return &changeItemOutput{Body: s.changeItemOf(it, callerOf(ctx).Lang)}, nil
		})
}

// changeTenant reads the tenant a customer names in a query: absent is a refusal beside the
// field, another's is not found. Staff name no tenant of theirs: not found.
func (s *server) changeTenant(ctx context.Context, code string) (int64, string, error) {
	if strings.TrimSpace(code) == "" {
		return 0, "", i18n.Errors{i18n.FieldError("tenant", "api.field.tenant_required")}
	}
	id, err := tenantOfCode(actorOf(ctx), code)
	return id, strings.ToUpper(strings.TrimSpace(code)), err
}

// changeItemOf is an item as the reader reads it, with its place in the catalogue when known.
func (s *server) changeItemOf(it *change.Item, lang string) ChangeItem {
	out := ChangeItem{Code: it.Code, Kind: string(it.Kind), Label: it.Label.In(lang), Description: it.Description.In(lang),
		LeadTimeDays: it.LeadTimeDays, Fields: s.changeFieldsOf(it.Fields, lang)}
	if cat := it.Category(); cat != nil {
		out.Category = cat.Code
		if col := cat.Collection(); col != nil {
			out.Catalogue = col.Code
		}
	}
	return out
}

// changeFieldsOf are an item's fields as the form shows them: a region field offers the
// regions, with their names in the reader's language.
func (s *server) changeFieldsOf(fs []*change.Field, lang string) []ChangeField {
	out := make([]ChangeField, 0, len(fs))
	for _, f := range fs {
		cf := ChangeField{Code: f.Code, Type: string(f.Type), Label: f.Label.In(lang), Help: f.Help.In(lang), Unit: f.Unit.In(lang),
			Required: f.Required}
		switch f.Type {
		case change.TypeInt:
			cf.Minimum, cf.Maximum = f.Min, f.Max
		case change.TypeText, change.TypeTextarea:
			cf.MinLength, cf.MaxLength = f.Min, f.Max
		case change.TypeSelect:
			for _, o := range f.Options {
				cf.Options = append(cf.Options, ChangeOption{Code: o.Code, Label: o.Label.In(lang)})
			}
		case change.TypeRegion:
			for _, r := range cloud.Regions() {
				cf.Options = append(cf.Options, ChangeOption{Code: r.Code, Label: s.regionName(lang, r)})
			}
		}
		out = append(out, cf)
	}
	return out
}

func (s *server) regionName(lang string, r cloud.Region) string {
	if s.Bundle == nil {
		return r.Code
	}
	return s.Bundle.T(lang, r.Key(), nil)
}
