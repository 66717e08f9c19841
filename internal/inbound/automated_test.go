package inbound

import (
	"strings"
	"testing"
)

var ownAddresses = []string{"Guichet <noreply@guichet.example>", "Support@Guichet.example"}

func TestAutomatedTestdata(t *testing.T) {
	tests := map[string]string{
		"dsn.eml":                      ReasonBounce, // also Auto-Submitted: auto-replied and Return-Path <>
		"autoreply.eml":                ReasonAutoreply,
		"bulk.eml":                     ReasonBulk,
		"list.eml":                     ReasonList,
		"outlook_fr_reply.eml":         "",
		"outlook_en_reply.eml":         "",
		"outlook_original_message.eml": "",
		"gmail_fr_reply.eml":           "",
		"gmail_en_reply.eml":           "",
		"thunderbird_fr_reply.eml":     "",
		"apple_mail_fr_reply.eml":      "",
		"new_incident_latin1.eml":      "",
		"unknown_charset.eml":          "",
		"html_only.eml":                "",
		"attachments.eml":              "",
		"no_message_id.eml":            "",
		"empty_body.eml":               "",
		"malformed_headers.eml":        "",
	}
	for file, want := range tests {
		t.Run(file, func(t *testing.T) {
			raw := readTestdata(t, file)
			p, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := Automated(raw, p, ownAddresses); got != want {
				t.Errorf("Automated = %q, want %q", got, want)
			}
		})
	}
}

func TestAutomated(t *testing.T) {
	const from = "From: Marie Dupont <marie@client.example>\r\n"
	tests := []struct {
		name, header, want string
	}{
		{"a person's reply", from, ""},
		{"X-Auto-Response-Suppress is not a sign", from + "X-Auto-Response-Suppress: All\r\n", ""},
		{"Auto-Submitted: no", from + "Auto-Submitted: no\r\n", ""},
		{"Auto-Submitted: No (comment)", from + "Auto-Submitted: No (envoyé par une personne)\r\n", ""},
		{"Auto-Submitted: auto-generated", from + "Auto-Submitted: auto-generated\r\n", ReasonAutoSubmitted},
		{"Auto-Submitted: auto-notified", from + "Auto-Submitted: auto-notified\r\n", ReasonAutoSubmitted},
		{"Auto-Submitted: auto-replied with parameters", from + "Auto-Submitted: Auto-Replied; owner-email=\"marie@client.example\"\r\n", ReasonAutoreply},
		{"X-Autoreply", from + "X-Autoreply: yes\r\n", ReasonAutoreply},
		{"X-Autorespond", from + "X-Autorespond: Vacation\r\n", ReasonAutoreply},
		{"X-Autoreply: no", from + "X-Autoreply: no\r\n", ""},
		{"Precedence: auto_reply", from + "Precedence: auto_reply\r\n", ReasonAutoreply},
		{"Precedence: bulk", from + "Precedence: bulk\r\n", ReasonBulk},
		{"Precedence: junk", from + "Precedence: Junk\r\n", ReasonBulk},
		{"Precedence: list", from + "Precedence: list\r\n", ReasonList},
		{"Precedence: first-class", from + "Precedence: first-class\r\n", ""},
		{"List-Id", from + "List-Id: Support <support.lists.client.example>\r\n", ReasonList},
		{"List-Unsubscribe", from + "List-Unsubscribe: <https://news.example/u/1>\r\n", ReasonList},
		{"empty Return-Path", from + "Return-Path: <>\r\n", ReasonBounce},
		{"Return-Path with an address", from + "Return-Path: <marie@client.example>\r\n", ""},
		{"X-Failed-Recipients", from + "X-Failed-Recipients: old@client.example\r\n", ReasonBounce},
		{"MAILER-DAEMON", "From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\r\n", ReasonBounce},
		{"postmaster", "From: POSTMASTER@client.example\r\n", ReasonBounce},
		{"noreply is not certain", "From: noreply@vendor.example\r\n", ""},
		{"delivery report", from + "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n", ReasonBounce},
		{"report without a type", from + "Content-Type: multipart/report; boundary=b\r\n", ReasonBounce},
		{"read receipt", from + "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n", ReasonAutoSubmitted},
		{"Outlook out-of-office subject, EN", from + "Subject: Automatic reply: [INC0000042] Printer\r\n", ReasonAutoreply},
		{"Outlook out-of-office subject, FR", from + "Subject: =?utf-8?Q?R=C3=A9ponse_automatique=C2=A0:_Test?=\r\n", ReasonAutoreply},
		{"forwarded out-of-office is a person's mail", from + "Subject: TR: Réponse automatique : Test\r\n", ""},
		{"own From", "From: Guichet <noreply@guichet.example>\r\n", ReasonOwnAddress},
		{"own address in another case", "From: SUPPORT@guichet.EXAMPLE\r\n", ReasonOwnAddress},
		{"plus address of the support address", "From: support+inc42@guichet.example\r\n", ReasonOwnAddress},
		{"same local part elsewhere", "From: support@client.example\r\n", ""},
		{"longer local part", "From: support-team@guichet.example\r\n", ""},
		{"own address before bounce", "From: support@guichet.example\r\nReturn-Path: <>\r\n", ReasonOwnAddress},
		{"bounce before auto-replied", "From: MAILER-DAEMON@mx.example\r\nAuto-Submitted: auto-replied\r\n", ReasonBounce},
		{"auto-replied before empty Return-Path", from + "Auto-Submitted: auto-replied\r\nReturn-Path: <>\r\n", ReasonAutoreply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.header + "To: support@guichet.example\r\nMessage-ID: <a@b>\r\n\r\nCorps\r\n")
			if !strings.Contains(tt.header, "Subject:") {
				raw = append([]byte("Subject: Test\r\n"), raw...)
			}
			p, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := Automated(raw, p, ownAddresses); got != tt.want {
				t.Errorf("Automated = %q, want %q", got, tt.want)
			}
			// Without a Parsed, the raw message is read.
			if got := Automated(raw, nil, ownAddresses); got != tt.want {
				t.Errorf("Automated(raw, nil) = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAutomatedUnreadable(t *testing.T) {
	if got := Automated([]byte("pas un mail"), nil, ownAddresses); got != "" {
		t.Errorf("Automated = %q", got)
	}
	if got := Automated(nil, nil, nil); got != "" {
		t.Errorf("Automated = %q", got)
	}
}
