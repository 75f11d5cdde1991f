# Pages publiques.
home-empty = Pas encore d'organisations ni d'alliances ici.
home-alliances = Alliances
home-organizations = Organisations
home-latest-posts = Dernières publications
calls-heading = Appels à l'action
statements-heading = Déclarations communes
kind-alliance = Alliance
kind-organization = Organisation
followers-count = { $count ->
    [one] { $count } abonné
   *[other] { $count } abonnés
}
feeds-label = Suivre par flux :
follow-button = Suivre
follow-hint = ou cherchez { $handle } dans votre application du fédivers
member-of-heading = Membre de
members-heading = Membres ({ $count })
members-private = Cette alliance garde sa liste de membres privée.
members-none = Pas encore de membres.
role-member = membre
role-observer = observatrice
role-secretariat = secrétariat
network-heading = Carte du réseau
network-explained = { $count ->
    [one] Qui est membre de qui, d'un serveur à l'autre : { $count } autre organisation ou alliance.
   *[other] Qui est membre de qui, d'un serveur à l'autre : { $count } autres organisations et alliances.
}
network-truncated = seule une partie du réseau est affichée
posts-heading = Publications
posts-heading-alliance = Publications, et publications des membres relayées par l'alliance
posts-none = Rien n'a encore été publié.
pages-label = Plus de publications
newer-posts = Plus récentes
older-posts = Plus anciennes
relayed-by = Relayé par { $alliance }
relayed-by-list = Relayé par
also-in = Aussi en :
edited = modifié
in-reply-to = En réponse à
replies-heading = { $count ->
    [one] { $count } réponse
   *[other] { $count } réponses
}
reply-hint = Pour répondre, ouvrez cette publication depuis votre application du fédivers (cherchez son adresse).
tag-empty = Pas encore de publications avec ce mot-clé ici.
statement-kicker = Déclaration commune
statement-initiated-by = À l'initiative de
statement-status-open = Ouverte aux signatures
statement-status-closed = Close
statement-status-draft = Brouillon
statement-until = jusqu'au { $date }
statement-later-translation = Traduction ajoutée après l'ouverture ; les signatures portent sur le texte original.
statement-version = Version { $number }
statement-earlier-text = texte précédent
endorsements-count = { $count ->
    [0] Pas encore de signatures
    [one] { $count } signature
   *[other] { $count } signatures
}
endorsements-anonymous = { $count ->
    [one] { $count } non nommée à la demande du signataire
   *[other] { $count } non nommées à la demande des signataires
}
endorsements-withdrawn = { $count ->
    [one] { $count } retirée
   *[other] { $count } retirées
}
endorser-alliance-members = { $count ->
    [one] alliance de { $count } membre
   *[other] alliance de { $count } membres
}
verified = vérifiée
verified-title = Signée par le signataire ; la signature a été vérifiée
statement-supporters = { $count ->
    [one] { $count } soutien sur le fédivers (un « j'aime » ; pas une signature vérifiée).
   *[other] { $count } soutiens sur le fédivers (des « j'aime » ; pas des signatures vérifiées).
}
verify-heading = Tout le monde peut vérifier ces signatures
verify-explained = Chaque signature est signée par l'organisation ou l'alliance qui l'a donnée, sur son propre serveur, pour ce texte exact. Un texte modifié est une nouvelle version, et les signatures restent attachées à la version signée. Personne, pas même ce serveur, ne peut donc ajouter un nom, changer le texte sous une signature ou cacher un retrait sans que cela se voie.
endorse-how = Les organisations et alliances signent depuis leur propre compte Puentes : elles y ouvrent l'adresse de cette page et choisissent de signer, avec leur nom ou comptées sans lui.
verify-details = Comment le vérifier vous-même
verify-command = Avec Puentes installé, cette commande récupère chaque signature auprès des serveurs qui l'ont faite et la vérifie avec ce texte :
call-kicker = Appel à l'action de { $organizer }
call-cancelled = annulé
call-cancelled-notice = Cet appel à l'action a été annulé.
call-tentative = La date n'est pas encore confirmée.
call-when = Quand
call-where = Où
call-online = En ligne
call-what = Que faire
call-map = carte
call-your-time = Votre heure :
call-moved = Déplacé ; c'était { $was }
call-pick-zone = Afficher l'heure dans votre fuseau horaire
call-show-zone = Afficher
call-co-organized = Coorganisé avec
call-add-calendar = Ajouter au calendrier
call-all-calendar = Tous les appels de { $organizer }
call-pledged = { $count ->
    [0] Pas encore d'engagements
    [one] { $count } engagement
   *[other] { $count } engagements
}
call-pledged-of = { $count } places sur { $capacity } engagées
call-pledge-how = Les organisations et alliances s'engagent depuis leur propre compte : sur Puentes ou Mobilizon, elles y ouvrent l'adresse de cette page et choisissent de participer.
call-external = Ou participez ici :
follow-title = Suivre { $name }
follow-explained = Saisissez votre identifiant du fédivers (Mastodon ou un autre serveur compatible). Nous vous envoyons sur votre propre serveur, où vous confirmez l'abonnement.
follow-your-handle = Votre identifiant
follow-placeholder = vous@votre.serveur
follow-go = Continuer sur mon serveur
follow-other-ways = Autres façons
follow-search = Dans votre application, cherchez { $handle } et abonnez-vous.
follow-feeds = Sans compte, par flux :
follow-error-invalid = Ce n'est pas un identifiant. Écrivez-le comme nom@serveur.exemple.
follow-error-not-found = Votre serveur ne connaît pas cet identifiant. Vérifiez et réessayez.
follow-error-no-template = Votre serveur ne propose pas de lien d'abonnement. Cherchez plutôt l'identifiant ci-dessous dans votre application.
follow-error-unreachable = Votre serveur n'a pas pu être joint. Réessayez plus tard, ou cherchez l'identifiant ci-dessous dans votre application.
interact-title = Suivre ou répondre depuis ce serveur
interact-explained = Votre serveur vous a envoyé ici pour suivre ou répondre à quelque chose en tant que compte de { $domain }.
interact-target = Ce que vous voulez suivre ou à quoi répondre :
interact-staff = Seule l'équipe des organisations et alliances de ce serveur peut le faire, après s'être connectée pour agir en leur nom. Si vous en faites partie, connectez-vous et collez-y cette adresse.
moved-notice = Cette organisation a déménagé vers
moved-notice-alliance = Cette alliance a déménagé vers
