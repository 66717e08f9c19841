package sla

// State is where a target stands. Its value is what the API returns.
type State string

// The states of a target.
const (
	None     State = "none"     // no target applies: Basic level, or a cancelled incident
	Running  State = "running"  // the clock runs, under 80 % of the target
	AtRisk   State = "at_risk"  // the clock runs, at 80 % of the target or more
	Breached State = "breached" // 100 % of the target is used (and stays so once it happened)
	Met      State = "met"      // answered or resolved before the target
	Paused   State = "paused"   // waiting on the customer, under the target
)

var states = []State{None, Running, AtRisk, Breached, Met, Paused}

// Key is the translation key of the state's label.
func (s State) Key() string { return "sla.state." + string(s) }

// Keys returns every translation key the package uses, so a catalogue test can check them.
func Keys() []string {
	keys := []string{
		"sla.first_response", "sla.resolution",
		TwentyFourSeven{}.Key(), BusinessHours{}.Key(),
		// Within a sentence ("counted in business hours"): Key + "_in_text".
		TwentyFourSeven{}.Key() + "_in_text", BusinessHours{}.Key() + "_in_text",
	}
	for _, s := range states {
		keys = append(keys, s.Key())
	}
	return keys
}
