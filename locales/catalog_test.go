package locales_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/locales"
	"github.com/guichet/guichet/templates"
)

// Keys that code builds at run time, so no literal names them whole.
func dynamicKeys() []string {
	keys := []string{"date.first_day", "date.format.date", "date.format.datetime", "error.page.csrf.title", "error.page.csrf.text"}
	for m := 1; m <= 12; m++ {
		keys = append(keys, "date.month."+strconv.Itoa(m), "date.month_short."+strconv.Itoa(m))
	}
	for _, code := range []string{"400", "403", "404", "409", "413", "429", "500"} {
		keys = append(keys, "error.page."+code+".title", "error.page."+code+".text")
	}
	for _, st := range []string{notify.StatusPending, notify.StatusSent, notify.StatusDead} {
		keys = append(keys, "outbox.status."+st)
	}
	mails, _ := fs.Glob(templates.FS, "email/*.txt")
	for _, m := range mails {
		if kind := strings.TrimSuffix(filepath.Base(m), ".txt"); kind != "layout" {
			keys = append(keys, "email."+kind+".subject")
		}
	}
	for _, s := range tenancy.TenantStatuses {
		keys = append(keys, "tenant.status."+s)
	}
	for _, k := range identity.Kinds {
		keys = append(keys, "kind."+string(k))
	}
	for _, l := range identity.Languages {
		keys = append(keys, "lang."+l)
	}
	for _, l := range contract.Levels() {
		keys = append(keys, l.Key(), l.DescriptionKey())
	}
	for _, r := range cloud.Regions() {
		keys = append(keys, r.Key())
	}
	for _, s := range cloud.Services() {
		keys = append(keys, s.Key())
	}
	keys = append(keys, sla.Keys()...)
	// keys: incidents
	for _, a := range append(slices.Clone(incident.StaffActions), incident.CustomerActions...) {
		keys = append(keys, "flash.incident."+string(a))
	}
	keys = append(keys, "flash.incident.reply")
	for _, s := range incident.Statuses {
		keys = append(keys, incident.StatusKey(s))
	}
	for _, l := range incident.Levels {
		keys = append(keys, incident.LevelKey(l), incident.UrgencyKey(l))
	}
	for _, st := range change.States {
		keys = append(keys, st.Key())
	}
	keys = append(keys, change.EventKeys...)
	for _, a := range []change.Action{change.Approve, change.Reject, change.Schedule, change.Implement, change.Close, change.Cancel} {
		keys = append(keys, "flash.change."+string(a))
	}
	keys = append(keys, "flash.change.replied", "change.csv.region", "change.csv.current", "change.csv.requested")
	// keys: changes
	// keys: contract
	for _, k := range contract.Kinds() {
		keys = append(keys, k.Key(), "contract.form_intro."+string(k), "contract.form.details."+string(k))
	}
	for _, s := range contract.States() {
		keys = append(keys, s.Key())
	}
	keys = append(keys, "contract.form.other_role.referent_change", "contract.form.other_role.owner_change",
		"contract.age.hours", "contract.age.days", "contract.age.under_hour")
	return keys
}

var (
	// In templates every quoted dotted name is a key: {{ t "key" }} and "Label" "key" alike.
	templateKey = regexp.MustCompile(`"([a-z][a-z_]*(?:\.[a-z0-9_]+)+)"`)
	// In Go, keys are the literal arguments of the calls that carry them to a reader.
	goKey = regexp.MustCompile(`(?:i18n\.NewError\(|i18n\.FieldError\([^,()]+, |[pP]age\(c, |done\(c, [^,()]+, |\.T\([^,()]+, )"([a-z][a-z_]*(?:\.[a-z0-9_]+)+)"`)
)

func usedKeys(t *testing.T) map[string]string {
	used := map[string]string{}
	scan := func(root string, re *regexp.Regexp, match func(string) bool) {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !match(path) {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = path
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	scan("../templates", templateKey, func(p string) bool { return strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".txt") })
	scan("../internal", goKey, func(p string) bool { return strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") })
	for _, k := range dynamicKeys() {
		used[k] = "(built at run time)"
	}
	return used
}

func TestEveryUsedKeyIsTranslatedInBothLanguages(t *testing.T) {
	b, err := i18n.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	used := usedKeys(t)
	if len(used) < 200 {
		t.Fatalf("found only %d keys: the scan is broken", len(used))
	}
	for key, where := range used {
		for _, lang := range i18n.Langs {
			if !b.Has(lang, key) {
				t.Errorf("%s: key %q missing or empty in %s.toml", where, key, lang)
			}
		}
	}
}

func readFlat(t *testing.T, lang string) map[string]any {
	var m map[string]any
	if _, err := toml.DecodeFS(locales.FS, lang+".toml", &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBothFilesHaveTheSameKeysAndArguments(t *testing.T) {
	en, fr := readFlat(t, "en"), readFlat(t, "fr")
	args := regexp.MustCompile(`\{\{\s*\.(\w+)`)
	names := func(v any) string {
		s := ""
		switch x := v.(type) {
		case string:
			s = x
		case map[string]any:
			s = x["other"].(string)
		}
		var out []string
		for _, m := range args.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return strings.Join(sortedUnique(out), ",")
	}
	for k, v := range en {
		w, ok := fr[k]
		if !ok {
			t.Errorf("%q is in en.toml only", k)
			continue
		}
		if names(v) != names(w) {
			t.Errorf("%q: arguments differ: en {%s}, fr {%s}", k, names(v), names(w))
		}
	}
	for k := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in fr.toml only", k)
		}
	}
}

func sortedUnique(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// French is written French: a copy of the English text is a forgotten translation. Names that
// are the same in both languages are listed.
func TestFrenchIsNotACopyOfEnglish(t *testing.T) {
	same := map[string]bool{}
	for _, k := range []string{"nav.tenants", "nav.incidents", "staff.tenants.title", "staff.tenant.title", "right.incidents", "common.actions",
		"pager.label", "date.format.date", "date.month_short.3", "date.month_short.5", "admin.outbox.message_title",
		"admin.outbox.count",
		// same: incidents
		"incident.page.title", "incident.field.description", "incident.field.impact", "pager.number",
		"incident.filter.sla", "incident.actions", "incident.field.tenant",
		// same: changes
		// same: contract
		// same: help (a language's name is written in that language; « Version » is French too)
		"help.article.read_in.fr", "help.article.read_in.en", "help.versions.number",
		// same: services (product names)
		"contract.fab",
	} {
		same[k] = true
	}
	en, fr := readFlat(t, "en"), readFlat(t, "fr")
	for k, v := range en {
		s, ok := v.(string)
		if !ok || same[k] || strings.HasPrefix(k, "contract.level.") || strings.HasPrefix(k, "cloud.") || !strings.Contains(s, " ") {
			continue
		}
		if fr[k] == s {
			t.Errorf("%q: French text is the English one: %q", k, s)
		}
	}
}

// A French colon, semicolon, question or exclamation mark takes a no-break space before it.
func TestFrenchTypography(t *testing.T) {
	bad := regexp.MustCompile(`[^\s\x{00a0}\x{202f}][:;!?](\s|$)| [:;!?]`)
	for k, v := range readFlat(t, "fr") {
		s, ok := v.(string)
		if !ok {
			continue
		}
		s = regexp.MustCompile(`\{\{[^}]*\}\}|https?://\S+|\d+:\d+`).ReplaceAllString(s, "")
		if bad.MatchString(s) {
			t.Errorf("%q: punctuation without a no-break space before it: %q", k, s)
		}
	}
}
