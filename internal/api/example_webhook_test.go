package api_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The webhook receiver that README.md shows (section "API", "A webhook receiver"), compiled
// and tested here: TestREADMEWebhookReceiverIsTheTestedOne checks that README.md shows this
// very code. Change both together.

// receiver: begin

// verifyGuichetSignature checks a Guichet-Signature header,
// t=<unix seconds>,v1=<hex of HMAC-SHA256(secret, "<t>.<body>")>: signed with the secret,
// over this very body, less than five minutes from now.
func verifyGuichetSignature(secret []byte, header string, body []byte, now time.Time) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// guichetWebhooks answers Guichet's deliveries. A 2xx tells Guichet the event is handled;
// anything else makes it deliver the event again later, with the same Guichet-Event-Id.
func guichetWebhooks(secret []byte, handle func(event, id string, body []byte) error) http.Handler {
	var seen sync.Map // event ids handled: keep them in your database for a day or more
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if !verifyGuichetSignature(secret, r.Header.Get("Guichet-Signature"), body, time.Now()) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := r.Header.Get("Guichet-Event-Id")
		if id == "" {
			http.Error(w, "no event id", http.StatusBadRequest)
			return
		}
		if _, dup := seen.LoadOrStore(id, true); dup {
			w.WriteHeader(http.StatusOK) // delivered again: handled already
			return
		}
		if err := handle(r.Header.Get("Guichet-Event"), id, body); err != nil {
			seen.Delete(id) // not handled: the next delivery runs it again
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// receiver: end

// signAsGuichet is the sender's side, written from the format rather than from verifyGuichetSignature: the signature
// of body at t with secret.
func signAsGuichet(secret string, t time.Time, body string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, ts+"."+body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// TestWebhookReceiverExample: the README's receiver accepts a delivery signed the documented
// way, once per event id, and refuses a tampered body, an old or future timestamp, a wrong
// secret and a missing signature.
func TestWebhookReceiverExample(t *testing.T) {
	const secret = "whsec_0123456789abcdef"
	type call struct{ event, id, body string }
	var (
		mu    sync.Mutex
		calls []call
		fail  bool
	)
	handled := func() []call {
		mu.Lock()
		defer mu.Unlock()
		return append([]call(nil), calls...)
	}
	failing := func(f bool) {
		mu.Lock()
		defer mu.Unlock()
		fail = f
	}
	srv := httptest.NewServer(guichetWebhooks([]byte(secret), func(event, id string, body []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("database down")
		}
		calls = append(calls, call{event, id, string(body)})
		return nil
	}))
	defer srv.Close()
	deliver := func(id, signature, body string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Guichet-Event", "incident.declared")
		if id != "" {
			req.Header.Set("Guichet-Event-Id", id)
		}
		if signature != "" {
			req.Header.Set("Guichet-Signature", signature)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	body := `{"type":"incident.declared","data":{"number":"INC0000001","tenant":"OCB0000001"}}`
	now := time.Now()

	if got := deliver("evt_1", signAsGuichet(secret, now, body), body); got != http.StatusNoContent {
		t.Fatalf("a well signed delivery: %d", got)
	}
	if c := handled(); len(c) != 1 || c[0] != (call{"incident.declared", "evt_1", body}) {
		t.Fatalf("handled %+v", c)
	}
	// Delivered again (at least once): acknowledged, not handled twice.
	if got := deliver("evt_1", signAsGuichet(secret, now.Add(time.Second), body), body); got != http.StatusOK || len(handled()) != 1 {
		t.Errorf("a second delivery of evt_1: %d, handled %d times", got, len(handled()))
	}
	for _, tc := range []struct {
		what, signature, body string
	}{
		{"a tampered body", signAsGuichet(secret, now, body), strings.Replace(body, "INC0000001", "INC0000002", 1)},
		{"a timestamp six minutes old", signAsGuichet(secret, now.Add(-6*time.Minute), body), body},
		{"a timestamp six minutes ahead", signAsGuichet(secret, now.Add(6*time.Minute), body), body},
		{"a wrong secret", signAsGuichet("whsec_another", now, body), body},
		{"a timestamp changed after signing", strings.Replace(signAsGuichet(secret, now, body),
			"t="+strconv.FormatInt(now.Unix(), 10), "t="+strconv.FormatInt(now.Unix()+1, 10), 1), body},
		{"no signature", "", body},
		{"a signature without a timestamp", "v1=" + strings.SplitN(signAsGuichet(secret, now, body), "v1=", 2)[1], body},
		{"a signature that is not hex", "t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=zz", body},
	} {
		if got := deliver("evt_2", tc.signature, tc.body); got != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", tc.what, got)
		}
	}
	if c := handled(); len(c) != 1 {
		t.Errorf("refused deliveries were handled: %+v", c)
	}
	// Within five minutes either way, and with a second signature beside (a secret being
	// changed), it is accepted.
	rotated := signAsGuichet(secret, now.Add(-4*time.Minute), body) + ",v1=" + strings.Repeat("ab", 32)
	if got := deliver("evt_3", rotated, body); got != http.StatusNoContent {
		t.Errorf("four minutes old, with two signatures: %d", got)
	}
	if got := deliver("", signAsGuichet(secret, now, body), body); got != http.StatusBadRequest {
		t.Errorf("no event id: %d", got)
	}
	// A failure to handle is not remembered: the next delivery runs it.
	failing(true)
	if got := deliver("evt_4", signAsGuichet(secret, now, body), body); got != http.StatusServiceUnavailable {
		t.Errorf("handler failing: %d", got)
	}
	failing(false)
	if got := deliver("evt_4", signAsGuichet(secret, now, body), body); got != http.StatusNoContent || len(handled()) != 3 {
		t.Errorf("after a failure, delivered again: %d, handled %+v", got, handled())
	}
}

// readmeReceiver is README.md's Go example of a receiver.
func readmeReceiver(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "\n## API\n")
	if i < 0 {
		t.Fatal("README.md has no API section")
	}
	s = s[i:]
	start := strings.Index(s, "```go\n")
	if start < 0 {
		t.Fatal("README.md's API section has no Go example")
	}
	s = s[start+len("```go\n"):]
	end := strings.Index(s, "```")
	if end < 0 {
		t.Fatal("README.md's Go example does not end")
	}
	return s[:end]
}

// TestREADMEWebhookReceiverIsTheTestedOne: README.md shows the receiver tested above, word for
// word, in a program that passes go vet (which type-checks it).
func TestREADMEWebhookReceiverIsTheTestedOne(t *testing.T) {
	self, err := os.ReadFile("example_webhook_test.go")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "// receiver: begin\n", "// receiver: end\n"
	src := string(self)
	i, j := strings.Index(src, begin), strings.Index(src, end)
	if i < 0 || j < i {
		t.Fatal("the receiver's markers are missing")
	}
	code := strings.TrimSpace(src[i+len(begin) : j])
	program := readmeReceiver(t)
	if !strings.Contains(program, code) {
		t.Fatalf("README.md does not show the tested receiver: copy the code between %q and %q of this file into README.md's Go example", strings.TrimSpace(begin), strings.TrimSpace(end))
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		if _, serr := os.Stat(goCmd); serr != nil {
			t.Skip("no go command to build README.md's example with")
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module receiver\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goCmd, "vet", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("README.md's Go example does not pass go vet: %v\n%s", err, out.String())
	}
}
