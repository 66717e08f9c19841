// Package sla owns the service-level targets of incidents: the policy, the calendars that count time, and the state computed from a timeline.
package sla
