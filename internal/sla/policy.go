package sla

import (
	_ "embed"
	"fmt"
	"os"
	"strings"
	"time"
)

//go:embed policy.toml
var defaultPolicy string

// Policy is the loaded, validated SLA policy: targets per level and priority, and the business
// hours they are counted in.
type Policy struct {
	hours   BusinessHours
	targets map[Level]map[Priority]Target
}

// Target is what a level owes at a priority, in counted time of its calendar.
type Target struct {
	FirstResponse time.Duration
	Resolution    time.Duration
}

// LoadPolicy reads the policy file at path, or the embedded default when path is empty. A file
// replaces the default as a whole: a partial merge would hide a forgotten entry.
func LoadPolicy(path string) (*Policy, error) {
	if path == "" {
		return parsePolicy(defaultPolicy, "(default)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sla policy: %w", err)
	}
	return parsePolicy(string(data), path)
}

// Target returns the target of level at priority; ok is false for Basic, which has none.
func (p *Policy) Target(level Level, priority Priority) (t Target, ok bool) {
	t, ok = p.targets[level][priority]
	return t, ok
}

// Calendar returns the calendar targets of level at priority are counted in, or nil for Basic.
// The split is the contract's (DESIGN.md): it is not a setting, so it is not in the file.
func (p *Policy) Calendar(level Level, priority Priority) Calendar {
	switch {
	case level == Premium, level == Business && (priority == P1 || priority == P2):
		return TwentyFourSeven{}
	case level == Standard, level == Business:
		return p.hours
	}
	return nil
}

// PolicyError lists every problem of a policy file, each naming its entry, so that one start-up
// shows them all.
type PolicyError struct {
	Source   string
	Problems []string
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("sla policy %s: %s", e.Source, strings.Join(e.Problems, "; "))
}

func (e *PolicyError) add(entry, format string, args ...any) {
	e.Problems = append(e.Problems, entry+": "+fmt.Sprintf(format, args...))
}
