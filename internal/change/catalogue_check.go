package change

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/guichet/guichet/internal/cloud"
)

func cloudAlliance(code string) bool { return cloud.IsAllianceRegion(code) }

// termMonths reads a subscription term option's code, a number of months.
func termMonths(code string) (int, error) { return strconv.Atoi(code) }

// checker collects every inconsistency of a catalogue, each prefixed with where it is.
type checker struct {
	errs []error
}

func (c *checker) fail(where, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(where+": "+format, args...))
}

// checkCatalogue returns what is wrong with c. Collection codes are unique, category codes are
// unique within their collection, item codes are unique across the catalogue (a request names
// its item by code alone), field codes within their item, option codes within their field.
func checkCatalogue(c *Catalogue, services bool) []error {
	var ck checker
	if len(c.Collections) == 0 {
		ck.fail("catalogue", "no [[catalogue]] defined")
	}
	collections, items := map[string]bool{}, map[string]bool{}
	for i, col := range c.Collections {
		where := name("catalogue", col.Code, i)
		ck.code(where, col.Code, collections)
		ck.text(where, "label", col.Label, true)
		if len(col.Categories) == 0 {
			ck.fail(where, "no category")
		}
		categories := map[string]bool{}
		for j, cat := range col.Categories {
			cwhere := where + ", " + name("category", cat.Code, j)
			ck.code(cwhere, cat.Code, categories)
			ck.text(cwhere, "label", cat.Label, true)
			if len(cat.Items) == 0 {
				ck.fail(cwhere, "no item")
			}
			for k, it := range cat.Items {
				iwhere := name("item", it.Code, k)
				if it.Code == "" {
					iwhere = cwhere + ", " + iwhere
				}
				ck.code(iwhere, it.Code, items)
				ck.item(iwhere, it)
				if services {
					ck.service(iwhere, it)
				} else {
					ck.standard(iwhere, it)
				}
			}
		}
	}
	return ck.errs
}

func (c *checker) item(where string, it *Item) {
	c.text(where, "label", it.Label, true)
	c.text(where, "description", it.Description, true)
	if it.Kind != "" && it.Kind != KindQuota {
		c.fail(where, "unknown kind %q (want %q or none)", it.Kind, KindQuota)
	}
	if it.LeadTimeDays < 0 {
		c.fail(where, "lead_time_days %d is negative", it.LeadTimeDays)
	}
	c.approval(where, it)
	if len(it.Fields) == 0 {
		c.fail(where, "no field")
	}
	fields := map[string]bool{}
	for i, f := range it.Fields {
		fwhere := where + ", " + name("field", f.Code, i)
		c.code(fwhere, f.Code, fields)
		c.field(fwhere, f)
	}
	if it.Kind == KindQuota {
		c.quota(where, it)
	}
}

func (c *checker) approval(where string, it *Item) {
	switch {
	case it.AutoApproveMax < 0:
		c.fail(where, "auto_approve_max %d is negative", it.AutoApproveMax)
	case it.AutoApproveMax == 0 && it.AutoApproveFactor != 0:
		c.fail(where, "auto_approve_factor without auto_approve_max")
	case it.AutoApproveMax > 0 && it.Kind != KindQuota:
		c.fail(where, "auto_approve_max on an item that is not a quota item")
	case it.AutoApproveMax > 0 && !(it.AutoApproveFactor > 1):
		// A factor of 1 or less could never approve a requested value above the current one.
		c.fail(where, "auto_approve_factor %v must be above 1", it.AutoApproveFactor)
	}
}

// quota checks the fields every quota item must have, with the types its rules rely on.
func (c *checker) quota(where string, it *Item) {
	want := []struct {
		code string
		typ  FieldType
	}{{FieldRegion, TypeRegion}, {FieldCurrent, TypeInt}, {FieldRequested, TypeInt}}
	for _, w := range want {
		f, ok := it.Field(w.code)
		fwhere := where + ", " + name("field", w.code, 0)
		switch {
		case !ok:
			c.fail(where, "quota item without field %q", w.code)
		case f.Type != w.typ:
			c.fail(fwhere, "quota field must have type %q, not %q", w.typ, f.Type)
		case !f.Required:
			c.fail(fwhere, "quota field must be required")
		}
	}
	if f, ok := it.Field(FieldRequested); ok && f.Type == TypeInt {
		switch {
		case f.Max == nil:
			c.fail(where+", field \"requested\"", "quota field needs a max (the item's maximum)")
		case it.AutoApproveMax > *f.Max:
			c.fail(where, "auto_approve_max %d is above the requested field's max %d", it.AutoApproveMax, *f.Max)
		}
	}
}

func (c *checker) field(where string, f *Field) {
	c.text(where, "label", f.Label, true)
	c.text(where, "help", f.Help, false)
	c.text(where, "unit", f.Unit, false)
	switch f.Type {
	case TypeInt:
	case TypeText, TypeTextarea:
		if f.Max == nil {
			c.fail(where, "%s field needs a max (its length limit)", f.Type)
		}
		if f.Min != nil && *f.Min < 0 || f.Max != nil && *f.Max < 1 {
			c.fail(where, "length bounds must be min ≥ 0 and max ≥ 1")
		}
	case TypeSelect, TypeRegion, TypeDate:
		if f.Min != nil || f.Max != nil {
			c.fail(where, "%s field takes no min or max", f.Type)
		}
	case "":
		c.fail(where, "missing type")
	default:
		c.fail(where, "unknown type %q", f.Type)
	}
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		c.fail(where, "min %d is above max %d", *f.Min, *f.Max)
	}
	if f.Type == TypeSelect && len(f.Options) == 0 {
		c.fail(where, "select field without options")
	}
	if f.Type != TypeSelect && len(f.Options) > 0 {
		c.fail(where, "options on a field of type %q", f.Type)
	}
	options := map[string]bool{}
	for i, o := range f.Options {
		owhere := where + ", " + name("option", o.Code, i)
		c.code(owhere, o.Code, options)
		c.text(owhere, "label", o.Label, true)
	}
}

// code checks that code is set, well formed and not yet in seen, then adds it.
func (c *checker) code(where, code string, seen map[string]bool) {
	switch {
	case code == "":
		c.fail(where, "missing code")
	case !validCode(code):
		c.fail(where, "code must be lower-case letters, digits, '_' or '-'")
	case seen[code]:
		c.fail(where, "duplicate code")
	}
	seen[code] = true
}

// text checks that t is written in both languages; an optional text may instead be absent.
func (c *checker) text(where, what string, t Text, required bool) {
	fr, en := strings.TrimSpace(t.FR) != "", strings.TrimSpace(t.EN) != ""
	if !required && !fr && !en {
		return
	}
	if !fr {
		c.fail(where, "missing French %s", what)
	}
	if !en {
		c.fail(where, "missing English %s", what)
	}
}

// validCode accepts what can go unescaped into a URL, a form name and a CSS class.
func validCode(s string) bool {
	for i, r := range s {
		lower, digit := r >= 'a' && r <= 'z', r >= '0' && r <= '9'
		if !lower && !digit && (i == 0 || r != '_' && r != '-') {
			return false
		}
	}
	return true
}

// name says which element is meant: by its code, or by its position when it has none.
func name(what, code string, i int) string {
	if code == "" {
		return fmt.Sprintf("%s #%d", what, i+1)
	}
	return fmt.Sprintf("%s %q", what, code)
}
