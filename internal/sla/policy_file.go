package sla

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/guichet/guichet/internal/calendar"
)

// policyFile is policy.toml as written, before validation.
type policyFile struct {
	Hours struct {
		Timezone string   `toml:"timezone"`
		Days     []string `toml:"days"`
		Open     string   `toml:"open"`
		Close    string   `toml:"close"`
	} `toml:"hours"`
	Holidays struct {
		French *bool    `toml:"french"` // absent means true: the desk is in France
		Extra  []string `toml:"extra"`
	} `toml:"holidays"`
	Targets map[string]map[string]targetFile `toml:"targets"`
}

type targetFile struct {
	FirstResponse string `toml:"first_response"`
	Resolution    string `toml:"resolution"`
}

func parsePolicy(data, source string) (*Policy, error) {
	var f policyFile
	md, err := toml.Decode(data, &f)
	if err != nil {
		return nil, fmt.Errorf("sla policy %s: %w", source, err)
	}
	perr := &PolicyError{Source: source}
	for _, key := range md.Undecoded() {
		perr.add(key.String(), "unknown key")
	}
	p := &Policy{hours: f.hours(perr)}
	p.hours.Holidays = f.holidays(perr)
	p.targets = f.targets(p, perr)
	if len(perr.Problems) > 0 {
		return nil, perr
	}
	return p, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (f *policyFile) hours(perr *PolicyError) BusinessHours {
	h := BusinessHours{Location: calendar.Paris}
	if tz := f.Hours.Timezone; tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			perr.add("hours.timezone", "unknown time zone %q", tz)
		} else {
			h.Location = loc
		}
	}
	for _, name := range f.Hours.Days {
		day, ok := weekdays[name]
		if !ok {
			perr.add("hours.days", "unknown day %q (write mon, tue, … sun)", name)
			continue
		}
		h.Days[day] = true
	}
	if len(f.Hours.Days) == 0 {
		perr.add("hours.days", "missing: at least one working day")
	}
	h.Open = clockTime(f.Hours.Open, "hours.open", perr)
	h.Close = clockTime(f.Hours.Close, "hours.close", perr)
	if h.Open >= h.Close {
		perr.add("hours", "open %q must be before close %q", f.Hours.Open, f.Hours.Close)
	}
	return h
}

// clockTime reads "HH:MM", 00:00 to 24:00 (24:00 closes at midnight).
func clockTime(s, entry string, perr *PolicyError) time.Duration {
	if s == "24:00" {
		return 24 * time.Hour
	}
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		perr.add(entry, "malformed time %q (write HH:MM, e.g. 09:00)", s)
		return 0
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}

func (f *policyFile) holidays(perr *PolicyError) Holidays {
	h := Holidays{French: f.Holidays.French == nil || *f.Holidays.French}
	h.Extra = make(map[calendar.Date]bool, len(f.Holidays.Extra))
	for i, s := range f.Holidays.Extra {
		d, err := calendar.ParseDate(s)
		if err != nil {
			perr.add(fmt.Sprintf("holidays.extra[%d]", i), "malformed date %q (write YYYY-MM-DD)", s)
			continue
		}
		h.Extra[d] = true
	}
	return h
}

// targets checks the names in the file first, then that every targeted level × priority is there.
func (f *policyFile) targets(p *Policy, perr *PolicyError) map[Level]map[Priority]Target {
	for _, name := range slices.Sorted(maps.Keys(f.Targets)) {
		switch level := Level(name); {
		case level == Basic:
			perr.add("targets.basic", "Basic has no target: remove this entry")
		case !level.valid():
			perr.add("targets."+name, "unknown support level (write standard, business or premium)")
		}
		for _, prio := range slices.Sorted(maps.Keys(f.Targets[name])) {
			if !Priority(prio).valid() {
				perr.add("targets."+name+"."+prio, "unknown priority (write P1, P2, P3 or P4)")
			}
		}
	}
	all := make(map[Level]map[Priority]Target, len(targeted))
	for _, level := range targeted {
		all[level] = make(map[Priority]Target, len(priorities))
		for _, prio := range priorities {
			all[level][prio] = f.target(level, prio, p.Calendar(level, prio).Day(), perr)
		}
	}
	return all
}

func (f *policyFile) target(level Level, prio Priority, day time.Duration, perr *PolicyError) Target {
	entry := fmt.Sprintf("targets.%s.%s", level, prio)
	tf, ok := f.Targets[string(level)][string(prio)]
	if !ok {
		perr.add(entry, "missing target")
		return Target{}
	}
	t := Target{
		FirstResponse: countedTime(tf.FirstResponse, entry+".first_response", day, perr),
		Resolution:    countedTime(tf.Resolution, entry+".resolution", day, perr),
	}
	if t.FirstResponse > t.Resolution && t.Resolution > 0 {
		perr.add(entry, "first_response %q is longer than resolution %q", tf.FirstResponse, tf.Resolution)
	}
	return t
}

func countedTime(s, entry string, day time.Duration, perr *PolicyError) time.Duration {
	if s == "" {
		perr.add(entry, "missing")
		return 0
	}
	sp, err := parseSpan(s)
	if err != nil {
		perr.add(entry, "%v", err)
		return 0
	}
	return sp.counted(day)
}
