package inbound

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{{
		name: "script, style, title and comments are dropped",
		html: `<html><head><title>Titre</title><style>p{color:red}</style><script>alert("x")</script></head>` +
			`<body><!-- caché --><p>Visible</p><script type="text/javascript">document.write("<p>non</p>")</script>` +
			`<noscript><p>non plus</p></noscript><template><p>modèle</p></template><p>Fin</p></body></html>`,
		want: "Visible\n\nFin",
	}, {
		name: "unclosed script leaks nothing",
		html: `<p>Avant</p><script>var secret = "<p>fuite</p>";`,
		want: "Avant",
	}, {
		name: "self-closing script",
		html: `<p>Avant</p><script src="x.js"/>alert(1)</script><p>Après</p>`,
		want: "Avant\n\nAprès",
	}, {
		name: "entities",
		html: `<p>Caf&eacute; &amp; th&#233; &lt;b&gt; &#x263A; &quot;ok&quot; l&#39;&eacute;quipe&nbsp;:</p>`,
		want: `Café & thé <b> ☺ "ok" l'équipe :`,
	}, {
		name: "whitespace collapses",
		html: "<div>  un\n   deux\t\ttrois  </div>\n\n<div>quatre</div>",
		want: "un deux trois\nquatre",
	}, {
		name: "blocks and breaks",
		html: `<div>ligne 1</div><div><br></div><div>ligne 2<br>ligne 3<br></div><p>para</p><h1>Titre</h1>suite<hr>fin`,
		want: "ligne 1\n\nligne 2\nligne 3\n\npara\n\nTitre\n\nsuite\n\nfin",
	}, {
		name: "links keep their text",
		html: `Voir <a href="https://docs.client.example/x?a=1&amp;b=2">la doc</a>, <a href="https://docs.client.example/">docs.client.example</a>, ` +
			`<a href="mailto:marie@client.example">Marie</a>, <a href="javascript:alert(1)">ceci</a> et <a href="https://t.example/"><img src="x.png"></a>.`,
		want: "Voir la doc (https://docs.client.example/x?a=1&b=2), docs.client.example, Marie, ceci et .",
	}, {
		name: "lists",
		html: `<p>Étapes :</p><ol><li>redémarrer</li><li>tester <b>encore</b></li></ol><ul><li><p>dans un paragraphe</p></li></ul>`,
		want: "Étapes :\n\n- redémarrer\n- tester encore\n\n- dans un paragraphe",
	}, {
		name: "tables",
		html: `<table><tr><td>Poste</td><td>PC-042</td></tr><tr><th>OS</th><td>Windows&nbsp;11</td></tr></table>`,
		want: "Poste PC-042\nOS Windows 11",
	}, {
		name: "blockquotes become quoted lines",
		html: `<div>Réponse</div><div>Le 30/11/2026 à 10:12, Guichet a écrit :<blockquote>Question<br>sur deux lignes<blockquote>plus ancien</blockquote>retour</blockquote></div>`,
		want: "Réponse\nLe 30/11/2026 à 10:12, Guichet a écrit :\n> Question\n> sur deux lignes\n> > plus ancien\n> retour",
	}, {
		name: "pre keeps its spacing",
		html: "<p>Journal :</p><pre>ligne  1\n    indentée\n</pre><p>fin</p>",
		want: "Journal :\n\nligne  1\n    indentée\n\nfin",
	}, {
		name: "malformed markup",
		html: `<p>un <b>deux</p>trois<div <p>quatre</i></span></td>cinq</`,
		want: "un deux\n\ntrois\nquatre cinq</", // "<div <p>" is a div; a lone "</" at the end is text

	}, {
		name: "text only",
		html: "juste du texte",
		want: "juste du texte",
	}, {
		name: "empty",
		html: "",
		want: "",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.html); got != tt.want {
				t.Errorf("htmlToText =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// An Outlook HTML reply, converted, loses its quoted part to StripQuotes.
func TestHTMLOutlookReplyStripped(t *testing.T) {
	src := `<html><head><style><!-- p.MsoNormal {margin:0cm} --></style></head><body lang="FR"><div class="WordSection1">` +
		`<p class="MsoNormal">C&#8217;est r&eacute;solu.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p>` +
		`<div id="divRplyFwdMsg"><hr style="display:inline-block;width:98%"><p class="MsoNormal"><b>De&nbsp;:</b> Guichet &lt;support@guichet.example&gt;<br>` +
		`<b>Envoy&eacute;&nbsp;:</b> lundi 30 novembre 2026 10:12<br><b>&Agrave;&nbsp;:</b> Marie<br><b>Objet&nbsp;:</b> Test</p></div>` +
		`<p class="MsoNormal">Bonjour Marie,</p></div></body></html>`
	text := htmlToText(src)
	if !strings.Contains(text, "De : Guichet <support@guichet.example>\nEnvoyé : lundi") {
		t.Fatalf("converted text:\n%s", text)
	}
	if got := StripQuotes(text); got != "C’est résolu." {
		t.Errorf("StripQuotes = %q", got)
	}
}
