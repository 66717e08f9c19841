package change

import "testing"

func TestPreApproved(t *testing.T) {
	quota := testItem(t, "quota") // auto_approve_max 50, factor 2
	tests := []struct {
		current, requested int64
		want               bool
	}{
		{10, 20, true},  // double, under the max
		{10, 21, false}, // above twice the current quota
		{25, 50, true},  // at both limits
		{30, 51, false}, // above auto_approve_max
		{40, 60, false}, // within the factor, above the max
		{0, 1, false},   // nothing is twice zero
		{10, 10, false}, // not an increase
		{20, 15, false}, // a decrease is not a valid request
	}
	for _, tt := range tests {
		vs := Values{
			FieldRegion:    {Type: TypeRegion, Text: "eu-west-0"},
			FieldCurrent:   {Type: TypeInt, Int: tt.current},
			FieldRequested: {Type: TypeInt, Int: tt.requested},
		}
		if got := quota.PreApproved(vs); got != tt.want {
			t.Errorf("current %d, requested %d: PreApproved = %v, want %v", tt.current, tt.requested, got, tt.want)
		}
	}

	ok := Values{FieldCurrent: {Type: TypeInt, Int: 10}, FieldRequested: {Type: TypeInt, Int: 20}}
	if quota.PreApproved(Values{FieldCurrent: {Type: TypeInt, Int: 10}}) {
		t.Error("pre-approved without a requested value")
	}
	retired := *quota
	retired.Retired = true
	if retired.PreApproved(ok) {
		t.Error("a retired item pre-approved")
	}
	noRule := *quota
	noRule.AutoApproveMax, noRule.AutoApproveFactor = 0, 0
	if noRule.PreApproved(ok) {
		t.Error("an item without a rule pre-approved")
	}
	if testItem(t, "window").PreApproved(ok) {
		t.Error("a non-quota item pre-approved")
	}
}
