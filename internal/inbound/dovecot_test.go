package inbound_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/testutil"
)

// dovecot is a throwaway Dovecot IMAP server on 127.0.0.1 with one user and a maildir, for
// the length of one test. startDovecot starts it; it is stopped, and its directory removed,
// when the test ends.
type dovecot struct {
	t              *testing.T
	dir            string
	addr           string
	user, password string
	log            string
}

// dovecotBinary is the path of the dovecot program, "" when it is not installed.
func dovecotBinary() string {
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/dovecot"); err == nil {
		return "/usr/sbin/dovecot"
	}
	return ""
}

// startDovecot starts a Dovecot of its own: configuration, state, logs and mail in a
// temporary directory, IMAP without TLS on a free port of 127.0.0.1, plain-text login for the
// one user. It skips the test when Dovecot is not installed (fails under testutil.Strict).
func startDovecot(t *testing.T) *dovecot {
	t.Helper()
	bin := dovecotBinary()
	if bin == "" {
		if testutil.Strict() {
			t.Fatal("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
		}
		t.Skip("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("dovecot --version: %v", err)
	}
	version := strings.TrimSpace(string(out))

	// Not t.TempDir: Dovecot's unprivileged processes (dovenull, dovecot, the mail user)
	// must be able to go through the directories above their own.
	dir, err := os.MkdirTemp("", "guichet-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := &dovecot{t: t, dir: dir, user: "desk", password: "s3cret-pass", log: filepath.Join(dir, "dovecot.log")}
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(d.log); err == nil {
				t.Logf("dovecot log (%s):\n%s", version, b)
			}
		}
	})

	// As root, Dovecot runs its processes as its own users (the Debian package makes dovecot
	// and dovenull) and refuses to read mail as root: the mailbox belongs to nobody. Otherwise
	// everything runs as the current user.
	var internalUser, loginUser string
	var mailUser *user.User
	if os.Geteuid() == 0 {
		internalUser, loginUser = "dovecot", "dovenull"
		for _, name := range []string{internalUser, loginUser} {
			if _, err := user.Lookup(name); err != nil {
				t.Fatalf("dovecot runs as root and needs the system user %s (made by Debian's dovecot-core): %v", name, err)
			}
		}
		if mailUser, err = user.Lookup("nobody"); err != nil {
			t.Fatalf("the test mailbox belongs to nobody: %v", err)
		}
	} else {
		if mailUser, err = user.Current(); err != nil {
			t.Fatal(err)
		}
		internalUser, loginUser = mailUser.Username, mailUser.Username
	}
	internal, err := user.Lookup(internalUser)
	if err != nil {
		t.Fatal(err)
	}
	internalGroup, err := user.LookupGroupId(internal.Gid)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(mailUser.Uid)
	gid, _ := strconv.Atoi(mailUser.Gid)
	home := filepath.Join(dir, "home", d.user)
	for _, sub := range []string{filepath.Join(dir, "run"), filepath.Join(dir, "state"), home} {
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(home, uid, gid); err != nil {
		t.Fatal(err)
	}
	passwd := filepath.Join(dir, "passwd")
	line := fmt.Sprintf("%s:{PLAIN}%s:%d:%d::%s::\n", d.user, d.password, uid, gid, home)
	if err := os.WriteFile(passwd, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}

	conf := filepath.Join(dir, "dovecot.conf")
	for attempt := 1; ; attempt++ {
		port := dovecotFreePort(t)
		text := dovecotConfig(version, dir, passwd, internalUser, internalGroup.Name, loginUser, port, os.Geteuid() == 0)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		d.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		err := d.run(bin, conf)
		if err == nil {
			return d
		}
		if attempt == 3 { // the port may have been taken meanwhile: try another
			t.Fatalf("dovecot did not start: %v", err)
		}
	}
}

// dovecotConfig is a whole configuration, in the syntax of Dovecot 2.3 or of 2.4 and later.
func dovecotConfig(version, dir, passwd, internalUser, internalGroup, loginUser string, port int, root bool) string {
	var b strings.Builder
	v24 := !strings.HasPrefix(version, "2.3") && !strings.HasPrefix(version, "2.2")
	if v24 {
		b.WriteString("dovecot_config_version = 2.4.0\ndovecot_storage_version = 2.4.0\n")
	}
	fmt.Fprintf(&b, `base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = %[2]s
default_internal_group = %[3]s
default_login_user = %[4]s
first_valid_uid = 1
`, dir, internalUser, internalGroup, loginUser)
	if v24 {
		fmt.Fprintf(&b, `auth_allow_cleartext = yes
mail_driver = maildir
mail_path = ~/Maildir
namespace inbox {
  inbox = yes
}
passdb passwd-file {
  passwd_file_path = %[1]s
}
userdb passwd-file {
  passwd_file_path = %[1]s
}
`, passwd)
	} else {
		fmt.Fprintf(&b, `disable_plaintext_auth = no
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN %[1]s
}
userdb {
  driver = passwd-file
  args = %[1]s
}
`, passwd)
	}
	fmt.Fprintf(&b, `service imap-login {
  inet_listener imap {
    port = %d
  }
  inet_listener imaps {
    port = 0
  }
`, port)
	if !root {
		// No chroot without root.
		b.WriteString("  chroot =\n}\nservice anvil {\n  chroot =\n}\n")
	} else {
		b.WriteString("}\n")
	}
	return b.String()
}

func dovecotFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// run starts Dovecot in the foreground, in a process group of its own, and waits until it
// greets on d.addr. The test's cleanup stops the whole group.
func (d *dovecot) run(bin, conf string) error {
	cmd := exec.Command(bin, "-F", "-c", conf)
	cmd.Dir = d.dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		pid := cmd.Process.Pid
		syscall.Kill(-pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-pid, syscall.SIGKILL)
			<-exited
		}
		// Whatever the master left behind in its group.
		syscall.Kill(-pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("dovecot exited (%v): %s", err, stderr.String())
		default:
		}
		if conn, err := net.DialTimeout("tcp", d.addr, time.Second); err == nil {
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			greeting, _ := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if strings.HasPrefix(greeting, "* OK") {
				d.t.Cleanup(stop)
				return nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("dovecot does not answer on %s: %s", d.addr, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// config is the poller's configuration for this server's INBOX.
func (d *dovecot) config() config.IMAP {
	return config.IMAP{URL: "imap://" + d.addr, User: d.user, Password: d.password, Folder: "INBOX", Poll: time.Minute}
}

// client is a logged-in connection of the test's own; the caller closes it.
func (d *dovecot) client() *imapclient.Client {
	d.t.Helper()
	c, err := imapclient.DialInsecure(d.addr, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := c.Login(d.user, d.password).Wait(); err != nil {
		c.Close()
		d.t.Fatal(err)
	}
	return c
}

// append delivers a message to INBOX, as a mail server would, and returns its UID.
func (d *dovecot) append(raw []byte, flags ...imap.Flag) imap.UID {
	d.t.Helper()
	c := d.client()
	defer c.Close()
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write(raw); err != nil {
		d.t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		d.t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		d.t.Fatal(err)
	}
	return data.UID
}

// flags are the flags of a message of INBOX (nil when it is no longer there).
func (d *dovecot) flags(uid imap.UID) []imap.Flag {
	d.t.Helper()
	c := d.client()
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		d.t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		d.t.Fatal(err)
	}
	for _, m := range msgs {
		if m.UID == uid {
			return m.Flags
		}
	}
	return nil
}

// dovecotDone is the keyword the poller marks a message with.
const dovecotDone imap.Flag = "$GuichetDone"

// done says whether the poller marked a message of INBOX done.
func (d *dovecot) done(uid imap.UID) bool {
	d.t.Helper()
	return slices.Contains(d.flags(uid), dovecotDone)
}

// messages are the raw messages of a folder, in UID order.
func (d *dovecot) messages(folder string) [][]byte {
	d.t.Helper()
	c := d.client()
	defer c.Close()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		d.t.Fatal(err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		d.t.Fatal(err)
	}
	uids := found.AllUIDs()
	if len(uids) == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		d.t.Fatal(err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	var raws [][]byte
	for _, m := range msgs {
		raws = append(raws, m.FindBodySection(section))
	}
	return raws
}

// folder is name, a path with "/" between levels, with the server's hierarchy separator.
func (d *dovecot) folder(name string) string {
	d.t.Helper()
	c := d.client()
	defer c.Close()
	list, err := c.List("", "", nil).Collect()
	if err != nil || len(list) != 1 {
		d.t.Fatalf("LIST \"\" \"\": %v, %v", list, err)
	}
	if list[0].Delim == 0 {
		return name
	}
	return strings.ReplaceAll(name, "/", string(list[0].Delim))
}

// imapTestMessage is a small message with the Message-ID <id@example.com>.
func imapTestMessage(id string) []byte {
	return []byte("From: Ann <ann@example.com>\r\nTo: support@example.com\r\nSubject: about " + id +
		"\r\nDate: Mon, 02 Jan 2006 15:04:05 +0000\r\nMessage-ID: <" + id + "@example.com>\r\n\r\nHello, " + id + ".\r\n")
}

// imapRecorder stands for the real handler: it records what it is handed, writes one "reply"
// per Message-ID and answers Duplicate after that, as Handler.Handle does.
type imapRecorder struct {
	mu      sync.Mutex
	handed  [][]byte
	replies map[string]int
	// fail, when set, makes Handle fail (the database is away) for the message.
	fail func(id string) error
	// committed, when set, is called after the "commit".
	committed func(id string)
}

func (r *imapRecorder) handle(ctx context.Context, raw []byte, source inbound.Source) (inbound.Outcome, error) {
	r.mu.Lock()
	if source != inbound.SourceIMAP {
		r.mu.Unlock()
		return inbound.Outcome{}, fmt.Errorf("source %q", source)
	}
	r.handed = append(r.handed, raw)
	id := ""
	if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		id = m.Header.Get("Message-ID")
	}
	if r.fail != nil {
		if err := r.fail(id); err != nil {
			r.mu.Unlock()
			return inbound.Outcome{}, err
		}
	}
	if r.replies == nil {
		r.replies = map[string]int{}
	}
	dup := r.replies[id] > 0
	if !dup {
		r.replies[id]++
	}
	committed := r.committed
	r.mu.Unlock()
	if committed != nil {
		committed(id)
	}
	return inbound.Outcome{ID: 1, Status: inbound.Handled, Duplicate: dup}, nil
}

func (r *imapRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.handed)
}

func (r *imapRecorder) repliesTo(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.replies[id]
}

// imapFetches records what the poller tells Fetched.
type imapFetches struct {
	mu    sync.Mutex
	calls []imapFetch
}

type imapFetch struct {
	at      time.Time
	handled int
	err     error
}

func (f *imapFetches) fetched(ctx context.Context, at time.Time, handled int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, imapFetch{at, handled, err})
}

func (f *imapFetches) all() []imapFetch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// dovecotLog is a logger writing to the test's log.
func dovecotLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(dovecotLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type dovecotLogWriter struct{ t *testing.T }

func (w dovecotLogWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

func dovecotWait(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPollerDovecotHandsEachMessageOnceThenMarksIt(t *testing.T) {
	d := startDovecot(t)
	raws := [][]byte{imapTestMessage("one"), imapTestMessage("two"), imapTestMessage("three")}
	var uids []imap.UID
	for i, raw := range raws {
		var flags []imap.Flag
		if i == 1 {
			flags = []imap.Flag{imap.FlagSeen} // a human read it in the mailbox: still handed
		}
		uids = append(uids, d.append(raw, flags...))
	}
	rec := &imapRecorder{}
	var fetches imapFetches
	p := &inbound.Poller{Config: d.config(), Log: dovecotLog(t), Handle: rec.handle, Fetched: fetches.fetched}

	n, err := p.Once(t.Context())
	if err != nil || n != 3 {
		t.Fatalf("Once = %d, %v; want 3, nil", n, err)
	}
	if !slices.EqualFunc(rec.handed, raws, bytes.Equal) {
		t.Fatalf("handed %q, want %q", rec.handed, raws)
	}
	for _, uid := range uids {
		if f := d.flags(uid); !slices.Contains(f, dovecotDone) || !slices.Contains(f, imap.FlagSeen) {
			t.Errorf("UID %d has flags %v, want %s and \\Seen", uid, f, dovecotDone)
		}
	}
	if calls := fetches.all(); len(calls) != 1 || calls[0].handled != 3 || calls[0].err != nil || time.Since(calls[0].at) > time.Minute {
		t.Errorf("Fetched told %+v", calls)
	}

	n, err = p.Once(t.Context())
	if err != nil || n != 0 || rec.count() != 3 {
		t.Fatalf("second Once = %d, %v and %d handed in all; want 0, nil, 3", n, err, rec.count())
	}
	// A message that comes in afterwards is handed alone.
	late := d.append(imapTestMessage("four"))
	if n, err := p.Once(t.Context()); err != nil || n != 1 || rec.count() != 4 || !d.done(late) {
		t.Fatalf("third Once = %d, %v, %d handed in all, marked %v", n, err, rec.count(), d.done(late))
	}
}

func TestPollerDovecotHandleErrorLeavesTheMessage(t *testing.T) {
	d := startDovecot(t)
	okUID := d.append(imapTestMessage("fine"))
	failUID := d.append(imapTestMessage("unlucky"))
	okLater := d.append(imapTestMessage("after"))
	down := true
	rec := &imapRecorder{fail: func(id string) error {
		if down && id == "<unlucky@example.com>" {
			return errors.New("database unreachable")
		}
		return nil
	}}
	var fetches imapFetches
	p := &inbound.Poller{Config: d.config(), Log: dovecotLog(t), Handle: rec.handle, Fetched: fetches.fetched}

	n, err := p.Once(t.Context())
	if n != 2 || err == nil || !strings.Contains(err.Error(), "database unreachable") {
		t.Fatalf("Once = %d, %v; want 2 and the handler's error", n, err)
	}
	if !d.done(okUID) || d.done(failUID) || !d.done(okLater) {
		t.Fatalf("done: %v %v %v; want the failed one alone left", d.done(okUID), d.done(failUID), d.done(okLater))
	}
	if calls := fetches.all(); len(calls) != 1 || calls[0].handled != 2 || calls[0].err == nil {
		t.Errorf("Fetched told %+v", calls)
	}

	down = false
	n, err = p.Once(t.Context())
	if n != 1 || err != nil || !d.done(failUID) {
		t.Fatalf("second Once = %d, %v, marked %v; want the failed message handled and marked", n, err, d.done(failUID))
	}
	if rec.count() != 4 || !bytes.Equal(rec.handed[3], imapTestMessage("unlucky")) {
		t.Fatalf("handed %d messages, the last %q", rec.count(), rec.handed[rec.count()-1])
	}
}

// The poller stops after the handler's commit and before the mark (a crash): restarted, it
// hands the message again, the handler's dedup makes one reply, and the message is marked.
func TestPollerDovecotKilledBetweenCommitAndMark(t *testing.T) {
	d := startDovecot(t)
	uid := d.append(imapTestMessage("crash"))
	ctx, kill := context.WithCancel(t.Context())
	rec := &imapRecorder{committed: func(string) { kill() }}
	p := &inbound.Poller{Config: d.config(), Log: dovecotLog(t), Handle: rec.handle}
	p.Config.Poll = time.Hour

	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("Run = %v after its context ended; want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if rec.count() != 1 || rec.repliesTo("<crash@example.com>") != 1 || d.done(uid) {
		t.Fatalf("first run: %d handed, %d replies, marked %v; want 1, 1, unmarked", rec.count(), rec.repliesTo("<crash@example.com>"), d.done(uid))
	}

	rec.mu.Lock()
	rec.committed = nil
	rec.mu.Unlock()
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	go func() { ran <- p.Run(ctx) }()
	dovecotWait(t, 10*time.Second, "the message handed again and marked", func() bool { return rec.count() == 2 && d.done(uid) })
	stop()
	if err := <-ran; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if r := rec.repliesTo("<crash@example.com>"); r != 1 {
		t.Fatalf("%d replies, want 1", r)
	}
}

func TestPollerDovecotIdleWakesOnNewMail(t *testing.T) {
	d := startDovecot(t)
	c := d.client()
	caps := c.Caps()
	c.Close()
	if !caps.Has(imap.CapIdle) {
		t.Fatalf("dovecot offers no IDLE: %v", caps)
	}
	rec := &imapRecorder{}
	var fetches imapFetches
	p := &inbound.Poller{Config: d.config(), Log: dovecotLog(t), Handle: rec.handle, Fetched: fetches.fetched}
	p.Config.Poll = time.Hour // only IDLE can wake it
	ctx, stop := context.WithCancel(t.Context())
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()
	defer func() {
		stop()
		if err := <-ran; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()

	dovecotWait(t, 10*time.Second, "the first read", func() bool { return len(fetches.all()) == 1 })
	time.Sleep(200 * time.Millisecond) // idling by now
	for i, id := range []string{"idle-one", "idle-two"} {
		uid := d.append(imapTestMessage(id))
		start := time.Now()
		dovecotWait(t, 3*time.Second, id+" handed", func() bool { return rec.count() == i+1 })
		t.Logf("%s handed %v after its delivery", id, time.Since(start))
		dovecotWait(t, 3*time.Second, id+" marked", func() bool { return d.done(uid) })
	}
	for _, f := range fetches.all() {
		if f.err != nil {
			t.Errorf("Fetched told of %v", f.err)
		}
	}
}

func TestPollerDovecotWithoutKeywordsMovesToDoneFolder(t *testing.T) {
	d := startDovecot(t)
	raws := [][]byte{imapTestMessage("move-one"), imapTestMessage("move-two")}
	for _, raw := range raws {
		d.append(raw)
	}
	rec := &imapRecorder{}
	p := &inbound.Poller{Config: d.config(), Log: dovecotLog(t), Handle: rec.handle}
	inbound.PollerWithoutKeywords(p)
	n, err := p.Once(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("Once = %d, %v; want 2, nil", n, err)
	}
	if left := d.messages("INBOX"); len(left) != 0 {
		t.Fatalf("%d messages left in INBOX", len(left))
	}
	done := d.folder("Guichet/Done") // Guichet.Done with Dovecot's maildir
	if moved := d.messages(done); !slices.EqualFunc(moved, raws, bytes.Equal) {
		t.Fatalf("%s holds %q", done, moved)
	}
	late := imapTestMessage("move-three")
	d.append(late)
	if n, err := p.Once(t.Context()); err != nil || n != 1 || !bytes.Equal(rec.handed[2], late) {
		t.Fatalf("second Once = %d, %v (folder already there)", n, err)
	}
	if moved := d.messages(done); len(moved) != 3 {
		t.Fatalf("%s holds %d messages, want 3", done, len(moved))
	}
}

func TestPollerDovecotOversizedMessageHandedItsBeginning(t *testing.T) {
	d := startDovecot(t)
	defer inbound.SetIMAPMaxMessage(1000)()
	big := append(imapTestMessage("big"), bytes.Repeat([]byte("0123456789abcdef\r\n"), 200)...)
	uid := d.append(big)
	small := d.append(imapTestMessage("small"))
	rec := &imapRecorder{}
	p := &inbound.Poller{Config: d.config(), Log: dovecotLog(t), Handle: rec.handle}
	if n, err := p.Once(t.Context()); err != nil || n != 2 {
		t.Fatalf("Once = %d, %v", n, err)
	}
	if got := rec.handed[0]; !bytes.Equal(got, big[:1001]) {
		t.Fatalf("handed %d bytes of the big message, want its first 1001", len(got))
	}
	if !bytes.Equal(rec.handed[1], imapTestMessage("small")) || !d.done(uid) || !d.done(small) {
		t.Fatal("the small message not handed whole, or a message not marked")
	}
}

func TestPollerDovecotWrongPassword(t *testing.T) {
	d := startDovecot(t)
	d.append(imapTestMessage("never"))
	rec := &imapRecorder{}
	cfg := d.config()
	cfg.Password = "wrong"
	var fetches imapFetches
	p := &inbound.Poller{Config: cfg, Log: dovecotLog(t), Handle: rec.handle, Fetched: fetches.fetched}
	n, err := p.Once(t.Context())
	if n != 0 || err == nil || !strings.Contains(err.Error(), `log in to `+d.addr+` as "desk"`) || !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") {
		t.Fatalf("Once = %d, %v; want a login error", n, err)
	}
	if calls := fetches.all(); len(calls) != 1 || calls[0].err == nil {
		t.Fatalf("Fetched told %+v", calls)
	}
	// (Not d.done: after a failed login, Dovecot makes the next one from this address wait.)
	if rec.count() != 0 {
		t.Fatal("a message was handed")
	}
}

// Away from loopback, imap:// without STARTTLS is refused rather than sending the password
// in the clear. (Dovecot here has no TLS; the host is taken for a remote one.)
func TestPollerDovecotPlainTextRefusedAwayFromLoopback(t *testing.T) {
	d := startDovecot(t)
	err := inbound.DialIMAPAsRemote(t.Context(), d.config())
	if err == nil {
		t.Fatal("plain text accepted to a remote host")
	}
	if !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("error %v does not name STARTTLS", err)
	}

	// imaps:// to a server that speaks no TLS fails clearly too.
	cfg := d.config()
	cfg.URL = "imaps://" + d.addr
	if _, err := (&inbound.Poller{Config: cfg, Handle: (&imapRecorder{}).handle}).Once(t.Context()); err == nil || !strings.Contains(err.Error(), "(TLS)") {
		t.Fatalf("imaps:// to a plain server: %v", err)
	}
}

// Nothing listens: Once says so, and Run keeps trying, waiting longer each time, and tells
// Fetched of each failure.
func TestPollerUnreachable(t *testing.T) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(dovecotFreePort(t)))
	var fetches imapFetches
	p := &inbound.Poller{
		Config:  config.IMAP{URL: "imap://" + addr, User: "desk", Password: "x", Poll: time.Second},
		Handle:  (&imapRecorder{}).handle,
		Log:     dovecotLog(t),
		Fetched: fetches.fetched,
	}
	n, err := p.Once(t.Context())
	if n != 0 || err == nil || !strings.Contains(err.Error(), "connect to "+addr) {
		t.Fatalf("Once = %d, %v; want a connection error", n, err)
	}

	fetches = imapFetches{}
	ctx, stop := context.WithTimeout(t.Context(), 3500*time.Millisecond)
	defer stop()
	start := time.Now()
	if err := p.Run(ctx); err != nil {
		t.Fatalf("Run = %v when its context ended; want nil", err)
	}
	if d := time.Since(start); d < 3*time.Second || d > 6*time.Second {
		t.Fatalf("Run returned after %v", d)
	}
	// Attempts at 0 s, 1 s and 3 s (waits of 1 s, then 2 s): three, not a busy loop.
	calls := fetches.all()
	if len(calls) < 2 || len(calls) > 4 {
		t.Fatalf("Fetched told %d times in 3.5 s: %+v", len(calls), calls)
	}
	for _, c := range calls {
		if c.err == nil || c.handled != 0 {
			t.Fatalf("Fetched told %+v", c)
		}
	}
	if gap := calls[len(calls)-1].at.Sub(calls[len(calls)-2].at); len(calls) == 3 && gap < 1500*time.Millisecond {
		t.Errorf("the wait did not grow: %v between the last two attempts", gap)
	}
}
