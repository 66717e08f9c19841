// Package cloud names the provider's regions and services, shared by incidents and changes.
package cloud

// Region is one of the provider's OpenStack regions. Its name in each language comes from the
// locale files, under Key.
type Region struct {
	// Code is the OpenStack region name, as the console and the API spell it: eu-west-0.
	Code string
}

// Key is the translation key of the region's name: cloud.region.eu-west-0 is "Paris".
func (r Region) Key() string { return "cloud.region." + r.Code }

var regions = []Region{
	{Code: "eu-west-0"}, // Paris
	{Code: "eu-west-1"}, // Amsterdam
	{Code: "na-east-0"}, // Atlanta
}

// Regions returns every region, in the order a form offers them.
func Regions() []Region { return append([]Region(nil), regions...) }

// RegionByCode returns the region whose code is code.
func RegionByCode(code string) (Region, bool) {
	for _, r := range regions {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}

// IsRegion reports whether code names a known region.
func IsRegion(code string) bool {
	_, ok := RegionByCode(code)
	return ok
}

// allianceRegions are the Cloud Alliance partners' regions a tenant may be granted from the
// Services tab; once granted, the incident form offers them beside the provider's own.
var allianceRegions = []Region{
	{Code: "alliance-hk-1"}, // Hong Kong
	{Code: "alliance-sg-1"}, // Singapore
	{Code: "alliance-au-1"}, // Sydney
	{Code: "alliance-br-1"}, // São Paulo
}

// AllianceRegions returns every Cloud Alliance region, in the order a form offers them.
func AllianceRegions() []Region { return append([]Region(nil), allianceRegions...) }

// IsAllianceRegion reports whether code names a Cloud Alliance region.
func IsAllianceRegion(code string) bool {
	for _, r := range allianceRegions {
		if r.Code == code {
			return true
		}
	}
	return false
}
