package inbound

import "testing"

func TestStripQuotes(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{{
		name: "Outlook desktop FR, De : … Envoyé : … block",
		text: "Bonjour,\n\nC'est bon pour moi.\n\nMarie\n\nDe : Guichet <support@guichet.example>\nEnvoyé : lundi 30 novembre 2026 10:12\n" +
			"À : Marie Dupont <marie.dupont@client.example>\nObjet : [INC0000042] Messagerie\n\nBonjour Marie,\n",
		want: "Bonjour,\n\nC'est bon pour moi.\n\nMarie",
	}, {
		name: "Outlook desktop FR, no-break spaces and Cc",
		text: "Merci.\n\nDe\u00a0: Guichet <support@guichet.example>\nEnvoyé\u00a0: lundi 30 novembre 2026 10:12\n" +
			"À\u00a0: Marie\nCc\u00a0: Paul\nObjet\u00a0: [INC0000042] Messagerie\n\nBonjour Marie,\n",
		want: "Merci.",
	}, {
		name: "Outlook EN, From: … Sent: … under underscores",
		text: "Works now, thanks.\n\nJohn\n\n________________________________\nFrom: Guichet <support@guichet.example>\n" +
			"Sent: Monday, November 30, 2026 10:12 AM\nTo: John Smith <john@acme.example>\nSubject: [INC0000043] Printer\n\nHello John,\n",
		want: "Works now, thanks.\n\nJohn",
	}, {
		name: "Outlook for Mac, From: … Date: …",
		text: "OK\n\nFrom: Guichet <support@guichet.example>\nDate: Monday, 30 November 2026 at 10:12\nTo: John <john@acme.example>\nSubject: Printer\n\nHello\n",
		want: "OK",
	}, {
		name: "Gmail rendering of an Outlook quote with stars",
		text: "OK pour moi\n\n*De :* Guichet <support@guichet.example>\n*Envoyé :* lundi 30 novembre 2026 10:12\n*À :* Marie\n*Objet :* Test\n\nBonjour\n",
		want: "OK pour moi",
	}, {
		name: "-----Original Message-----",
		text: "Still broken.\n\n-----Original Message-----\nFrom: Guichet [mailto:support@guichet.example]\nSent: Monday\n\nHello\n",
		want: "Still broken.",
	}, {
		name: "-----Message d'origine-----",
		text: "Toujours en panne.\r\n\r\n-----Message d'origine-----\r\nDe : Guichet\r\nEnvoyé : lundi\r\n\r\nBonjour\r\n",
		want: "Toujours en panne.",
	}, {
		name: "Thunderbird forward-style separator",
		text: "Voir ci-dessous.\n\n-------- Message original --------\nSujet : Test\nDate : 30/11/2026\n",
		want: "Voir ci-dessous.",
	}, {
		name: "Gmail FR, attribution wrapped on two lines",
		text: "Merci, c'est bon.\n\nLe lun. 30 nov. 2026 à 10:12, Guichet <support@guichet.example> a\nécrit :\n\n> Bonjour Marie,\n>\n> Le mot de passe est réinitialisé.\n",
		want: "Merci, c'est bon.",
	}, {
		name: "Gmail FR, narrow no-break spaces",
		text: "Merci\n\nLe lun. 30 nov. 2026 à 10:12, Guichet <support@guichet.example> a écrit\u202f:\n\n> Bonjour\n",
		want: "Merci",
	}, {
		name: "Gmail FR, attribution wrapped on three lines",
		text: "Merci\n\nLe lun. 30 nov. 2026 à 10:12, Service des systèmes d'information du\nGuichet <support@guichet.example>\na écrit :\n> Bonjour\n",
		want: "Merci",
	}, {
		name: "Gmail EN",
		text: "Still offline.\n\nOn Mon, Nov 30, 2026 at 10:12 AM Guichet <support@guichet.example> wrote:\n\n> Hello John,\n",
		want: "Still offline.",
	}, {
		name: "Gmail EN, wrapped",
		text: "Still offline.\n\nOn Mon, Nov 30, 2026 at 10:12 AM Guichet - Service Desk <\nsupport@guichet.example> wrote:\n\n> Hello John,\n",
		want: "Still offline.",
	}, {
		name: "Thunderbird FR",
		text: "Ça marche.\n\nLe 30/11/2026 à 10:12, Guichet a écrit :\n> Bonjour Marie,\n",
		want: "Ça marche.",
	}, {
		name: "Thunderbird EN",
		text: "It works.\n\nOn 11/30/2026 10:12 AM, Guichet wrote:\n> Hello,\n",
		want: "It works.",
	}, {
		name: "Apple Mail, quoted attribution after the iPhone footer",
		text: "Toujours pas.\n\nEnvoyé de mon iPhone\n\n> Le 30 nov. 2026 à 10:12, Guichet <support@guichet.example> a écrit :\n>\n> Bonjour\n",
		want: "Toujours pas.",
	}, {
		name: "Apple Mail, quoted attribution, no footer",
		text: "Toujours pas.\n\n> Le 30 nov. 2026 à 10:12, Guichet <support@guichet.example> a écrit :\n>\n> Bonjour\n",
		want: "Toujours pas.",
	}, {
		name: "attribution without quote marks (Outlook mobile)",
		text: "Oui.\n\nOn Mon, Nov 30, 2026 at 10:12 AM, Guichet <support@guichet.example> wrote:\nHello John,\nCan you check?\n",
		want: "Oui.",
	}, {
		name: "signature dash dash space",
		text: "Bonjour,\n\nle poste redémarre en boucle.\n\n-- \nMarie\nClient SA\n",
		want: "Bonjour,\n\nle poste redémarre en boucle.",
	}, {
		name: "signature without its trailing space, before a Gmail quote",
		text: "Merci\n\n--\nMarie\n\nLe lun. 30 nov. 2026 à 10:12, Guichet <support@guichet.example> a écrit :\n> Bonjour\n",
		want: "Merci",
	}, {
		name: "mobile footers",
		text: "Je regarde ça demain.\n\nSent from my iPhone\n",
		want: "Je regarde ça demain.",
	}, {
		name: "Outlook mobile footer",
		text: "OK\n\nObtenir Outlook pour Android\n________________________________\nDe : Guichet\nEnvoyé : lundi\nÀ : Marie\nObjet : Test\n",
		want: "OK",
	}, {
		name: "top-posting above a quote without attribution",
		text: "Réponse en haut.\n\n> ligne citée\n> autre ligne\n\n",
		want: "Réponse en haut.",
	}, {
		name: "trailing quote under an attribution in another language",
		text: "Danke.\n\nAm 30.11.2026 um 10:12 schrieb Guichet <support@guichet.example>:\n> Hallo\n",
		want: "Danke.",
	}, {
		name: "bottom-posting",
		text: "Le 30/11/2026 à 10:12, Guichet a écrit :\n> Pouvez-vous redémarrer ?\n>\n\nC'est fait, même résultat.\n\n-- \nMarie\n",
		want: "C'est fait, même résultat.",
	}, {
		name: "interleaved answers keep their context",
		text: "Bonjour,\n\nLe 30/11/2026 à 10:12, Guichet a écrit :\n> Quel poste ?\nPC-042.\n> Quel navigateur ?\nFirefox.\n\nMarie\n",
		want: "Bonjour,\n\nLe 30/11/2026 à 10:12, Guichet a écrit :\n> Quel poste ?\nPC-042.\n> Quel navigateur ?\nFirefox.\n\nMarie",
	}, {
		name: "interleaved without greeting",
		text: "> Quel poste ?\nPC-042.\n> Quel navigateur ?\nFirefox.\n",
		want: "> Quel poste ?\nPC-042.\n> Quel navigateur ?\nFirefox.",
	}, {
		name: "interleaved, trailing quote cut",
		text: "> Quel poste ?\nPC-042.\n> Merci de votre retour.\n> Le guichet\n",
		want: "> Quel poste ?\nPC-042.",
	}, {
		name: "a sentence like an attribution without a date is kept",
		text: "Le technicien a écrit :\n\"redémarrer le serveur\"\nmais rien ne change.\n",
		want: "Le technicien a écrit :\n\"redémarrer le serveur\"\nmais rien ne change.",
	}, {
		name: "a From: line that is not a header block is kept",
		text: "From: the logs, the error is at 10:12.\nSubject to change.\n",
		want: "From: the logs, the error is at 10:12.\nSubject to change.",
	}, {
		name: "a forwarded message is kept",
		text: "Voici le message reçu.\n\n---------- Forwarded message ---------\nDe : Alerte <alerte@client.example>\nDate: lun. 30 nov. 2026 à 09:00\n" +
			"Subject: Disque plein\nTo: <marie@client.example>\n\nLe disque C: est plein.\n",
		want: "Voici le message reçu.\n\n---------- Forwarded message ---------\nDe : Alerte <alerte@client.example>\nDate: lun. 30 nov. 2026 à 09:00\n" +
			"Subject: Disque plein\nTo: <marie@client.example>\n\nLe disque C: est plein.",
	}, {
		name: "a colon line above a trailing quote without date or address is kept",
		text: "Voici ce que j'obtiens :\n> erreur 42\n",
		want: "Voici ce que j'obtiens :",
	}, {
		name: "nothing but quotes",
		text: "> tout\n> est cité\n",
		want: "",
	}, {
		name: "plain text untouched",
		text: "  Bonjour,\n\n  tout va bien.  \n",
		want: "Bonjour,\n\n  tout va bien.",
	}, {
		name: "empty",
		text: "",
		want: "",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripQuotes(tt.text); got != tt.want {
				t.Errorf("StripQuotes =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
