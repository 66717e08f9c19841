package inbound

import (
	"strings"

	"github.com/emersion/go-message/mail"
)

// Why a message is automated mail, as message keys.
const (
	ReasonAutoSubmitted = "inbound.ignored.auto_submitted"
	ReasonBulk          = "inbound.ignored.bulk"
	ReasonBounce        = "inbound.ignored.bounce"
	ReasonList          = "inbound.ignored.list"
	ReasonOwnAddress    = "inbound.ignored.own_address"
	ReasonAutoreply     = "inbound.ignored.autoreply"
)

// Automated says why a message is automated mail that must never be answered or turned into
// a ticket, "" when it is not. It reads p's header (p.Header) and From; raw is only parsed
// when p is nil. own are the desk's own addresses (its From and support address), compared
// in any case; plus addresses of them (support+x@) count as own.
//
// The signs, first match wins:
//   - own_address: From is one of own;
//   - bounce: multipart/report of delivery-status, X-Failed-Recipients, From MAILER-DAEMON
//     or postmaster (any case) — before autoreply, as MTAs mark bounces auto-replied too;
//   - autoreply: Auto-Submitted: auto-replied, X-Autoreply or X-Autorespond, Precedence:
//     auto_reply, or a subject starting like an out-of-office notice ("Automatic reply:",
//     "Réponse automatique :", "Out of Office:", "Absence du bureau :");
//   - bounce: an empty Return-Path (<>) otherwise;
//   - auto_submitted: Auto-Submitted anything but "no", other multipart/report (read
//     receipts, feedback reports);
//   - list: List-Id, List-Unsubscribe, Precedence: list;
//   - bulk: Precedence: bulk or junk.
//
// X-Auto-Response-Suppress is not a sign: the desk's own mail sets it, so replies quoting its
// header habits must not be ignored. Neither is a "noreply"-like sender, which is not certain.
func Automated(raw []byte, p *Parsed, own []string) string {
	if p == nil {
		var err error
		if p, err = Parse(raw); err != nil {
			return ""
		}
	}
	h := &p.Header
	autoSubmitted := headerToken(h.Get("Auto-Submitted"))
	precedence := headerToken(h.Get("Precedence"))
	reportType := ""
	if t, params, _ := parseMediaParams(h.Get("Content-Type")); t == "multipart/report" {
		reportType = strings.ToLower(params["report-type"])
		if reportType == "" {
			reportType = "delivery-status"
		}
	}
	switch {
	case p.From != nil && isOwnAddress(p.From.Address, own):
		return ReasonOwnAddress
	case reportType == "delivery-status", h.Has("X-Failed-Recipients"), isDaemon(p.From):
		return ReasonBounce
	case autoSubmitted == "auto-replied", isYes(h.Get("X-Autoreply")), isYes(h.Get("X-Autorespond")),
		precedence == "auto_reply", isAutoReplySubject(p.Subject):
		return ReasonAutoreply
	case h.Has("Return-Path") && strings.Trim(h.Get("Return-Path"), "<> \t") == "":
		return ReasonBounce
	case autoSubmitted != "" && autoSubmitted != "no", reportType != "":
		return ReasonAutoSubmitted
	case h.Has("List-Id"), h.Has("List-Unsubscribe"), precedence == "list":
		return ReasonList
	case precedence == "bulk", precedence == "junk":
		return ReasonBulk
	}
	return ""
}

// headerToken is a header's value before any parameter or comment, lower-cased.
func headerToken(v string) string {
	v, _, _ = strings.Cut(v, ";")
	v, _, _ = strings.Cut(v, "(")
	return strings.ToLower(strings.TrimSpace(v))
}

// isYes says whether an X-Autoreply-like header is set: present and not "no"/"false"/"0".
func isYes(v string) bool {
	switch headerToken(v) {
	case "", "no", "false", "0":
		return false
	}
	return true
}

// autoReplySubjects start the subjects of out-of-office notices (Outlook, Exchange, Gmail).
var autoReplySubjects = []string{"automatic reply:", "auto reply:", "auto-reply:", "autoreply:",
	"out of office:", "out of office reply:", "réponse automatique :", "réponse automatique:",
	"absence du bureau :", "absence du bureau:"}

func isAutoReplySubject(s string) bool {
	s = strings.ToLower(normSpaces(s))
	for _, prefix := range autoReplySubjects {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// isDaemon says whether a From is a mail system: MAILER-DAEMON or postmaster, any case.
func isDaemon(a *mail.Address) bool {
	if a == nil {
		return false
	}
	local, _, _ := strings.Cut(strings.ToLower(a.Address), "@")
	return local == "mailer-daemon" || local == "postmaster"
}

// isOwnAddress says whether addr is one of own, or a plus address of one (support+x@).
func isOwnAddress(addr string, own []string) bool {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	if !ok {
		return false
	}
	for _, o := range own {
		if a, err := mail.ParseAddress(o); err == nil {
			o = a.Address
		}
		ol, od, ok := strings.Cut(strings.ToLower(strings.TrimSpace(o)), "@")
		if !ok || ol == "" || od != domain {
			continue
		}
		if local == ol || strings.HasPrefix(local, ol+"+") {
			return true
		}
	}
	return false
}
