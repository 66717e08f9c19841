package cloud

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestRegions(t *testing.T) {
	var codes []string
	for _, r := range Regions() {
		codes = append(codes, r.Code)
	}
	if got := strings.Join(codes, " "); got != "eu-west-0 eu-west-1 na-east-0" {
		t.Errorf("Regions() = %s", got)
	}
	if r, ok := RegionByCode("eu-west-1"); !ok || r.Key() != "cloud.region.eu-west-1" {
		t.Errorf("RegionByCode(eu-west-1) = %v, %v", r, ok)
	}
	for _, bad := range []string{"", "EU-WEST-0", "eu-west-2", " eu-west-0"} {
		if IsRegion(bad) {
			t.Errorf("IsRegion(%q)", bad)
		}
	}
	Regions()[0].Code = "changed"
	if !IsRegion("eu-west-0") {
		t.Error("Regions() shares its slice")
	}
}

func TestServices(t *testing.T) {
	var codes []string
	for _, s := range Services() {
		codes = append(codes, s.Code)
	}
	if got := strings.Join(codes, " "); got != "ecs evs vpc eip obs rds cce elb dc iam billing other" {
		t.Errorf("Services() = %s", got)
	}
	if s, ok := ServiceByCode("billing"); !ok || s.Key() != "cloud.service.billing" {
		t.Errorf("ServiceByCode(billing) = %v, %v", s, ok)
	}
	if !IsService(ServiceOther) || IsService("ECS") || IsService("") {
		t.Error("IsService")
	}
}

// TestNamesTranslated checks that every region and service has a name in English and French
// in the repository's locale files.
func TestNamesTranslated(t *testing.T) {
	want := map[string]map[string]string{
		"en": {"cloud.region.eu-west-0": "Paris", "cloud.region.eu-west-1": "Amsterdam", "cloud.region.na-east-0": "Atlanta",
			"cloud.service.billing": "Billing", "cloud.service.iam": "Identity and Access Management / console access"},
		"fr": {"cloud.region.eu-west-0": "Paris", "cloud.service.billing": "Facturation", "cloud.service.other": "Autre",
			"cloud.service.iam": "Gestion des identités et des accès / accès à la console", "cloud.service.ecs": "Elastic Cloud Server"},
	}
	for lang, known := range want {
		msgs := messages(t, lang)
		for _, r := range Regions() {
			if strings.TrimSpace(msgs[r.Key()]) == "" {
				t.Errorf("%s: no name for %s", lang, r.Key())
			}
		}
		for _, s := range Services() {
			if strings.TrimSpace(msgs[s.Key()]) == "" {
				t.Errorf("%s: no name for %s", lang, s.Key())
			}
		}
		for key, name := range known {
			if msgs[key] != name {
				t.Errorf("%s: %s = %q, want %q", lang, key, msgs[key], name)
			}
		}
	}
}

// messages returns the cloud.* messages of lang in the repository's locale files, by flat key.
func messages(t *testing.T, lang string) map[string]string {
	t.Helper()
	msgs := map[string]string{}
	err := filepath.WalkDir(filepath.Join("..", "..", "locales"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != lang+".toml" && !strings.HasSuffix(d.Name(), "."+lang+".toml") {
			return err
		}
		var raw map[string]any
		if _, err := toml.DecodeFile(path, &raw); err != nil {
			return err
		}
		for k, v := range raw {
			if s, ok := v.(string); ok {
				msgs[k] = s
			}
		}
		if cloud, ok := raw["cloud"].(map[string]any); ok { // the nested TOML form
			for kind, names := range cloud {
				m, _ := names.(map[string]any)
				for code, name := range m {
					if s, ok := name.(string); ok {
						msgs["cloud."+kind+"."+code] = s
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}
