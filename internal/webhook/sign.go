package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	HeaderEvent     = "Guichet-Event"
	HeaderEventID   = "Guichet-Event-Id"
	HeaderSignature = "Guichet-Signature"
)

// SecretPrefix starts every endpoint's secret, so that people and secret scanners recognize one.
const SecretPrefix = "whsec_"

// newSecret returns a new random secret.
func newSecret() string { return SecretPrefix + randomHex(24) }

// newEventID returns a new event id, the same in every delivery of the event, for receivers to
// set aside what they already had.
func newEventID() string { return "evt_" + randomHex(12) }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// Sign returns the Guichet-Signature header of body sent at t with secret:
// t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix seconds>.<body>">.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify is what a receiver does with a delivery: it checks the Guichet-Signature header of
// body against secret, and that its time is within tolerance of now (a replayed old delivery
// is refused). Any v1 signature in the header may match (several appear while a secret is
// being rotated by a receiver that knows both).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}
