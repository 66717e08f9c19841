package incident

// SLAEntries is slaEntries, for the tests of package incident_test.
var SLAEntries = slaEntries
