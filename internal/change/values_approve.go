package change

// PreApproved reports whether a request for the item with these values is approved at once:
// a quota item whose rule is set, with requested ≤ AutoApproveMax and
// requested ≤ AutoApproveFactor × current. Otherwise a sales rep decides.
func (it *Item) PreApproved(vs Values) bool {
	if it.Kind != KindQuota || it.Retired || it.AutoApproveMax <= 0 {
		return false
	}
	cur, okc := vs.Int(FieldCurrent)
	req, okr := vs.Int(FieldRequested)
	if !okc || !okr || req <= cur {
		return false
	}
	return req <= it.AutoApproveMax && float64(req) <= it.AutoApproveFactor*float64(cur)
}
