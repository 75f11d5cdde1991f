# Páginas públicas.
home-empty = Todavía no hay organizaciones ni alianzas aquí.
home-alliances = Alianzas
home-organizations = Organizaciones
home-latest-posts = Últimas publicaciones
calls-heading = Convocatorias
statements-heading = Declaraciones conjuntas
kind-alliance = Alianza
kind-organization = Organización
followers-count = { $count ->
    [one] { $count } seguidor
   *[other] { $count } seguidores
}
feeds-label = Seguir por canal:
follow-button = Seguir
follow-hint = o busca { $handle } en tu aplicación del fediverso
member-of-heading = Miembro de
members-heading = Miembros ({ $count })
members-private = Esta alianza mantiene privada su lista de miembros.
members-none = Todavía no tiene miembros.
role-member = miembro
role-observer = observadora
role-secretariat = secretaría
network-heading = Mapa de la red
network-explained = { $count ->
    [one] Quién es miembro de quién, entre servidores: { $count } organización o alianza más.
   *[other] Quién es miembro de quién, entre servidores: { $count } organizaciones y alianzas más.
}
network-truncated = solo se muestra una parte de la red
posts-heading = Publicaciones
posts-heading-alliance = Publicaciones, y publicaciones de miembros difundidas por la alianza
posts-none = Todavía no hay publicaciones.
pages-label = Más publicaciones
newer-posts = Más recientes
older-posts = Más antiguas
relayed-by = Difundido por { $alliance }
relayed-by-list = Difundido por
also-in = También en:
edited = editado
in-reply-to = En respuesta a
replies-heading = { $count ->
    [one] { $count } respuesta
   *[other] { $count } respuestas
}
reply-hint = Para responder, abre esta publicación desde tu aplicación del fediverso (busca su dirección).
tag-empty = Todavía no hay publicaciones con esta etiqueta aquí.
statement-kicker = Declaración conjunta
statement-initiated-by = Impulsada por
statement-status-open = Abierta a adhesiones
statement-status-closed = Cerrada
statement-status-draft = Borrador
statement-until = hasta el { $date }
statement-later-translation = Traducción añadida después de abrir la declaración; las adhesiones se refieren al texto original.
statement-version = Versión { $number }
statement-earlier-text = texto anterior
endorsements-count = { $count ->
    [0] Todavía sin adhesiones
    [one] { $count } adhesión
   *[other] { $count } adhesiones
}
endorsements-anonymous = { $count ->
    [one] { $count } sin nombre, a petición de quien se adhiere
   *[other] { $count } sin nombre, a petición de quienes se adhieren
}
endorsements-withdrawn = { $count ->
    [one] { $count } retirada
   *[other] { $count } retiradas
}
endorser-alliance-members = { $count ->
    [one] alianza de { $count } miembro
   *[other] alianza de { $count } miembros
}
verified = verificada
verified-title = Firmada por quien se adhiere; la firma se ha comprobado
statement-supporters = { $count ->
    [one] { $count } apoyo en el fediverso (un «me gusta»; no es una firma verificada).
   *[other] { $count } apoyos en el fediverso («me gusta»; no son firmas verificadas).
}
verify-heading = Cualquiera puede comprobar estas adhesiones
verify-explained = Cada adhesión está firmada por la organización o alianza que la dio, en su propio servidor, para este texto exacto. Un texto cambiado es una versión nueva, y las firmas se quedan con la versión que firmaron. Así nadie, ni siquiera este servidor, puede añadir un nombre, cambiar el texto bajo una firma u ocultar una retirada sin que se note.
endorse-how = Las organizaciones y alianzas se adhieren desde su propia cuenta de Puentes: abren allí la dirección de esta página y eligen adherirse, con su nombre o contadas sin él.
verify-details = Cómo comprobarlo por tu cuenta
verify-command = Con Puentes instalado, esta orden obtiene cada firma de los servidores que la hicieron y la comprueba contra este texto:
call-kicker = Convocatoria de { $organizer }
call-cancelled = cancelada
call-cancelled-notice = Esta convocatoria ha sido cancelada.
call-tentative = La fecha aún no está confirmada.
call-when = Cuándo
call-where = Dónde
call-online = En línea
call-what = Qué hacer
call-map = mapa
call-your-time = Tu hora:
call-moved = Cambiada de fecha; era { $was }
call-pick-zone = Ver la hora en tu zona horaria
call-show-zone = Ver
call-co-organized = Coorganizada con
call-add-calendar = Añadir al calendario
call-all-calendar = Todas las convocatorias de { $organizer }
call-pledged = { $count ->
    [0] Todavía sin compromisos
    [one] { $count } compromiso
   *[other] { $count } compromisos
}
call-pledged-of = { $count } de { $capacity } plazas comprometidas
call-pledge-how = Las organizaciones y alianzas se comprometen desde su propia cuenta: en Puentes o Mobilizon, abren allí la dirección de esta página y eligen participar.
call-external = O participa aquí:
follow-title = Seguir a { $name }
follow-explained = Escribe tu identificador del fediverso (Mastodon u otro servidor compatible). Te llevamos a tu propio servidor, donde confirmas que quieres seguir.
follow-your-handle = Tu identificador
follow-placeholder = tu@tu.servidor
follow-go = Continuar en mi servidor
follow-other-ways = Otras formas
follow-search = En tu aplicación, busca { $handle } y síguelo.
follow-feeds = Sin cuenta, por canal:
follow-error-invalid = Eso no es un identificador. Escríbelo como nombre@servidor.ejemplo.
follow-error-not-found = Tu servidor no conoce ese identificador. Revísalo e inténtalo de nuevo.
follow-error-no-template = Tu servidor no ofrece un enlace para seguir. Busca el identificador de abajo en tu aplicación.
follow-error-unreachable = No se ha podido contactar con tu servidor. Inténtalo más tarde, o busca el identificador de abajo en tu aplicación.
interact-title = Seguir o responder desde este servidor
interact-explained = Tu servidor te ha enviado aquí para seguir o responder algo como cuenta de { $domain }.
interact-target = Lo que quieres seguir o responder:
interact-staff = Solo el personal de las organizaciones y alianzas de este servidor puede hacerlo, tras iniciar sesión para actuar en su nombre. Si eres una de esas personas, inicia sesión y pega allí esta dirección.
moved-notice = Esta organización se ha mudado a
moved-notice-alliance = Esta alianza se ha mudado a
