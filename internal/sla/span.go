package sla

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// span is a target as the policy file writes it: "2d", "4h", "1h30m", "1d4h". Days stay apart
// from hours because a day is worth what the target's calendar says: 24 hours on 24/7, one full
// working day (9 hours for 09:00–18:00) on business hours. So "2d" on Standard means two working
// days, which is how contracts state it.
type span struct {
	days  int
	clock time.Duration // the hours and minutes
}

// Units come in the order d, h, m, each at most once; bounds keep every sum far from overflow.
var spanSyntax = regexp.MustCompile(`^(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?$`)

func parseSpan(s string) (span, error) {
	parts := spanSyntax.FindStringSubmatch(s)
	if parts == nil || s == "" {
		return span{}, fmt.Errorf("malformed duration %q (write e.g. 30m, 4h, 1h30m, 2d)", s)
	}
	n := make([]int, 3)
	for i, p := range parts[1:] {
		n[i], _ = strconv.Atoi(p) // the pattern only lets digits through; "" reads as 0
	}
	sp := span{days: n[0], clock: time.Duration(n[1])*time.Hour + time.Duration(n[2])*time.Minute}
	if sp.days == 0 && sp.clock == 0 {
		return span{}, fmt.Errorf("duration %q is zero", s)
	}
	return sp, nil
}

// counted converts the span to counted time, given the counted length of a day.
func (s span) counted(day time.Duration) time.Duration {
	return time.Duration(s.days)*day + s.clock
}
