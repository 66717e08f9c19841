package incident_test

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
)

// crGrant grants a Cloud Alliance region to tenant code, as an applied service order does.
func crGrant(t *testing.T, f *fixture, code, region string) {
	t.Helper()
	_, err := f.svc.DB.NewRaw("INSERT INTO tenant_alliance_regions (tenant_id, region, granted_at) VALUES (?, ?, ?)",
		f.tenant(code), region, time.Now().UTC()).Exec(t.Context())
	if err != nil {
		t.Fatal(err)
	}
}

// TestCrAllianceRegionOnlyWhenGranted: an incident is declared in one of the provider's regions,
// in a Cloud Alliance region granted to its tenant, or in "alliance" naming one; a Cloud
// Alliance region granted to no tenant, or to another tenant only, is refused beside the region
// as an unknown region.
func TestCrAllianceRegionOnlyWhenGranted(t *testing.T) {
	f := newFixture(t)
	crGrant(t, f, "OCB0000001", "alliance-sg-1")
	crGrant(t, f, "OCB0000002", "alliance-hk-1")
	for _, c := range []struct {
		name, region, other, refused string
	}{
		{"the provider's region", "eu-west-0", "", ""},
		{"a granted Alliance region", "alliance-sg-1", "", ""},
		{"an Alliance region granted to another tenant", "alliance-hk-1", "", "region:incident.error.region"},
		{"an Alliance region granted to no tenant", "alliance-au-1", "", "region:incident.error.region"},
		{"another Alliance region, named", incident.RegionAlliance, "Tokyo", ""},
		{"an unknown region", "mars-1", "", "region:incident.error.region"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := draft()
			d.Region, d.RegionOther = c.region, c.other
			inc, err := f.svc.Declare(t.Context(), f.actor("Marie.Dupont"), f.tenant("OCB0000001"), d)
			if c.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if inc.Region != c.region || inc.RegionOther != c.other {
					t.Errorf("declared in %q / %q", inc.Region, inc.RegionOther)
				}
				return
			}
			es, ok := i18n.AsErrors(err)
			if !ok || len(es) != 1 || es[0].Field+":"+es[0].Key != c.refused {
				t.Fatalf("got %v, want %s", err, c.refused)
			}
		})
	}
}

// TestCrDeclareTermsListTheGrantedAllianceRegions: the form offers the tenant's granted Alliance
// regions, in the catalogue's order, and no other.
func TestCrDeclareTermsListTheGrantedAllianceRegions(t *testing.T) {
	f := newFixture(t)
	terms, err := f.svc.DeclareTerms(t.Context(), f.actor("John.Doe"), f.tenant("OCB0000001"))
	if err != nil || len(terms.Alliance) != 0 {
		t.Fatalf("before any grant: %+v, %v", terms.Alliance, err)
	}
	crGrant(t, f, "OCB0000001", "alliance-br-1")
	crGrant(t, f, "OCB0000001", "alliance-hk-1")
	crGrant(t, f, "OCB0000002", "alliance-sg-1")
	terms, err = f.svc.DeclareTerms(t.Context(), f.actor("John.Doe"), f.tenant("OCB0000001"))
	want := []cloud.Region{{Code: "alliance-hk-1"}, {Code: "alliance-br-1"}}
	if err != nil || len(terms.Alliance) != 2 || terms.Alliance[0] != want[0] || terms.Alliance[1] != want[1] {
		t.Fatalf("granted: %+v, %v; want %+v", terms.Alliance, err, want)
	}
}

// TestCrValidateTakesAllianceRegionsAsRegions: the pure check knows the Alliance regions; the
// grant is Declare's to check.
func TestCrValidateTakesAllianceRegionsAsRegions(t *testing.T) {
	for _, r := range cloud.AllianceRegions() {
		d := draft()
		d.Region, d.RegionOther = r.Code, "left over"
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", r.Code, err)
		}
		if d.RegionOther != "" {
			t.Errorf("%s keeps region_other %q", r.Code, d.RegionOther)
		}
	}
}
