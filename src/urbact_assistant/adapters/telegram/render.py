"""Telegram rendering as pure functions: HTML messages, keyboards, callback data, UI texts.

Nothing here imports ``telegram``: keyboards are rows of ``Button`` values that the bot turns
into inline keyboard markup. Every dynamic string is escaped here, and every message part is
kept under Telegram's 4096-character limit (measured in UTF-16 code units, on the HTML itself,
which is never shorter than the text Telegram counts after parsing the entities).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from urbact_assistant.answering.compose import CALL_WORDS, STATUS_WORDS
from urbact_assistant.core.models import Answer, AnyCard, NetworkCard, ProgrammePage
from urbact_assistant.knowledge.countries import country_name

LIMIT = 4096
CALLBACK_LIMIT = 64
SLUG_LIMIT = 40
LABEL_LIMIT = 40
PER_PAGE = 8
LANGUAGES = ("en", "fr", "de", "it", "es", "pl")
COMMANDS = ("start", "help", "networks", "network", "city", "join", "forget", "about")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- escaping and measuring --------------------------------------------------------------


def esc(text: object) -> str:
    """Escape text for Telegram HTML (``&``, ``<``, ``>``; quotes too, for attributes)."""
    return html.escape(str(text), quote=True)


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def safe_url(url: str) -> str | None:
    """An http(s) URL with unsafe characters percent-encoded; None for anything else."""
    from urllib.parse import quote

    url = url.strip()
    if not url.startswith(("http://", "https://")):
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def link(url: str, label: str) -> str:
    """``<a href>`` with both parts escaped; just the label when the URL is not http(s)."""
    href = safe_url(url)
    return f'<a href="{esc(href)}">{esc(label)}</a>' if href else esc(label)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(",;:") + "…"


# --- languages and texts -----------------------------------------------------------------


def pick_language(code: str | None) -> str:
    """One of ``LANGUAGES`` from a Telegram ``language_code`` (``pt-br`` → ``en``)."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else "en"


TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "start": (
            "<b>URBACT assistant</b>\n"
            "Ask me about URBACT city networks: which networks work on a topic, which cities "
            "take part, how a city can join.\n\n"
            "Answers are written by an AI assistant from a curated corpus of URBACT sources, "
            "with numbered citations: check the sources before relying on them.\n\n"
            "Try: <i>which networks tackle remote work?</i>\n"
            "/networks browse · /join calls · /help all commands"
        ),
        "help": (
            "<b>How to use me</b>\n"
            "Write a question as a message; follow-up questions keep the context.\n\n"
            "/networks [filters] browse networks (e.g. <i>/networks ongoing Poland food</i>)\n"
            "/network &lt;name&gt; one network's card\n"
            "/city &lt;name&gt; the networks a city takes part in\n"
            "/join current and next calls, how to take part\n"
            "/about sources, data freshness, privacy\n"
            "/forget delete everything stored about you\n\n"
            "In groups I answer commands, mentions and replies to my messages. "
            "In any chat, type @{bot} and a topic to share a network card."
        ),
        "too_long": "Your question is too long ({n} characters; at most {max}). Please shorten it.",
        "rate_limited": "You are asking very quickly. Please wait {s} seconds and ask again.",
        "non_text": "I can only read text. Send me your question as a message, "
        "e.g. <i>networks about food in Spain</i>.",
        "error": "Sorry, something went wrong. Please try again in a moment.",
        "forgot": "Done: everything stored about you (language, recent questions, feedback, "
        "preferences) is deleted.",
        "empty": "Send me a question, e.g. <i>which networks work on school streets?</i>",
        "not_found": "I found no network called “{name}”. Try /networks to browse.",
        "usage_network": "Usage: /network &lt;name&gt;, e.g. <i>/network Remote-IT</i>",
        "usage_city": "Usage: /city &lt;name&gt;, e.g. <i>/city Tartu</i>",
        "unknown_command": "I don't know that command. /help lists what I can do.",
        "sources": "Sources",
        "no_results": "No network matches these filters.",
        "networks": "Networks",
        "expired": "This button has expired.",
        "thanks": "Thanks for your feedback!",
        "all": "all",
    },
    "fr": {
        "start": (
            "<b>Assistant URBACT</b>\n"
            "Posez-moi vos questions sur les réseaux de villes URBACT : quels réseaux traitent "
            "d'un thème, quelles villes y participent, comment une ville peut les rejoindre.\n\n"
            "Les réponses sont rédigées par un assistant d'IA à partir d'un corpus de sources "
            "URBACT, avec des citations numérotées : vérifiez les sources.\n\n"
            "Essayez : <i>quels réseaux travaillent sur le télétravail ?</i>\n"
            "/networks parcourir · /join appels · /help toutes les commandes"
        ),
        "help": (
            "<b>Mode d'emploi</b>\n"
            "Écrivez une question ; les questions de suivi gardent le contexte.\n\n"
            "/networks [filtres] parcourir les réseaux\n"
            "/network &lt;nom&gt; la fiche d'un réseau\n"
            "/city &lt;nom&gt; les réseaux d'une ville\n"
            "/join appels en cours et à venir, comment participer\n"
            "/about sources, fraîcheur des données, confidentialité\n"
            "/forget effacer tout ce qui est stocké sur vous\n\n"
            "Dans les groupes, je réponds aux commandes, aux mentions et aux réponses à mes "
            "messages. Partout, tapez @{bot} et un thème pour partager une fiche."
        ),
        "too_long": "Votre question est trop longue ({n} caractères ; {max} au maximum). "
        "Raccourcissez-la, s'il vous plaît.",
        "rate_limited": "Vous posez beaucoup de questions. Attendez {s} secondes, puis réessayez.",
        "non_text": "Je ne lis que le texte. Envoyez votre question sous forme de message, "
        "p. ex. <i>réseaux sur l'alimentation en Espagne</i>.",
        "error": "Désolé, une erreur s'est produite. Réessayez dans un instant.",
        "forgot": "C'est fait : tout ce qui était stocké sur vous (langue, questions récentes, "
        "avis, préférences) est effacé.",
        "empty": "Envoyez-moi une question, p. ex. <i>quels réseaux travaillent sur les rues "
        "scolaires ?</i>",
        "not_found": "Je ne trouve aucun réseau nommé « {name} ». Essayez /networks.",
        "usage_network": "Usage : /network &lt;nom&gt;, p. ex. <i>/network Remote-IT</i>",
        "usage_city": "Usage : /city &lt;nom&gt;, p. ex. <i>/city Tartu</i>",
        "unknown_command": "Je ne connais pas cette commande. /help liste ce que je sais faire.",
        "sources": "Sources",
        "no_results": "Aucun réseau ne correspond à ces filtres.",
        "networks": "Réseaux",
        "expired": "Ce bouton a expiré.",
        "thanks": "Merci pour votre avis !",
        "all": "tous",
    },
    "de": {
        "start": (
            "<b>URBACT-Assistent</b>\n"
            "Fragen Sie mich zu URBACT-Städtenetzwerken: welche Netzwerke ein Thema bearbeiten, "
            "welche Städte mitmachen, wie eine Stadt teilnehmen kann.\n\n"
            "Die Antworten schreibt ein KI-Assistent aus einem Korpus von URBACT-Quellen, mit "
            "nummerierten Quellenangaben: Prüfen Sie die Quellen.\n\n"
            "Versuchen Sie: <i>Welche Netzwerke beschäftigen sich mit Telearbeit?</i>\n"
            "/networks stöbern · /join Aufrufe · /help alle Befehle"
        ),
        "help": (
            "<b>So funktioniert es</b>\n"
            "Schreiben Sie eine Frage; Folgefragen behalten den Kontext.\n\n"
            "/networks [Filter] Netzwerke durchsuchen\n"
            "/network &lt;Name&gt; Steckbrief eines Netzwerks\n"
            "/city &lt;Name&gt; die Netzwerke einer Stadt\n"
            "/join aktuelle und nächste Aufrufe, Teilnahme\n"
            "/about Quellen, Aktualität, Datenschutz\n"
            "/forget alles über Sie Gespeicherte löschen\n\n"
            "In Gruppen antworte ich auf Befehle, Erwähnungen und Antworten auf meine "
            "Nachrichten. Überall: @{bot} und ein Thema, um einen Steckbrief zu teilen."
        ),
        "too_long": "Ihre Frage ist zu lang ({n} Zeichen; höchstens {max}). Bitte kürzen Sie sie.",
        "rate_limited": "Sie fragen sehr schnell. Bitte warten Sie {s} Sekunden.",
        "non_text": "Ich kann nur Text lesen. Senden Sie Ihre Frage als Nachricht, "
        "z. B. <i>Netzwerke zu Ernährung in Spanien</i>.",
        "error": "Entschuldigung, etwas ist schiefgelaufen. Bitte versuchen Sie es gleich noch einmal.",
        "forgot": "Erledigt: Alles über Sie Gespeicherte (Sprache, letzte Fragen, Bewertungen, "
        "Einstellungen) ist gelöscht.",
        "empty": "Senden Sie mir eine Frage, z. B. <i>Welche Netzwerke arbeiten zu Schulstraßen?</i>",
        "not_found": "Ich finde kein Netzwerk namens „{name}“. Versuchen Sie /networks.",
        "usage_network": "Verwendung: /network &lt;Name&gt;, z. B. <i>/network Remote-IT</i>",
        "usage_city": "Verwendung: /city &lt;Name&gt;, z. B. <i>/city Tartu</i>",
        "unknown_command": "Diesen Befehl kenne ich nicht. /help zeigt, was ich kann.",
        "sources": "Quellen",
        "no_results": "Kein Netzwerk passt zu diesen Filtern.",
        "networks": "Netzwerke",
        "expired": "Diese Schaltfläche ist abgelaufen.",
        "thanks": "Danke für Ihre Bewertung!",
        "all": "alle",
    },
    "it": {
        "start": (
            "<b>Assistente URBACT</b>\n"
            "Chiedimi delle reti di città URBACT: quali reti lavorano su un tema, quali città "
            "partecipano, come una città può aderire.\n\n"
            "Le risposte sono scritte da un assistente di IA a partire da un corpus di fonti "
            "URBACT, con citazioni numerate: verifica le fonti.\n\n"
            "Prova: <i>quali reti si occupano di lavoro da remoto?</i>\n"
            "/networks sfoglia · /join bandi · /help tutti i comandi"
        ),
        "help": (
            "<b>Come usarmi</b>\n"
            "Scrivi una domanda; le domande successive mantengono il contesto.\n\n"
            "/networks [filtri] sfoglia le reti\n"
            "/network &lt;nome&gt; la scheda di una rete\n"
            "/city &lt;nome&gt; le reti di una città\n"
            "/join bandi aperti e prossimi, come partecipare\n"
            "/about fonti, aggiornamento dei dati, privacy\n"
            "/forget cancella tutto ciò che è memorizzato su di te\n\n"
            "Nei gruppi rispondo a comandi, menzioni e risposte ai miei messaggi. "
            "Ovunque: scrivi @{bot} e un tema per condividere una scheda."
        ),
        "too_long": "La domanda è troppo lunga ({n} caratteri; al massimo {max}). Accorciala, per favore.",
        "rate_limited": "Stai facendo domande molto in fretta. Attendi {s} secondi e riprova.",
        "non_text": "Leggo solo testo. Inviami la domanda come messaggio, "
        "ad es. <i>reti sul cibo in Spagna</i>.",
        "error": "Spiacente, qualcosa è andato storto. Riprova tra un momento.",
        "forgot": "Fatto: tutto ciò che era memorizzato su di te (lingua, domande recenti, "
        "valutazioni, preferenze) è stato cancellato.",
        "empty": "Inviami una domanda, ad es. <i>quali reti lavorano sulle strade scolastiche?</i>",
        "not_found": "Non trovo nessuna rete chiamata «{name}». Prova /networks.",
        "usage_network": "Uso: /network &lt;nome&gt;, ad es. <i>/network Remote-IT</i>",
        "usage_city": "Uso: /city &lt;nome&gt;, ad es. <i>/city Tartu</i>",
        "unknown_command": "Non conosco questo comando. /help elenca cosa so fare.",
        "sources": "Fonti",
        "no_results": "Nessuna rete corrisponde a questi filtri.",
        "networks": "Reti",
        "expired": "Questo pulsante è scaduto.",
        "thanks": "Grazie per la valutazione!",
        "all": "tutte",
    },
    "es": {
        "start": (
            "<b>Asistente URBACT</b>\n"
            "Pregúntame por las redes de ciudades URBACT: qué redes trabajan un tema, qué "
            "ciudades participan, cómo puede unirse una ciudad.\n\n"
            "Las respuestas las escribe un asistente de IA a partir de un corpus de fuentes "
            "URBACT, con citas numeradas: comprueba las fuentes.\n\n"
            "Prueba: <i>¿qué redes trabajan sobre el teletrabajo?</i>\n"
            "/networks explorar · /join convocatorias · /help todos los comandos"
        ),
        "help": (
            "<b>Cómo usarme</b>\n"
            "Escribe una pregunta; las preguntas de seguimiento mantienen el contexto.\n\n"
            "/networks [filtros] explorar las redes\n"
            "/network &lt;nombre&gt; la ficha de una red\n"
            "/city &lt;nombre&gt; las redes de una ciudad\n"
            "/join convocatorias actuales y próximas, cómo participar\n"
            "/about fuentes, actualidad de los datos, privacidad\n"
            "/forget borrar todo lo guardado sobre ti\n\n"
            "En grupos respondo a comandos, menciones y respuestas a mis mensajes. "
            "En cualquier chat, escribe @{bot} y un tema para compartir una ficha."
        ),
        "too_long": "Tu pregunta es demasiado larga ({n} caracteres; como máximo {max}). "
        "Acórtala, por favor.",
        "rate_limited": "Estás preguntando muy rápido. Espera {s} segundos y vuelve a intentarlo.",
        "non_text": "Solo puedo leer texto. Envíame tu pregunta como mensaje, "
        "p. ej. <i>redes sobre alimentación en España</i>.",
        "error": "Lo siento, algo ha fallado. Inténtalo de nuevo en un momento.",
        "forgot": "Hecho: todo lo guardado sobre ti (idioma, preguntas recientes, valoraciones, "
        "preferencias) se ha borrado.",
        "empty": "Envíame una pregunta, p. ej. <i>¿qué redes trabajan sobre calles escolares?</i>",
        "not_found": "No encuentro ninguna red llamada «{name}». Prueba /networks.",
        "usage_network": "Uso: /network &lt;nombre&gt;, p. ej. <i>/network Remote-IT</i>",
        "usage_city": "Uso: /city &lt;nombre&gt;, p. ej. <i>/city Tartu</i>",
        "unknown_command": "No conozco ese comando. /help muestra lo que sé hacer.",
        "sources": "Fuentes",
        "no_results": "Ninguna red coincide con estos filtros.",
        "networks": "Redes",
        "expired": "Este botón ha caducado.",
        "thanks": "¡Gracias por tu valoración!",
        "all": "todas",
    },
    "pl": {
        "start": (
            "<b>Asystent URBACT</b>\n"
            "Zapytaj mnie o sieci miast URBACT: które sieci zajmują się danym tematem, które "
            "miasta w nich uczestniczą, jak miasto może dołączyć.\n\n"
            "Odpowiedzi pisze asystent AI na podstawie korpusu źródeł URBACT, z numerowanymi "
            "przypisami: sprawdzaj źródła.\n\n"
            "Spróbuj: <i>które sieci zajmują się pracą zdalną?</i>\n"
            "/networks przeglądaj · /join nabory · /help wszystkie polecenia"
        ),
        "help": (
            "<b>Jak ze mnie korzystać</b>\n"
            "Napisz pytanie; kolejne pytania zachowują kontekst.\n\n"
            "/networks [filtry] przeglądaj sieci\n"
            "/network &lt;nazwa&gt; karta jednej sieci\n"
            "/city &lt;nazwa&gt; sieci, w których uczestniczy miasto\n"
            "/join bieżące i kolejne nabory, jak dołączyć\n"
            "/about źródła, aktualność danych, prywatność\n"
            "/forget usuń wszystko, co o Tobie zapisano\n\n"
            "W grupach odpowiadam na polecenia, wzmianki i odpowiedzi na moje wiadomości. "
            "W dowolnym czacie wpisz @{bot} i temat, aby udostępnić kartę sieci."
        ),
        "too_long": "Pytanie jest za długie ({n} znaków; najwyżej {max}). Proszę je skrócić.",
        "rate_limited": "Zadajesz pytania bardzo szybko. Poczekaj {s} sekund i spróbuj ponownie.",
        "non_text": "Czytam tylko tekst. Wyślij pytanie jako wiadomość, "
        "np. <i>sieci o żywności w Hiszpanii</i>.",
        "error": "Przepraszam, coś poszło nie tak. Spróbuj ponownie za chwilę.",
        "forgot": "Gotowe: wszystko, co o Tobie zapisano (język, ostatnie pytania, oceny, "
        "ustawienia), zostało usunięte.",
        "empty": "Wyślij mi pytanie, np. <i>które sieci zajmują się ulicami szkolnymi?</i>",
        "not_found": "Nie znajduję sieci o nazwie „{name}”. Spróbuj /networks.",
        "usage_network": "Użycie: /network &lt;nazwa&gt;, np. <i>/network Remote-IT</i>",
        "usage_city": "Użycie: /city &lt;nazwa&gt;, np. <i>/city Tartu</i>",
        "unknown_command": "Nie znam tego polecenia. /help pokazuje, co potrafię.",
        "sources": "Źródła",
        "no_results": "Żadna sieć nie pasuje do tych filtrów.",
        "networks": "Sieci",
        "expired": "Ten przycisk wygasł.",
        "thanks": "Dziękuję za ocenę!",
        "all": "wszystkie",
    },
}

# Toasts of answerCallbackQuery are plain text, never parsed as HTML.
PLAIN_KEYS = frozenset({"expired", "thanks", "all"})

COMMAND_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "en": {
        "start": "What this bot does",
        "help": "How to use the bot",
        "networks": "Browse networks by topic, country, type, status",
        "network": "One network's card",
        "city": "Networks a city takes part in",
        "join": "Current and next calls, how to join",
        "forget": "Delete everything stored about you",
        "about": "Sources, data freshness, privacy",
    },
    "fr": {
        "start": "Ce que fait ce bot",
        "help": "Mode d'emploi",
        "networks": "Parcourir les réseaux par thème, pays, type, statut",
        "network": "La fiche d'un réseau",
        "city": "Les réseaux d'une ville",
        "join": "Appels en cours et à venir, comment participer",
        "forget": "Effacer tout ce qui est stocké sur vous",
        "about": "Sources, fraîcheur des données, confidentialité",
    },
    "de": {
        "start": "Was dieser Bot macht",
        "help": "So benutzen Sie den Bot",
        "networks": "Netzwerke nach Thema, Land, Typ, Status durchsuchen",
        "network": "Steckbrief eines Netzwerks",
        "city": "Netzwerke einer Stadt",
        "join": "Aktuelle und nächste Aufrufe, Teilnahme",
        "forget": "Alles über Sie Gespeicherte löschen",
        "about": "Quellen, Aktualität, Datenschutz",
    },
    "it": {
        "start": "Cosa fa questo bot",
        "help": "Come usare il bot",
        "networks": "Sfoglia le reti per tema, paese, tipo, stato",
        "network": "La scheda di una rete",
        "city": "Le reti di una città",
        "join": "Bandi aperti e prossimi, come partecipare",
        "forget": "Cancella tutto ciò che è memorizzato su di te",
        "about": "Fonti, aggiornamento dei dati, privacy",
    },
    "es": {
        "start": "Qué hace este bot",
        "help": "Cómo usar el bot",
        "networks": "Explorar redes por tema, país, tipo, estado",
        "network": "La ficha de una red",
        "city": "Las redes de una ciudad",
        "join": "Convocatorias actuales y próximas, cómo participar",
        "forget": "Borrar todo lo guardado sobre ti",
        "about": "Fuentes, actualidad de los datos, privacidad",
    },
    "pl": {
        "start": "Co robi ten bot",
        "help": "Jak korzystać z bota",
        "networks": "Przeglądaj sieci według tematu, kraju, typu, statusu",
        "network": "Karta jednej sieci",
        "city": "Sieci, w których uczestniczy miasto",
        "join": "Bieżące i kolejne nabory, jak dołączyć",
        "forget": "Usuń wszystko, co o Tobie zapisano",
        "about": "Źródła, aktualność danych, prywatność",
    },
}


def text(lang: str, key: str, **values: object) -> str:
    """A UI text in ``lang`` (English when missing), with ``values`` escaped into it."""
    template = TEXTS.get(lang, TEXTS["en"]).get(key) or TEXTS["en"][key]
    if key in PLAIN_KEYS:
        return template.format(**values)
    return template.format(**{k: esc(v) for k, v in values.items()})


def command_list(lang: str) -> list[tuple[str, str]]:
    """``(command, description)`` pairs for ``setMyCommands`` in ``lang``."""
    descriptions = COMMAND_DESCRIPTIONS.get(lang, COMMAND_DESCRIPTIONS["en"])
    return [(c, descriptions[c]) for c in COMMANDS]


# --- keyboards and callback data ---------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """An inline keyboard button: ``data`` (callback data) or ``url``."""

    label: str
    data: str | None = None
    url: str | None = None


Keyboard = list[list[Button]]


def _checked(data: str) -> str:
    if not 0 < len(data.encode("utf-8")) <= CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
    return data


def is_slug(slug: str) -> bool:
    return len(slug) <= SLUG_LIMIT and bool(_SLUG.match(slug))


def card_data(slug: str) -> str:
    """``c:<slug>``: open a card. Raises ValueError for a slug that is not a short slug."""
    if not is_slug(slug):
        raise ValueError(f"not a slug of at most {SLUG_LIMIT} characters: {slug!r}")
    return _checked(f"c:{slug}")


def feedback_data(answer_id: int, up: bool) -> str:
    """``f:<answer id>:u`` or ``f:<answer id>:d``: 👍 or 👎 on one answer."""
    return _checked(f"f:{int(answer_id)}:{'u' if up else 'd'}")


STATUS_CODES = {"o": "ongoing", "e": "ended", "u": "upcoming"}
TYPE_CODES = {
    "ap": "action-planning",
    "t": "transfer",
    "it": "innovation-transfer",
    "a": "action",
    "i": "implementation",
    "th": "thematic",
    "p": "pilot",
}
TYPE_SHORT = {
    "ap": "APN",
    "t": "TN",
    "it": "ITN",
    "a": "AN",
    "i": "IN",
    "th": "TN II",
    "p": "Pilot",
}


@dataclass(frozen=True)
class BrowseFilter:
    """The filters of a ``/networks`` list; empty strings mean "any"."""

    status: str = ""  # a key of STATUS_CODES
    type: str = ""  # a key of TYPE_CODES
    country: str = ""  # ISO alpha-2
    topic: str = ""

    def encode(self, page: int) -> str:
        """``n:<page>:<status>:<type>:<country>:<topic>``, the topic cut to fit 64 bytes."""
        head = f"n:{max(0, page)}:{self.status}:{self.type}:{self.country}:"
        room = CALLBACK_LIMIT - len(head.encode("utf-8"))
        topic = self.topic.encode("utf-8")[:room].decode("utf-8", "ignore")
        return _checked(head + topic)

    def with_(self, **changes: str) -> BrowseFilter:
        from dataclasses import replace

        return replace(self, **changes)

    def describe(self) -> str:
        """``“food” · Spain · ongoing · Transfer Network`` (plain text, escape before use)."""
        from urbact_assistant.core.models import NETWORK_TYPES

        parts = [f"“{self.topic}”" if self.topic else ""]
        parts.append(country_name(self.country) if self.country else "")
        parts.append(STATUS_CODES.get(self.status, ""))
        parts.append(NETWORK_TYPES.get(TYPE_CODES.get(self.type, ""), ""))
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class Callback:
    """Decoded callback data."""

    kind: str  # "card", "feedback" or "browse"
    slug: str = ""
    answer_id: int = 0
    up: bool = False
    page: int = 0
    filters: BrowseFilter = BrowseFilter()


def parse_callback(data: str | None) -> Callback | None:
    """The action behind callback data, or None when it is not ours or malformed."""
    if not data or len(data.encode("utf-8")) > CALLBACK_LIMIT:
        return None
    prefix, _, rest = data.partition(":")
    if prefix == "c" and is_slug(rest):
        return Callback("card", slug=rest)
    if prefix == "f":
        number, _, vote = rest.partition(":")
        if number.isdigit() and vote in ("u", "d"):
            return Callback("feedback", answer_id=int(number), up=vote == "u")
        return None
    if prefix == "n":
        fields = rest.split(":", 4)
        if len(fields) != 5 or not fields[0].isdigit():
            return None
        page, status, type_, country, topic = fields
        if status not in ("", *STATUS_CODES) or type_ not in ("", *TYPE_CODES):
            return None
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            return None
        return Callback(
            "browse", page=int(page), filters=BrowseFilter(status, type_, country, topic)
        )
    return None


def _label(text: str) -> str:
    return shorten(text, LABEL_LIMIT)


def card_buttons(slugs_and_names: Iterable[tuple[str, str]], prefix: str = "") -> list[Button]:
    """One ``c:<slug>`` button per card; cards whose slug cannot be encoded are skipped."""
    buttons = []
    for slug, name in slugs_and_names:
        if is_slug(slug):
            buttons.append(Button(_label(f"{prefix}{name}"), data=card_data(slug)))
    return buttons


def rows(buttons: Sequence[Button], width: int) -> Keyboard:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def answer_keyboard(answer: Answer, answer_id: int | None, max_cards: int = 8) -> Keyboard:
    """One button per cited card (opens it in the chat), then 👍/👎."""
    cited = [(c.slug, f"[{c.n}] {c.name}") for c in answer.citations[:max_cards]]
    keyboard = rows(card_buttons(cited), 2)
    if answer_id is not None:
        keyboard.append(
            [
                Button("👍", data=feedback_data(answer_id, True)),
                Button("👎", data=feedback_data(answer_id, False)),
            ]
        )
    return keyboard


# --- answers -----------------------------------------------------------------------------


def _render_block(plain: str) -> str:
    """A paragraph of answer text as HTML: escaped, ``- `` list lines as bullets."""
    lines = []
    for line in plain.split("\n"):
        stripped = line.strip()
        if stripped.startswith("- "):
            lines.append("• " + esc(stripped[2:]))
        else:
            lines.append(esc(line.rstrip()))
    return "\n".join(lines)


def fit(plain: str, render: Callable[[str], str], limit: int = LIMIT) -> list[str]:
    """``render(plain)`` cut into pieces of at most ``limit``: by lines, then words, then chars."""
    if not plain.strip():
        return []
    whole = render(plain)
    if tg_len(whole) <= limit:
        return [whole]
    separator = next((s for s in ("\n", " ") if s in plain.strip()), "")
    units = plain.strip().split(separator) if separator else list(plain)
    out: list[str] = []
    current: str | None = None
    for unit in units:
        candidate = unit if current is None else f"{current}{separator}{unit}"
        if tg_len(render(candidate)) <= limit:
            current = candidate
            continue
        if current is not None and current.strip():
            out.append(render(current))
        if tg_len(render(unit)) <= limit:
            current = unit
        else:  # one unit alone is too long: cut it further
            out.extend(fit(unit, render, limit))
            current = None
    if current is not None and current.strip():
        out.append(render(current))
    return out


def pack(blocks: Iterable[str], limit: int = LIMIT, sep: str = "\n\n") -> list[str]:
    """Join rendered blocks with ``sep`` into as few parts as fit under ``limit`` each."""
    parts: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{sep}{block}" if current else block
        if tg_len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = block[:limit]  # blocks are made to fit; a line is far below the limit
    if current:
        parts.append(current)
    return parts


def answer_blocks(answer: Answer, lang: str = "en", limit: int = LIMIT) -> list[str]:
    """The answer's paragraphs, note and sources as HTML blocks, each under ``limit``."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", answer.text.strip()):
        blocks += fit(paragraph, _render_block, limit)
    if answer.note:
        blocks += fit(answer.note, lambda s: f"<i>{esc(s)}</i>", limit)
    if answer.citations:
        lines = [f"<b>{esc(text(lang, 'sources'))}</b>"]
        lines += [f"[{c.n}] {link(c.url, c.name)}" for c in answer.citations]
        blocks += pack_lines(lines, limit)
    return blocks


def pack_lines(lines: Sequence[str], limit: int) -> list[str]:
    """Rendered lines joined by newlines into blocks under ``limit``."""
    return pack(lines, limit, sep="\n")


def answer_parts(answer: Answer, lang: str = "en", limit: int = LIMIT) -> list[str]:
    """The answer as HTML messages, split at paragraph boundaries, each under ``limit``."""
    return pack(answer_blocks(answer, lang, limit), limit) or [esc(answer.text or "…")]


def streaming_text(partial: str, limit: int = LIMIT - 96) -> str:
    """A streamed answer so far, escaped, with its tail kept when it is too long."""
    body = esc(partial.strip() or "…")
    if tg_len(body) <= limit:
        return body + " ▍"
    plain = partial.strip()
    while plain and tg_len(esc(plain)) > limit - 2:
        plain = plain[len(plain) // 10 or 1 :]
    return "…" + esc(plain) + " ▍"


# --- cards -------------------------------------------------------------------------------

STATUS_LABELS = STATUS_WORDS  # the composer's words, so both interfaces say the same
CALL_LABELS = CALL_WORDS


def summary(body: str, limit: int = 900) -> str:
    """The body's first paragraph, without Markdown emphasis, cut to ``limit`` characters."""
    first = re.split(r"\n\s*\n", body.strip(), maxsplit=1)[0]
    first = re.sub(r"\*\*|__|`", "", first)
    first = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", first)  # Markdown links: keep the label
    return shorten(first, limit)


def network_card(card: NetworkCard, today: dt.date, limit: int = LIMIT) -> str:
    """A network's card: type, period and status as of today, partners, themes, summary."""
    for summary_limit, partners_limit in ((900, 40), (400, 15), (150, 5)):
        lines = [f"<b>{esc(card.name)}</b>", esc(f"{card.type_label} · {card.programme}")]
        status = STATUS_LABELS[card.status(today)]
        period = card.period()
        lines.append(f"📅 {esc(period + ', ' if period else '')}<b>{esc(status)}</b>")
        if card.lead_partner:
            lines.append(f"Lead partner: {esc(card.lead_partner.label())}")
        if card.partners:
            shown = [p.label() for p in card.partners[:partners_limit]]
            more = len(card.partners) - len(shown)
            tail = f" and {more} more" if more > 0 else ""
            lines.append(f"Partners: {esc(', '.join(shown) + tail)}")
        if card.themes:
            lines.append(f"Themes: <i>{esc(', '.join(card.themes))}</i>")
        lines += ["", esc(summary(card.body, summary_limit)), "", link(card.url, "Source")]
        rendered = "\n".join(lines)
        if tg_len(rendered) <= limit:
            return rendered
    return f"<b>{esc(shorten(card.name, 200))}</b>\n{link(card.url, 'Source')}"


def call_line(page: ProgrammePage, today: dt.date) -> str:
    """``Call for … (17 March 2026 – 17 June 2026; open now)`` in HTML."""
    dates = " – ".join(d.human() for d in (page.opens, page.closes) if d)
    state = CALL_LABELS[page.call_status(today)]
    details = "; ".join(x for x in (dates, state) if x)
    head = f"<b>{esc(page.title)}</b>"
    return f"{head} ({esc(details)})" if details else head


def page_card(page: ProgrammePage, today: dt.date, limit: int = LIMIT) -> str:
    """A programme page's card: title, call dates and state as of today, summary, source."""
    head = call_line(page, today) if page.kind == "call" else f"<b>{esc(page.title)}</b>"
    for summary_limit in (1500, 600, 150):
        rendered = "\n".join(
            [head, "", esc(summary(page.body, summary_limit)), "", link(page.url, "Source")]
        )
        if tg_len(rendered) <= limit:
            return rendered
    return head[:200]


def card_html(card: AnyCard, today: dt.date) -> str:
    if isinstance(card, NetworkCard):
        return network_card(card, today)
    return page_card(card, today)


def card_keyboard(card: AnyCard, similar: Sequence[NetworkCard] = ()) -> Keyboard:
    """Buttons for similar networks (≈ Name), then a link to the card's source."""
    keyboard = rows(card_buttons(((c.slug, c.name) for c in similar), prefix="≈ "), 2)
    if url := safe_url(card.url):
        keyboard.append([Button("urbact.eu ↗" if "urbact.eu" in card.url else "Source ↗", url=url)])
    return keyboard


def inline_description(card: NetworkCard, today: dt.date) -> str:
    """One line under an inline result's title: period and status, then what it is about."""
    period = card.period()
    status = STATUS_LABELS[card.status(today)]
    head = f"{period}, {status}" if period else status
    return shorten(f"{head} · {card.first_sentence}", 200)


# --- lists -------------------------------------------------------------------------------


def matching_networks(
    networks: Iterable[NetworkCard], filters: BrowseFilter, today: dt.date
) -> list[NetworkCard]:
    """Networks passing the status, type and country filters (topic ranking is the caller's)."""
    out = []
    for card in networks:
        if filters.status and card.status(today) != STATUS_CODES[filters.status]:
            continue
        if filters.type and card.type != TYPE_CODES[filters.type]:
            continue
        if filters.country and filters.country not in card.countries:
            continue
        out.append(card)
    return out


def browse_order(cards: Iterable[NetworkCard], today: dt.date) -> list[NetworkCard]:
    """Ongoing first, then upcoming, then ended; the newest first within each."""
    rank = {"ongoing": 0, "upcoming": 1, "unknown": 2, "ended": 3}
    return sorted(
        cards,
        key=lambda c: (rank[c.status(today)], -(c.start.first.toordinal() if c.start else 0)),
    )


def browse_page(
    cards: Sequence[NetworkCard],
    filters: BrowseFilter,
    page: int,
    today: dt.date,
    lang: str = "en",
    per_page: int = PER_PAGE,
) -> tuple[str, Keyboard]:
    """One page of a network list: a numbered list, card buttons, paging and filter buttons."""
    pages = max(1, -(-len(cards) // per_page))
    page = min(max(0, page), pages - 1)
    shown = cards[page * per_page : (page + 1) * per_page]
    title = f"<b>{esc(text(lang, 'networks'))}</b>"
    described = filters.describe()
    if described:
        title += f" · {esc(described)}"
    lines = [f"{title} ({len(cards)})"]
    if not cards:
        lines.append(text(lang, "no_results"))
    for i, card in enumerate(shown, start=page * per_page + 1):
        period = card.period()
        status = STATUS_LABELS[card.status(today)]
        lines.append(
            f"{i}. <b>{esc(card.name)}</b>: {esc(shorten(card.first_sentence, 160))} "
            f"<i>({esc(f'{period}, {status}' if period else status)})</i>"
        )
    if pages > 1:
        lines.append(f"<i>{page + 1}/{pages}</i>")
    keyboard = rows(card_buttons((c.slug, c.name) for c in shown), 2)
    nav = []
    if page > 0:
        nav.append(Button("◀", data=filters.encode(page - 1)))
    if page < pages - 1:
        nav.append(Button("▶", data=filters.encode(page + 1)))
    if nav:
        keyboard.append(nav)
    keyboard.append(_status_row(filters, lang))
    keyboard.append(_type_row(filters, lang))
    return "\n".join(pack_lines(lines, LIMIT)[:1]), keyboard


def _status_row(filters: BrowseFilter, lang: str) -> list[Button]:
    options = [("o", "ongoing"), ("e", "ended"), ("", text(lang, "all"))]
    return [
        Button(
            ("✓ " if filters.status == code else "") + label,
            data=filters.with_(status=code).encode(0),
        )
        for code, label in options
    ]


def _type_row(filters: BrowseFilter, lang: str) -> list[Button]:
    options = [(code, TYPE_SHORT[code]) for code in ("ap", "t", "it", "a")]
    options.append(("", text(lang, "all")))
    return [
        Button(
            ("✓ " if filters.type == code else "") + label, data=filters.with_(type=code).encode(0)
        )
        for code, label in options
    ]


def join_message(
    calls: Sequence[ProgrammePage], how_to_join: ProgrammePage | None, today: dt.date
) -> tuple[str, Keyboard]:
    """``/join``: open and upcoming calls first, the latest closed ones, then how to take part."""
    order = {"open": 0, "upcoming": 1, "unknown": 2, "closed": 3}

    def when(page: ProgrammePage) -> int:
        date = page.closes or page.opens
        return date.first.toordinal() if date else 0

    live = sorted(
        (c for c in calls if c.call_status(today) in ("open", "upcoming")),
        key=lambda c: (order[c.call_status(today)], when(c)),
    )
    past = sorted((c for c in calls if c not in live), key=when, reverse=True)[:3]
    lines = ["<b>Calls for networks</b>"]
    if not live:
        lines.append("<i>No call is open or announced today; the most recent ones:</i>")
    for call in [*live, *past]:
        lines.append(f"• {call_line(call, today)} {link(call.url, '↗')}")
    if how_to_join:
        lines += ["", f"<b>{esc(how_to_join.title)}</b>", esc(summary(how_to_join.body, 1200))]
    message = pack(pack_lines(lines, LIMIT))[0]
    shown = [*live, *past] + ([how_to_join] if how_to_join else [])
    keyboard = rows(card_buttons((c.slug, c.title) for c in shown), 2)
    return message, keyboard


def about_message(
    networks: int, pages: int, checked: dt.date | None, mode: str, today: dt.date
) -> str:
    """``/about``: where answers come from, how fresh the data is, what is stored."""
    fresh = checked.isoformat() if checked else "unknown"
    return "\n".join(
        [
            "<b>About this bot</b>",
            f"Answers come from a curated corpus of {networks} URBACT network cards and "
            f"{pages} programme pages, built from public sources (mostly "
            '<a href="https://urbact.eu">urbact.eu</a>); every answer cites its sources.',
            f"Data last checked: {esc(fresh)}. Network and call status is computed from their "
            f"dates as of today ({esc(today.isoformat())}).",
            f"Answer mode: {esc(mode)}. Answers are generated automatically and can be "
            "wrong: check the cited sources.",
            "",
            "<b>Privacy</b>",
            "Stored, per chat: your language, your last 4 questions and answers (for follow-up "
            "questions) and your 👍/👎 feedback. Nothing is shared. /forget deletes all of it "
            "at once.",
        ]
    )


STATUS_WORDS = {
    "o": ("ongoing", "current", "active", "running", "en-cours", "encours", "laufend", "aktiv",
          "aktuell", "attive", "attivi", "in-corso", "activas", "activos", "en-curso", "trwajace",
          "aktywne"),
    "e": ("ended", "past", "finished", "closed", "terminated", "termines", "terminees", "beendet",
          "abgeschlossen", "concluse", "concluse", "terminate", "finalizadas", "terminadas",
          "zakonczone"),
    "u": ("upcoming", "future", "planned", "next", "a-venir", "geplant", "future", "proximas",
          "planowane"),
}  # fmt: skip
TYPE_WORDS = {
    "ap": ("apn", "action-planning", "planning"),
    "t": ("tn", "transfer"),
    "it": ("itn", "innovation-transfer", "innovation"),
    "a": ("an", "action"),
    "i": ("in", "implementation"),
    "th": ("thematic",),
    "p": ("pilot",),
}


def fold(word: str) -> str:
    """Lower case, accents removed: ``Terminés`` → ``termines``."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_browse_args(words: Sequence[str], countries: dict[str, str]) -> BrowseFilter:
    """``/networks`` arguments as filters: status and type words, a country (code or name,
    from ``countries``: folded name → code), and the remaining words as the topic."""
    status = type_ = country = ""
    topic: list[str] = []
    folded = [fold(w).strip(",.;") for w in words]
    i = 0
    while i < len(folded):
        word, pair = folded[i], "-".join(folded[i : i + 2])
        if not status and (code := _lookup(STATUS_WORDS, pair)):
            status, i = code, i + 2
        elif not type_ and (code := _lookup(TYPE_WORDS, pair)):
            type_, i = code, i + 2
        elif not country and pair.replace("-", " ") in countries:
            country, i = countries[pair.replace("-", " ")], i + 2
        elif not status and (code := _lookup(STATUS_WORDS, word)):
            status, i = code, i + 1
        elif not type_ and (code := _lookup(TYPE_WORDS, word)) and word not in ("in", "an"):
            type_, i = code, i + 1
        elif not country and (key := _country_key(words[i].strip(",.;"), word)) in countries:
            country, i = countries[key], i + 1
        else:
            if word and word not in (
                "networks",
                "network",
                "reseaux",
                "netzwerke",
                "reti",
                "redes",
                "sieci",
            ):
                topic.append(words[i].strip(",.;"))
            i += 1
    return BrowseFilter(status, type_, country, shorten(" ".join(topic), 40))


def _lookup(table: dict[str, tuple[str, ...]], word: str) -> str:
    return next((code for code, words in table.items() if word in words), "")


def _country_key(original: str, folded: str) -> str:
    """An upper-case two-letter code as written (``PL``, not ``de``), else the folded name."""
    if len(original) == 2:
        return original if original.isupper() else ""
    return folded
