package cloud

// Service is a product an incident can affect. Its name in each language comes from the locale
// files, under Key.
type Service struct {
	// Code is stable: it is stored with incidents and never renamed.
	Code string
}

// Key is the translation key of the service's name: cloud.service.ecs.
func (s Service) Key() string { return "cloud.service." + s.Code }

// ServiceOther is the choice for a problem that fits no listed service.
const ServiceOther = "other"

var services = []Service{
	{Code: "ecs"},     // Elastic Cloud Server
	{Code: "evs"},     // Elastic Volume Service
	{Code: "vpc"},     // Virtual Private Cloud
	{Code: "eip"},     // Elastic IP
	{Code: "obs"},     // Object Storage Service
	{Code: "rds"},     // Relational Database Service
	{Code: "cce"},     // Cloud Container Engine
	{Code: "elb"},     // Elastic Load Balance
	{Code: "dc"},      // Direct Connect
	{Code: "iam"},     // Identity and Access Management / console access
	{Code: "billing"}, // Billing
	{Code: ServiceOther},
}

// Services returns every service an incident can affect, in the order a form offers them.
func Services() []Service { return append([]Service(nil), services...) }

// ServiceByCode returns the service whose code is code.
func ServiceByCode(code string) (Service, bool) {
	for _, s := range services {
		if s.Code == code {
			return s, true
		}
	}
	return Service{}, false
}

// IsService reports whether code names a known service.
func IsService(code string) bool {
	_, ok := ServiceByCode(code)
	return ok
}
