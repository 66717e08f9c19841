package demo

import (
	"fmt"
	"strings"
)

// Titles per affected service, with a %s for a resource name; French and English, as the
// provider's customers write both.
var titles = map[string][]string{
	"ecs":     {"Instance %s ne démarre plus", "Instance %s unreachable over SSH", "Redémarrage inopiné de %s", "Console VNC de %s inaccessible", "High CPU steal on %s"},
	"evs":     {"Volume %s bloqué en état attaching", "Latence disque élevée sur %s", "Snapshot of %s stuck in creating", "Impossible d’étendre le volume %s"},
	"vpc":     {"Perte de connectivité dans le VPC %s", "Route table of %s ignored", "Peering %s en erreur", "Subnet %s out of addresses"},
	"eip":     {"EIP %s ne répond plus", "Cannot bind elastic IP to %s", "Bande passante de l’EIP %s plafonnée"},
	"obs":     {"Bucket %s renvoie des erreurs 503", "Slow uploads to bucket %s", "Politique d’accès du bucket %s sans effet"},
	"rds":     {"Base %s en lecture seule", "Failover of %s did not happen", "Sauvegarde automatique de %s en échec", "Connection limit reached on %s"},
	"cce":     {"Nœuds du cluster %s NotReady", "Cluster %s upgrade stuck", "Pods du cluster %s en CrashLoopBackOff"},
	"elb":     {"Répartiteur %s renvoie des 502", "Health checks failing on %s", "Certificat du listener %s refusé"},
	"dc":      {"Lien Direct Connect %s coupé", "BGP session on %s flapping", "Débit réduit sur %s"},
	"iam":     {"Connexion à la console impossible pour %s", "MFA rejected for user %s", "Jeton API de %s refusé"},
	"billing": {"Facture du mois incohérente pour %s", "Charges for deleted resource %s", "Bon de commande %s non pris en compte"},
	"other":   {"Question sur %s", "Comportement inattendu de %s", "Documentation about %s is wrong"},
}

var (
	openings = []string{
		"Depuis ce matin vers 9 h, ", "Since last night, ", "Après la maintenance de dimanche, ", "Intermittently since Monday, ",
		"Suite à un redéploiement, ", "After scaling the service, ", "Depuis la mise à jour de l’image, ",
	}
	symptoms = []string{
		"la ressource ne répond plus et nos clients ne peuvent plus se connecter.",
		"requests time out after 30 seconds and the application logs show connection resets.",
		"l’état affiché dans la console ne correspond pas à la réalité.",
		"the API returns an internal error with request id req-%04x.",
		"les performances sont divisées par deux, sans changement de notre côté.",
		"we see packet loss between the availability zones eu-west-0a and eu-west-0b.",
		"le service est indisponible pour tous les utilisateurs du site de Lyon.",
	}
	tried = []string{
		" Nous avons déjà redémarré la ressource, sans effet.", " We already rebooted twice.",
		" Les journaux sont joints.", " Nothing changed in our security groups.", " Le problème est reproductible à chaque essai.",
		" Merci de nous rappeler rapidement, la production est touchée.", "",
	}
	staffReplies = []string{
		"Bonjour, nous prenons en charge votre demande et analysons les journaux de la plateforme.",
		"Hello, we are looking into it and will get back to you within the hour.",
		"Nous avons identifié un incident sur l’hyperviseur hébergeant la ressource ; une migration est en cours.",
		"Could you send us the output of the command and the exact time of the last failure?",
		"Le problème vient d’une saturation du stockage en zone B ; nos équipes interviennent.",
	}
	customerReplies = []string{
		"Voici les informations demandées, l’erreur est revenue à 14 h 12.", "Here are the logs you asked for.",
		"Toujours pas de changement de notre côté.", "The issue happened again this morning.",
	}
	notes = []string{
		"Escaladé au niveau 2 : hyperviseur suspect", "Ticket fournisseur ouvert chez l’équipementier",
		"Known bug in the storage driver, fix planned", "Vérifier la capacité du cluster Ceph",
	}
	resolutions = []string{
		"La ressource a été migrée sur un hôte sain ; le service est rétabli.",
		"Fixed by restarting the faulty network node; traffic is back to normal.",
		"Le quota a été corrigé et la facture sera régularisée le mois prochain.",
		"A configuration error on your side was found: see our reply for the correct setting.",
		"Correctif appliqué sur la plateforme ; merci de confirmer de votre côté.",
	}
	resources = []string{"web", "api", "db", "front", "batch", "etl", "vpn", "k8s", "erp", "crm", "mail", "backup"}
)

// text writes an incident's title and description.
func (g *generator) text(svc string) (string, string) {
	ts := titles[svc]
	name := g.host()
	title := fmt.Sprintf(ts[g.r.IntN(len(ts))], name)
	var d strings.Builder
	d.WriteString(openings[g.r.IntN(len(openings))])
	s := symptoms[g.r.IntN(len(symptoms))]
	if strings.Contains(s, "%04x") {
		s = fmt.Sprintf(s, g.r.IntN(0xffff))
	}
	d.WriteString(s)
	d.WriteString(tried[g.r.IntN(len(tried))])
	fmt.Fprintf(&d, "\n\nRessource : %s (projet %s).", name, resources[g.r.IntN(len(resources))])
	return title, d.String()
}

// host names a resource: web-prod-042.
func (g *generator) host() string {
	env := []string{"prod", "preprod", "dev", "recette"}[g.r.IntN(4)]
	return fmt.Sprintf("%s-%s-%03d", resources[g.r.IntN(len(resources))], env, g.r.IntN(1000))
}
