package inbound

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

type wantAttachment struct {
	name, contentType string
	size              int
	prefix            string
}

type wantParsed struct {
	file        string
	messageID   string
	from        string // address; "" when From must be nil
	fromName    string
	subject     string
	recipients  []string
	inReplyTo   []string
	references  []string
	date        string // RFC 3339; "" for the zero time
	text        []string
	notText     []string
	reply       string
	problems    []string // each a substring of one problem; nil means no problem at all
	attachments []wantAttachment
}

func TestParseTestdata(t *testing.T) {
	tests := []wantParsed{{
		file:       "outlook_fr_reply.eml",
		messageID:  "PR3P193MB0875A1B2C3D4E5F6@PR3P193MB0875.EURP193.PROD.OUTLOOK.COM",
		from:       "marie.dupont@client.example",
		fromName:   "Marie Dupont",
		subject:    "RE : [INC0000042] Impossible d'accéder à la messagerie",
		recipients: []string{"reply+inc42@guichet.example"},
		inReplyTo:  []string{"20261130091200.42.abcdef@guichet.example"},
		references: []string{"20261130091200.42.abcdef@guichet.example"},
		date:       "2026-11-30T10:02:10Z",
		text:       []string{"Envoyé : lundi 30 novembre 2026 10:12", "Guichet – Centre de services"},
		notText:    []string{"<p", "MsoNormal"},
		reply: "Bonjour,\n\nC’est résolu depuis ce matin, merci pour votre aide … vous pouvez clôturer le ticket.\n\n" +
			"Cordialement,\n\nMarie Dupont\nService informatique – Client SA\nTél. : 01 23 45 67 89",
	}, {
		file:      "outlook_en_reply.eml",
		messageID: "AM9PR08MB6785C3A1E0F4B2D7@AM9PR08MB6785.eurprd08.prod.outlook.com",
		from:      "John.Smith@acme.example",
		fromName:  "Smith, John",
		subject:   "Re: [INC0000043] Printer offline",
		recipients: []string{"reply+inc43@guichet.example", "jane.roe@acme.example", "john.smith@acme.example",
			"support@guichet.example"},
		inReplyTo:  []string{"20261130091500.43.bbbbbb@guichet.example"},
		references: []string{"20261130091200.43.aaaaaa@guichet.example", "20261130091500.43.bbbbbb@guichet.example"},
		date:       "2026-11-30T10:19:55Z",
		text:       []string{"________________________________\nFrom: Guichet <support@guichet.example>\nSent: Monday"},
		notText:    []string{"\r"},
		reply:      "Hi,\n\nThe printer on the 3rd floor works again – thanks for the quick fix!\n\nBest regards,\nJohn Smith\nIT Coordinator, Acme Corp",
	}, {
		file:      "outlook_original_message.eml",
		messageID: "000001d9a1b2$c3d4e5f6$a7b8c9d0$@mairie-exemple.fr",
		from:      "p.martin@mairie-exemple.fr",
		fromName:  "Paul Martin",
		subject:   "RE: [INC0000044] Écran noir",
		inReplyTo: []string{"20261130091200.44.cccccc@guichet.example"},
		date:      "2026-11-30T11:30:00+01:00",
		// ISO-8859-1 is read as windows-1252: the 0x92 quote survives.
		text:  []string{"-----Original Message-----", "Pouvez-vous redémarrer le poste ?"},
		reply: "Bonjour,\n\nLe problème persiste : l’écran reste noir après la mise à jour.\n\nMerci d'avance,\nPaul Martin",
	}, {
		file:      "gmail_fr_reply.eml",
		messageID: "CAFx8Qz1mW=bq9sD6Zk0aXyZ+3pQ@mail.gmail.com",
		from:      "marie.dupont@gmail.example",
		subject:   "Re: [INC0000042] Impossible d'accéder à la messagerie",
		date:      "2026-11-30T10:31:07+01:00",
		text:      []string{"Guichet <support@guichet.example> a\nécrit :\n\n> Bonjour Marie,"},
		notText:   []string{"gmail_quote", "<div"}, // text/plain is preferred to HTML
		reply:     "Merci, c'est bon pour moi.",
	}, {
		file:    "gmail_en_reply.eml",
		from:    "jsmith.acme@gmail.example",
		subject: "Re: [INC0000043] Printer offline",
		date:    "2026-11-30T09:45:12-05:00",
		text:    []string{"--\nJohn Smith\nAcme Corp\n\nOn Mon, Nov 30, 2026 at 10:12 AM Guichet"},
		reply:   `Still offline here, I'm afraid. The display says "Error 49.4C02".`,
	}, {
		file:    "thunderbird_fr_reply.eml",
		from:    "marie.dupont@client.example",
		subject: "Re: [INC0000042] Impossible d'accéder à la messagerie",
		// format=flowed lines are joined, quoted ones too.
		text: []string{"Le 30/11/2026 à 10:12, Guichet a écrit :\n> Bonjour Marie,",
			"> Nous avons réinitialisé votre mot de passe. Pouvez-vous réessayer ?"},
		reply: "Bonjour,\n\nJ'ai réessayé avec le nouveau mot de passe mais la messagerie refuse toujours la connexion " +
			"depuis le poste du bureau ; depuis mon téléphone cela fonctionne.",
	}, {
		file:    "apple_mail_fr_reply.eml",
		from:    "marie.dupont@icloud.example",
		subject: "Rép. : [INC0000045] Application mobile",
		text:    []string{"Envoyé de mon iPhone\n\n> Le 30 nov. 2026 à 10:12, Guichet <support@guichet.example> a écrit :"},
		notText: []string{"\ufeff"},
		reply:   "Toujours pas, l’application se ferme au démarrage.",
	}, {
		file:       "new_incident_latin1.eml",
		messageID:  "87h6abc123.fsf@mairie-exemple.fr",
		from:       "F.Leger@Mairie-Exemple.fr",
		fromName:   "François Léger",
		subject:    "Imprimante en panne au 2e étage",
		recipients: []string{"support@guichet.example"},
		text:       []string{"-- \nFrançois Léger"},
		reply: "Bonjour,\n\nDepuis ce matin l'imprimante du 2e étage affiche « Bourrage papier » alors qu'il n'y a\n" +
			"pas de papier coincé. Le numéro d'inventaire est IMP-0207.\n\nMerci,",
	}, {
		file:     "unknown_charset.eml",
		from:     "marie.dupont@client.example",
		subject:  "Test",
		reply:    "Bonjour, voilà le détail : l'écran clignote.",
		problems: []string{`unknown charset "x-unknown"`},
	}, {
		file:    "html_only.eml",
		from:    "marie.dupont@client.example",
		subject: "Re: [INC0000046] Portail",
		text:    []string{"> Pouvez-vous préciser le poste ?"},
		notText: []string{"Titre secret", "alert", "color", "injecté", "encore", "commentaire", "&amp;", "&#39;", "<p>"},
		reply: "Bonjour l'équipe,\n\n" +
			"Le lien documentation (https://portal.client.example/doc?id=1&lang=fr) ne marche pas & je ne peux pas <me connecter>. " +
			"Voir aussi https://status.client.example/.\n\n- Poste : PC-042\n- Navigateur : Firefox 132\n\nMerci\nMarie",
	}, {
		file:    "attachments.eml",
		from:    "marie.dupont@client.example",
		subject: "Facture et capture",
		reply:   "Voici la facture et une capture d'écran.",
		notText: []string{"This is a multi-part message", "iVBOR", "cid:"},
		attachments: []wantAttachment{
			{"logo.png", "image/png", 70, "\x89PNG\r\n\x1a\n"},
			{"facture_décembre.pdf", "application/pdf", 142, "%PDF-1.4\n"},
			{"setup.exe", "application/octet-stream", 64, "MZ\x90\x00"},
			// Attachments keep their bytes: no charset conversion.
			{"relevé.txt", "text/plain", 27, "relev\xe9 de compteur : 1234\r\n"},
		},
	}, {
		file:      "dsn.eml",
		messageID: "20261130090500.1A2B3C4D5E@mx.client.example",
		from:      "MAILER-DAEMON@mx.client.example",
		fromName:  "Mail Delivery System",
		subject:   "Undelivered Mail Returned to Sender",
		text:      []string{"550 5.1.1\n    User unknown"},
		notText:   []string{"Reporting-MTA", "Final-Recipient", "Message-ID: <2026"}, // report and headers parts are not the body
	}, {
		file:    "autoreply.eml",
		from:    "p.martin@mairie-exemple.fr",
		subject: "Réponse automatique : [INC0000044] Écran noir",
		reply:   "Je suis absent jusqu'au 7 décembre. En cas d'urgence, contactez le secrétariat.",
	}, {
		file:  "bulk.eml",
		from:  "news@vendor.example",
		reply: "Découvrez nos offres.",
	}, {
		file:       "list.eml",
		from:       "jane.roe@acme.example",
		recipients: []string{"it-list@googlegroups.example", "support@guichet.example"},
		reply:      "Quelqu'un a des soucis avec le VPN ce matin ?",
	}, {
		file:      "no_message_id.eml",
		messageID: "",
		from:      "scanner@client.example",
		subject:   "Scan",
		reply:     "Document scanné.",
	}, {
		file:      "empty_body.eml",
		messageID: "empty-1@client.example",
		from:      "marie.dupont@client.example",
		inReplyTo: []string{"20261130091200.42.abcdef@guichet.example"},
		reply:     "",
	}, {
		file:       "malformed_headers.eml",
		messageID:  "20261130-marie@client.example", // no angle brackets
		from:       "marie.dupont@client.example",   // "Dupont, Marie <…>" unquoted
		fromName:   "Dupont, Marie",
		subject:    "Problème urgent", // raw Latin-1 byte in the header
		recipients: []string{"support@guichet.example"},
		inReplyTo:  []string{"20261130091200.42.abcdef@guichet.example"}, // no closing bracket
		date:       "",
		// Body labelled UTF-8 but written in Latin-1.
		reply: "Le serveur ne répond plus.",
		problems: []string{
			`malformed header line dropped: "ceci n'est pas un en-tête"`,
			`malformed header line dropped: "Bad Header Key: value"`,
			"malformed From header, read as marie.dupont@client.example",
			`unreadable Date "lundi 30 novembre 2026"`,
			"malformed Content-Type parameters",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := Parse(readTestdata(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkParsed(t, p, tt)
		})
	}
}

func checkParsed(t *testing.T, p *Parsed, w wantParsed) {
	t.Helper()
	if w.messageID != "" || w.file == "no_message_id.eml" {
		if p.MessageID != w.messageID {
			t.Errorf("MessageID = %q, want %q", p.MessageID, w.messageID)
		}
	}
	switch {
	case w.from == "" && p.From != nil:
		t.Errorf("From = %v, want nil", p.From)
	case w.from != "" && (p.From == nil || p.From.Address != w.from):
		t.Errorf("From = %v, want %s", p.From, w.from)
	case w.fromName != "" && p.From.Name != w.fromName:
		t.Errorf("From.Name = %q, want %q", p.From.Name, w.fromName)
	}
	if w.subject != "" && p.Subject != w.subject {
		t.Errorf("Subject = %q, want %q", p.Subject, w.subject)
	}
	if w.recipients != nil && !slices.Equal(p.Recipients, w.recipients) {
		t.Errorf("Recipients = %q, want %q", p.Recipients, w.recipients)
	}
	if w.inReplyTo != nil && !slices.Equal(p.InReplyTo, w.inReplyTo) {
		t.Errorf("InReplyTo = %q, want %q", p.InReplyTo, w.inReplyTo)
	}
	if w.references != nil && !slices.Equal(p.References, w.references) {
		t.Errorf("References = %q, want %q", p.References, w.references)
	}
	if w.date != "" {
		want, _ := time.Parse(time.RFC3339, w.date)
		if !p.Date.Equal(want) {
			t.Errorf("Date = %v, want %v", p.Date, want)
		}
	} else if w.file == "malformed_headers.eml" && !p.Date.IsZero() {
		t.Errorf("Date = %v, want zero", p.Date)
	}
	for _, s := range w.text {
		if !strings.Contains(p.Text, s) {
			t.Errorf("Text does not contain %q:\n%s", s, p.Text)
		}
	}
	for _, s := range w.notText {
		if strings.Contains(p.Text, s) {
			t.Errorf("Text contains %q:\n%s", s, p.Text)
		}
	}
	if w.file != "dsn.eml" && p.Reply != w.reply {
		t.Errorf("Reply =\n%q\nwant\n%q", p.Reply, w.reply)
	}
	if w.problems == nil && len(p.Problems) > 0 {
		t.Errorf("Problems = %q, want none", p.Problems)
	}
	for _, s := range w.problems {
		if !slices.ContainsFunc(p.Problems, func(q string) bool { return strings.Contains(q, s) }) {
			t.Errorf("Problems = %q, want one containing %q", p.Problems, s)
		}
	}
	if len(p.Attachments) != len(w.attachments) {
		t.Fatalf("%d attachments, want %d: %+v", len(p.Attachments), len(w.attachments), p.Attachments)
	}
	for i, a := range p.Attachments {
		wa := w.attachments[i]
		if a.Name != wa.name || a.ContentType != wa.contentType || len(a.Data) != wa.size || !bytes.HasPrefix(a.Data, []byte(wa.prefix)) {
			t.Errorf("attachment %d = %q %q %d bytes %q…, want %q %q %d %q…", i, a.Name, a.ContentType, len(a.Data),
				a.Data[:min(len(a.Data), 12)], wa.name, wa.contentType, wa.size, wa.prefix)
		}
	}
	checkClean(t, p)
}

// checkClean checks the invariants of any Parsed: valid UTF-8, no control characters but
// \n and \t in the texts, one-line subject and names, ids without brackets or spaces.
func checkClean(t testing.TB, p *Parsed) {
	t.Helper()
	for name, s := range map[string]string{"Text": p.Text, "Reply": p.Reply} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", name, s)
		}
		if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }); i >= 0 {
			t.Errorf("%s has a control character at %d: %q", name, i, s)
		}
		if s != strings.TrimSpace(s) {
			t.Errorf("%s is not trimmed: %q", name, s)
		}
	}
	lines := map[string]string{"Subject": p.Subject, "MessageID": p.MessageID}
	if p.From != nil {
		lines["From.Name"], lines["From.Address"] = p.From.Name, p.From.Address
	}
	for _, a := range p.Attachments {
		lines["attachment "+a.Name] = a.Name
		if a.Name == "" || strings.ContainsAny(a.Name, `/\`) {
			t.Errorf("attachment name %q", a.Name)
		}
	}
	for _, id := range append(append(slices.Clone(p.InReplyTo), p.References...), p.Recipients...) {
		lines["id "+id] = id
	}
	for _, pr := range p.Problems {
		lines["problem"] = pr
	}
	for name, s := range lines {
		if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) || s != strings.TrimSpace(s) {
			t.Errorf("%s is not one clean line: %q", name, s)
		}
	}
	for _, id := range append(append([]string{p.MessageID}, p.InReplyTo...), p.References...) {
		if strings.ContainsAny(id, "<> \t") {
			t.Errorf("message id %q", id)
		}
	}
}

func TestParseNotMail(t *testing.T) {
	for name, raw := range map[string][]byte{
		"garbage":          readTestdata(t, "garbage.eml"),
		"empty":            nil,
		"blank lines":      []byte("\r\n\r\n\n"),
		"text only":        []byte("Bonjour,\n\nje n'ai pas d'en-tête.\n"),
		"binary":           {0, 1, 2, 3, 0xff, 0xfe, '\n', '\n', 0x80},
		"unknown key only": []byte("X-Thing: 1\n\nbody"),
	} {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(raw)
			if !errors.Is(err, ErrNotMail) || p != nil {
				t.Errorf("Parse = %v, %v; want ErrNotMail", p, err)
			}
		})
	}
}

const base = "From: Marie Dupont <marie@client.example>\r\nTo: support@guichet.example\r\nSubject: Test\r\n" +
	"Message-ID: <m1@client.example>\r\nMIME-Version: 1.0\r\n"

func TestParseEdgeCases(t *testing.T) {
	deep := base
	for i := 0; i < 30; i++ {
		deep += "Content-Type: multipart/mixed; boundary=\"d" + strings.Repeat("x", i) + "\"\r\n\r\n--d" + strings.Repeat("x", i) + "\r\n"
	}
	deep += "Content-Type: text/plain\r\n\r\nau fond\r\n"

	tests := []struct {
		name     string
		raw      string
		text     string // exact Text
		reply    string // exact Reply, when not ""
		problems []string
		check    func(t *testing.T, p *Parsed)
	}{{
		name: "header only, no blank line",
		raw:  "From: a@b.example\nSubject: vide",
		text: "",
		check: func(t *testing.T, p *Parsed) {
			if p.Subject != "vide" || p.From.Address != "a@b.example" {
				t.Errorf("got %q %v", p.Subject, p.From)
			}
		},
	}, {
		name: "mbox From line and LF ends",
		raw:  "From marie@client.example Mon Nov 30 10:12:00 2026\nFrom: marie@client.example\nSubject: a\n\ncorps\n",
		text: "corps",
	}, {
		name: "control characters and line ends",
		raw:  base + "Content-Type: text/plain; charset=utf-8\r\n\r\nun\x00deux\x1b[31mtrois\rquatre\r\n\tcinq\u0085six\ufeff\x7f\r\n",
		text: "undeux[31mtrois\nquatre\n\tcinqsix",
	}, {
		name: "invalid UTF-8 among valid",
		raw:  base + "Content-Type: text/plain; charset=utf-8\r\n\r\nété \xff fin\r\n",
		text: "été \ufffd fin",
	}, {
		name: "undeclared charset, Latin-1 bytes",
		raw:  base + "\r\nd\xe9j\xe0 vu \x80\r\n",
		text: "déjà vu €",
	}, {
		name:     "multipart without boundary",
		raw:      base + "Content-Type: multipart/mixed\r\n\r\nle texte\r\n",
		text:     "le texte",
		problems: []string{"multipart without boundary"},
	}, {
		name:     "multipart with a wrong boundary",
		raw:      base + "Content-Type: multipart/alternative; boundary=zzz\r\n\r\n--aaa\r\nContent-Type: text/plain\r\n\r\nle texte\r\n--aaa--\r\n",
		text:     "--aaa\nContent-Type: text/plain\n\nle texte\n--aaa--",
		problems: []string{"multipart"},
	}, {
		name:     "truncated multipart",
		raw:      base + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\npremière partie\r\n--b\r\nContent-Type: text/plain\r\n\r\ncoupé au mil",
		text:     "première partie\ncoupé au mil",
		problems: []string{"MIME part 2"},
	}, {
		name:     "bad base64",
		raw:      base + "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nQm9uam91ciDDoCB0b3Vz\r\n!!!Zm\r\n",
		text:     "Bonjour à tousf",
		problems: []string{"base64: characters outside the alphabet skipped"},
	}, {
		name: "quoted-printable with stray = and controls",
		raw:  base + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n1 + 1 = 2 =C3=A9t=C3=\r\n=A9 =ZZ\x01 soft=\r\nbreak\r\n",
		text: "1 + 1 = 2 été =ZZ softbreak",
	}, {
		name:     "unknown transfer encoding",
		raw:      base + "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\ntel quel\r\n",
		text:     "tel quel",
		problems: []string{`unknown Content-Transfer-Encoding "x-uuencode"`},
	}, {
		name:     "unreadable Content-Type",
		raw:      base + "Content-Type: n'importe quoi\r\n\r\ntexte\r\n",
		text:     "texte",
		problems: []string{"unreadable Content-Type"},
	}, {
		name: "HTML used when the plain part is empty",
		raw: base + "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n \r\n" +
			"--b\r\nContent-Type: text/html\r\n\r\n<p>Bonjour &eacute;quipe</p><style>x{}</style>\r\n--b--\r\n",
		text: "Bonjour équipe",
	}, {
		name: "several inline text parts are joined",
		raw: base + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\navant l'image\r\n" +
			"--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\naprès l'image\r\n--b--\r\n",
		text: "avant l'image\naprès l'image",
		check: func(t *testing.T, p *Parsed) {
			if len(p.Attachments) != 0 {
				t.Errorf("an unnamed inline image is not an attachment: %+v", p.Attachments)
			}
		},
	}, {
		name: "attachment without a name",
		raw: base + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nci-joint\r\n" +
			"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment\r\n\r\n%PDF-1.7\r\n" +
			"--b\r\nContent-Type: application/x-thing\r\nContent-Disposition: attachment; filename=\"..\"\r\n\r\nx\r\n--b--\r\n",
		text: "ci-joint",
		check: func(t *testing.T, p *Parsed) {
			if len(p.Attachments) != 2 || p.Attachments[0].Name != "attachment-1.pdf" || p.Attachments[1].Name != "attachment-2.bin" {
				t.Errorf("attachments %+v", p.Attachments)
			}
		},
	}, {
		name:     "MIME nested too deep",
		raw:      deep,
		text:     "",
		problems: []string{"nested deeper than 16"},
	}, {
		name: "format=flowed with delsp",
		raw:  base + "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n\r\nun mot coup \r\né en deux\r\n>> cité \r\n>> long\r\n> autre\r\n -- \r\n",
		text: "un mot coupé en deux\n>> citélong\n> autre\n--",
	}, {
		name:     "unknown charset in an encoded word",
		raw:      "From: a@b.example\r\nSubject: =?x-unknown?Q?caf=E9?= ok\r\n\r\nx",
		problems: []string{"Subject"},
		text:     "x",
		check: func(t *testing.T, p *Parsed) {
			if p.Subject != "=?x-unknown?Q?caf=E9?= ok" {
				t.Errorf("Subject = %q", p.Subject)
			}
		},
	}, {
		name: "ids, recipients and subject oddities",
		raw: "From: a@b.example\r\nMessage-ID: <>\r\nIn-Reply-To: <a@x> (comment) <b@x>\r\nReferences: <r1@x>\r\n\t<r2 @x> <r1@x>\r\n" +
			"References: <r3@x>\r\nTo: \"Support\" <SUPPORT@guichet.example>, support@guichet.example\r\n" +
			"Delivered-To: reply+abc@guichet.example\r\nDelivered-To: support@guichet.example\r\nEnvelope-To: x@y.example\r\n" +
			"Subject: un\r\n  deux\ttrois   quatre\r\n\r\nx",
		text: "x",
		check: func(t *testing.T, p *Parsed) {
			if p.MessageID != "" {
				t.Errorf("MessageID = %q", p.MessageID)
			}
			if !slices.Equal(p.InReplyTo, []string{"a@x", "b@x"}) || !slices.Equal(p.References, []string{"r1@x", "r2@x", "r3@x"}) {
				t.Errorf("InReplyTo %q References %q", p.InReplyTo, p.References)
			}
			if want := []string{"support@guichet.example", "reply+abc@guichet.example", "x@y.example"}; !slices.Equal(p.Recipients, want) {
				t.Errorf("Recipients = %q, want %q", p.Recipients, want)
			}
			if p.Subject != "un deux trois quatre" {
				t.Errorf("Subject = %q", p.Subject)
			}
		},
	}, {
		name: "From unreadable",
		raw:  "From: personne\r\nSubject: x\r\n\r\nx",
		text: "x",
		check: func(t *testing.T, p *Parsed) {
			if p.From != nil {
				t.Errorf("From = %v", p.From)
			}
		},
		problems: []string{"unreadable From header"},
	}, {
		name: "quoted reply only",
		raw:  base + "\r\n> tout est cité\r\n",
		text: "> tout est cité",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.raw))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Text != tt.text {
				t.Errorf("Text =\n%q\nwant\n%q", p.Text, tt.text)
			}
			if tt.reply != "" && p.Reply != tt.reply {
				t.Errorf("Reply = %q, want %q", p.Reply, tt.reply)
			}
			for _, s := range tt.problems {
				if !slices.ContainsFunc(p.Problems, func(q string) bool { return strings.Contains(q, s) }) {
					t.Errorf("Problems = %q, want one containing %q", p.Problems, s)
				}
			}
			if tt.problems == nil && len(p.Problems) > 0 {
				t.Errorf("Problems = %q, want none", p.Problems)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
			checkClean(t, p)
		})
	}
}

func TestParseManyProblemsAreCapped(t *testing.T) {
	raw := "From: a@b.example\n"
	for i := 0; i < 100; i++ {
		raw += "bad line " + string(rune('a'+i%26)) + strings.Repeat("z", i) + "\n"
	}
	p, err := Parse([]byte(raw + "\nbody"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) != maxProblems {
		t.Errorf("%d problems, want %d", len(p.Problems), maxProblems)
	}
}

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(base + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<blockquote><pre>x</pre>"))
	// Found by fuzzing: a control character in an address, a Latin-1 no-break space in an id.
	f.Add([]byte("To:0@0\x7f"))
	f.Add([]byte("SuBjeCt:\nReferenCes:<\xa00"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := Parse(raw)
		if errors.Is(err, errParsePanic) {
			t.Fatalf("Parse panicked: %v", err)
		}
		if err != nil {
			if p != nil {
				t.Fatal("a Parsed with an error")
			}
			return
		}
		checkClean(t, p)
		_ = Automated(raw, p, []string{"support@guichet.example"})
		if StripQuotes(p.Text) != p.Reply {
			t.Fatal("Reply is not StripQuotes(Text)")
		}
	})
}
