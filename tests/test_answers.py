"""Answers: the asked fact first, in the asker's language, short, honest about limits."""

from __future__ import annotations

import re

import pytest

from urbact_assistant import Conversation, eval_set
from urbact_assistant.core.phrases import say

LIMIT = 1200


@pytest.mark.parametrize(
    ("question", "language", "first_line"),
    [
        (
            "who leads SCHOOLHOODS?",
            "en",
            r"^The lead partner of SCHOOLHOODS is Rethymno \(Greece\)",
        ),
        ("Qui est chef de file du réseau SCHOOLHOODS ?", "fr", r"Rethymno \(Grèce\)"),
        ("Wer leitet das Netzwerk GenProcure?", "de", r"Vila Nova de Famalicão \(Portugal\)"),
    ],
)
def test_the_asked_attribute_comes_first_in_the_askers_language(
    assistant, question, language, first_line
):
    answer = assistant.ask(question)
    assert answer.language == language
    assert re.search(first_line, answer.text.splitlines()[0]), answer.text
    assert len(answer.text) <= LIMIT


def test_how_many_partners_is_answered_with_the_number(assistant):
    answer = assistant.ask("How many partners can a Transfer Network have?")
    assert re.search(r"\b6\b.*\b8\b", answer.text.splitlines()[0]), answer.text
    polish = assistant.ask("Ilu partnerów może mieć sieć APN?")
    assert polish.language == "pl"
    assert re.search(r"\b8\b.*\b10\b", polish.text.splitlines()[0]), polish.text


def test_is_a_call_open_says_no_and_names_the_last_one_from_the_dates(assistant):
    answer = assistant.ask("Is there an URBACT call open now?")
    assert answer.text.startswith("No.")
    assert "2026" in answer.text and [c.slug for c in answer.citations] == [
        "call-action-networks-2026"
    ]


@pytest.mark.parametrize(
    "question",
    [
        "How can my city join the next call?",
        "Hogyan csatlakozhat a városom a következő pályázathoz?",
    ],
)
def test_a_how_question_about_the_call_gets_no_bare_no(assistant, question):
    answer = assistant.ask(question)
    assert [c.slug for c in answer.citations][:1] == ["call-action-networks-2026"]
    assert not re.match(r"(No|Nem)\.", answer.text), answer.text


def test_eligibility_of_a_country(assistant):
    answer = assistant.ask("Can a Ukrainian city join a Transfer Network?")
    assert answer.text.startswith("Yes.") and "Ukraine" in answer.text


@pytest.mark.parametrize(
    "question",
    ["help me find a flat in Lisbon", "¿Dónde renuevo el pasaporte en Valencia?"],
)
def test_personal_requests_are_declined_without_claims_or_citations(assistant, question):
    answer = assistant.ask(question)
    assert answer.citations == []
    assert "Lisbon" not in answer.text and "Valencia" not in answer.text


@pytest.mark.parametrize(
    ("question", "lang", "city"),
    [
        ("Is Miskolc in an URBACT network?", "en", "Miskolc"),
        ("Miskolc részt vesz URBACT hálózatban?", "hu", "Miskolc"),  # a phrase for taking part
        ("Deltar Kiruna i ett URBACT-nätverk?", "sv", "Kiruna"),
        # a place and a word for network, nothing about joining; the name as typed
        ("Has Galway ever been part of an URBACT network?", "en", "Galway"),
        ("Est-ce que Montpellier fait partie d'un réseau URBACT ?", "fr", "Montpellier"),
        ("Onko Jyväskylä mukana jossain URBACT-verkostossa?", "fi", "Jyväskylä"),
    ],
)
def test_a_city_the_cards_do_not_know_is_answered_as_a_city(assistant, question, lang, city):
    answer = assistant.ask(question)
    no, said = answer.text.split(".")[:2]  # "No. Miskolc is not a partner …"
    assert answer.language == lang and len(no.split()) == 1 and said.count(city) == 1, answer.text
    assert not answer.citations


def test_question_words_are_not_places(assistant):
    answer = assistant.ask("Quantos parceiros pode ter uma Rede de Transferência?")
    assert "Quantos" not in answer.text
    assert answer.language == "pt"


def test_a_country_without_a_national_point_page_gets_the_contact_page(assistant):
    answer = assistant.ask("Who is the National URBACT Point for Estonia?")
    assert "urbact.eu/how-find-us" in answer.text
    assert not any(c.slug.startswith("nup-") for c in answer.citations)


def test_long_lists_show_five_and_cite_every_network(assistant):
    answer = assistant.ask("which networks work on food?")
    assert answer.shown == 5 and len(answer.citations) > 5
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {1, 2, 3, 4, 5}
    assert len(answer.text) <= LIMIT


def test_a_planning_region_does_not_count_as_its_city(assistant):
    answer = assistant.ask("Is Riga in an URBACT network?")
    assert answer.citations
    for citation in answer.citations:
        card = assistant.card(citation.slug)
        assert any("Riga" in (p.name, p.city) and p.kind != "region" for p in card.members), (
            card.slug
        )
    regional = [
        c.slug for c in assistant.corpus.networks
        if any(p.name == "Riga Planning Region" for p in c.members)
        and not any(p.kind != "region" and "Riga" in (p.name, p.city) for p in c.members)
    ]  # fmt: skip
    assert regional and not set(regional) & {c.slug for c in answer.citations}


def test_the_conversation_keeps_the_language_as_a_hint(assistant):
    first = assistant.ask("Quels réseaux travaillent sur l'alimentation ?")
    assert first.language == "fr" and first.conversation.language == "fr"
    follow = assistant.ask("Tartu?", first.conversation)
    assert follow.language == "fr"
    state = Conversation.from_dict(follow.conversation.to_dict())
    assert state == follow.conversation


def test_a_clearly_worded_short_turn_in_another_language_switches(assistant):
    first = assistant.ask("Finns det en öppen utlysning just nu?")
    assert first.language == "sv"
    follow = assistant.ask("Is Remote-IT still running?", first.conversation)
    assert follow.language == "en" and follow.text.startswith("No.")


def test_answers_meet_the_bar_on_half_of_the_answer_set(assistant):
    scores = assistant.evaluate_answers(eval_set("answers.jsonl"), every=2)
    assert scores.questions >= 90
    assert scores.fact >= FACT_BAR, scores.table()
    assert scores.language >= LANGUAGE_BAR, scores.table()
    assert scores.short >= 0.95
    assert scores.declined == 1.0


FACT_BAR = 0.85  # measured 0.91 on the whole set (2026-12-07)
LANGUAGE_BAR = 0.93  # measured 0.98


def test_citizen_participation_is_a_topic_not_joining(assistant):
    answer = assistant.ask("Which networks work on citizen participation?")
    assert answer.citations and all(not c.slug.startswith("call-") for c in answer.citations)
    assert "activecitizens" in [c.slug for c in answer.citations]
    joining = assistant.ask("How can my city participate in URBACT?")
    assert any(c.slug in ("how-to-join", "call-action-networks-2026") for c in joining.citations)


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("¿Sigue activa la red SPARK o ya terminó?", "Sí."),
        ("FEMACT-Cities, c'est toujours en cours ou c'est terminé ?", "Non."),
        ("Has Remote-IT ended or is it still running?", "Yes."),
    ],
)
def test_an_either_or_status_question_answers_the_first_alternative(assistant, question, verdict):
    answer = assistant.ask(question)
    assert answer.text.startswith(verdict), answer.text


def test_what_types_of_networks_lists_the_types(assistant):
    answer = assistant.ask("Quels types de réseaux existe-t-il ?")
    cited = [c.slug for c in answer.citations]
    assert {"transfer-networks", "action-planning-networks", "action-networks"} <= set(cited)
    assert "Réseau de transfert" in answer.text and "6 à 8 partenaires" in answer.text
    topic = assistant.ask("transfer networks on food")
    assert not any(c.slug.endswith("-networks") for c in topic.citations)


def test_a_question_about_one_past_call_is_not_answered_with_todays_calls(assistant):
    closed = assistant.ask("Kedy sa skončila výzva na Transfer Networks, ktorá bežala 2017–2018?")
    assert "2018" in closed.text.splitlines()[0] and not closed.text.startswith("Nie")
    still_open = assistant.ask("Is the 2026 call still open?")
    assert still_open.text.startswith("No.") and "June 17, 2026" in still_open.text
    british = assistant.ask(
        "Konden Britse steden meedoen aan de call voor Action Planning Networks van 2019?"
    )
    assert british.text.startswith("Ja.") and "2019" in british.text


def test_allowed_asks_about_eligibility_and_a_refusal_says_no(assistant):
    ukraine = assistant.ask("are Ukrainian municipalities even allowed in URBACT networks?")
    assert ukraine.text.startswith("Yes.") and "Ukraine" in ukraine.text
    moldova = assistant.ask(
        "Može li grad iz Moldove sudjelovati u pozivu za Innovation Transfer Networks 2024?"
    )
    assert moldova.text.startswith("Ne. ")


def test_a_country_in_the_polish_locative_is_that_country(assistant):
    answer = assistant.ask("Kto jest Krajowym Punktem URBACT w Polsce?")
    assert "Polska" in answer.text and "https://urbact.eu/how-find-us" in answer.text


def test_greek_ukrainian_and_bulgarian_answers_name_their_own_places_in_their_script(assistant):
    greek = assistant.ask("Ποιος είναι ο επικεφαλής εταίρος του δικτύου SCHOOLHOODS;")
    assert "Ρέθυμνο (Ελλάδα)" in greek.text and "Rethymno" not in greek.text
    ukrainian = assistant.ask("Чи є Тернопіль у мережі URBACT?")
    assert ukrainian.text.startswith("Так. Тернопіль")
    english = assistant.ask("who leads SCHOOLHOODS?")
    assert "Rethymno (Greece)" in english.text


def test_networks_led_from_a_country_name_each_lead(assistant):
    answer = assistant.ask("which cities lead networks in Hungary?")
    lines = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert lines and all("(lead partner)" in line for line in lines), answer.text
    leads = [assistant.card(c.slug).lead_partner for c in answer.citations]
    assert all(lead is not None and lead.country == "HU" for lead in leads)


@pytest.mark.parametrize(
    ("question", "opening", "named"),
    [
        ("Ist bei SIT FLEXI eine rumänische Stadt dabei?", "Ja.", "Cluj"),
        ("Y a-t-il une ville italienne dans CITI4UD ?", "Oui.", "Alghero"),
        ("Does SIT FLEXI have a Swedish partner?", "No.", "CIM Região de Coimbra"),
    ],
)
def test_is_there_a_partner_from_a_country_in_a_network(assistant, question, opening, named):
    answer = assistant.ask(question)
    assert answer.text.startswith(opening) and named in answer.text.split("[1]")[0]


def test_a_national_point_is_named_in_its_own_language_with_its_address(assistant):
    answer = assistant.ask("Na koho se v Česku obrátit, když se chceme zapojit do URBACT?")
    assert "Ministerstvo pro místní rozvoj" in answer.text and "urbact@mmr.gov.cz" in answer.text
    assert answer.citations[0].slug == "nup-cz"


def test_a_network_name_with_a_typo_is_still_that_network(assistant):
    answer = assistant.ask("how many partners were in Agents of Co-Existance?")
    assert answer.citations[0].slug == "agents-of-co-existence" and " 9 " in answer.text


def test_a_programme_answer_quotes_the_passage_that_answers(assistant):
    answer = assistant.ask("Can a small town of 3,000 people take part in an URBACT network?")
    assert "size" in answer.text or "population" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "I need an emergency plumber in Manchester today, who should I call?",
        "Dove posso parcheggiare gratis a Bologna vicino alla stazione?",
        "Comment obtenir une place en crèche à Nantes pour mon fils ?",
        "Cá bhfaighidh mé an bus go Luimneach ón aerfort?",
        # "whom do I contact", "where do I report it": an errand, not a contact point or joining
        "Zgubiłem portfel w tramwaju w Gdańsku, gdzie mam to zgłosić?",
        "Trebam građevinsku dozvolu za kuću u Splitu, kome se trebam obratiti?",
    ],
)
def test_a_request_for_the_askers_own_life_is_declined(assistant, question):
    answer = assistant.ask(question)
    assert answer.citations == [] and assistant.retrieve(question).query.personal


@pytest.mark.parametrize(
    "question",
    [
        "I work in Cork, which networks tackle food?",
        "Cerco progetti sulla mobilità a Bologna",
        "Can my city, Bologna, join the next call?",
        "Ich möchte wissen, ob Leipzig in einem URBACT-Netzwerk ist",
    ],
)
def test_the_asker_speaking_of_themself_about_urbact_is_answered(assistant, question):
    assert not assistant.retrieve(question).query.personal


def test_the_first_word_and_a_countrys_name_are_not_places(assistant):
    query = assistant.retrieve("Pot orașele din Republica Moldova să participe la URBACT?").query
    assert query.countries == ("MD",) and query.kind != "city"


def test_a_lead_partner_that_is_a_city_company_is_named_by_its_city_first(assistant):
    answer = assistant.ask("who leads Human Power Hub?")
    assert answer.text.startswith(
        "The lead partner of Human Power Hub is Braga (Portugal), through BragaHabit"
    )


def test_partners_from_a_country_get_yes_or_no_first(assistant):
    answer = assistant.ask("Does RESTART@URBACT have Ukrainian partners?")
    assert answer.text.startswith("Yes. Khotyn (Ukraine)"), answer.text


def test_has_a_city_led_a_network_is_answered_no_when_it_only_took_part(assistant):
    tartu = assistant.ask("Has Tartu ever led an URBACT network?")
    assert tartu.text.startswith("No. Tartu takes part in")
    gdansk = assistant.ask("Has Gdańsk ever led an URBACT network?")
    assert gdansk.text.startswith("Yes.") and gdansk.citations[0].slug == "boostinno"


def test_a_month_only_approval_date_is_not_said_as_a_day(assistant):
    answer = assistant.ask("Ile sieci zatwierdzono w naborze 2023?")
    assert "Zatwierdzone sieci: 30 (maj 2023)" in answer.text
    assert "W dniu" not in answer.text


def test_how_much_budget_is_not_how_many(assistant):
    answer = assistant.ask(
        "Hoeveel budget voor experts kreeg een Transfer Network uit de call van 2025?"
    )
    assert "120.000" in answer.text, answer.text


def test_who_can_lead_a_network_type_is_a_programme_rule_not_a_list(assistant):
    answer = assistant.ask("Who can be lead partner of a Transfer Network?")
    assert answer.citations[0].slug == "transfer-networks"
    assert "Good Practice label" in answer.text.split("\n")[0]


def test_a_minimum_population_is_not_a_partner_count(assistant):
    answer = assistant.ask("Is there a minimum number of inhabitants for a city to join URBACT?")
    assert "partners" not in answer.text.split("\n")[0], answer.text


def test_a_year_or_a_city_picks_the_edition_of_an_event(assistant):
    answer = assistant.ask("Πού έγινε το URBACT City Festival του 2026;")
    assert answer.citations[0].slug == "urbact-city-festival"
    assert "Λευκωσία" in answer.text and "Tallinn" not in answer.text  # the city in Greek
    wroclaw = assistant.ask("When was the City Festival in Wrocław?")
    assert "Apr 8\u2009–\u200910, 2025" in wroclaw.text and "Nicosia" not in wroclaw.text
    polish = assistant.ask("Kiedy odbył się URBACT City Festival we Wrocławiu?")  # inflected
    assert "8–10 kwietnia 2025" in polish.text and "Nicosia" not in polish.text
    # no edition after today in the card: said so, then the latest and the list
    upcoming = assistant.ask("When is the next URBACT City Festival?")
    assert upcoming.text.startswith("My cards announce no upcoming") and "2026" in upcoming.text


def test_the_budget_of_a_programme_period_is_not_a_networks_budget(assistant):
    answer = assistant.ask("What was the budget of URBACT III?")
    assert "≈ €96,000,000" in answer.text  # the sources say "about"
    network = assistant.ask("What was the maximum budget per network in the 2023 call?")
    assert "850" in network.text


def test_can_a_countrys_cities_take_part_is_answered_by_todays_rules(assistant):
    moldova = assistant.ask("Pot orașele din Republica Moldova să participe la URBACT?")
    assert moldova.text.startswith("Da."), moldova.text  # eligible since the 2025 call
    norway = assistant.ask("Can a Norwegian city join URBACT?")  # "NO" was read as false
    assert norway.text.startswith("Yes. Cities from Norway")
    ukraine_2023 = assistant.ask("Could Ukrainian cities join the 2023 APN call?")
    assert ukraine_2023.text.startswith("No.")


def test_partners_of_one_country_in_a_calls_networks(assistant):
    spain = assistant.ask(
        "¿Cuántos socios españoles se aprobaron en las Redes de Planificación de Acción de 2023?"
    )
    assert spain.language == "es" and "25" in spain.text and "252" in spain.text
    assert [c.slug for c in spain.citations] == ["call-action-planning-networks-2023"]
    # a country the sources do not count: the countries they do count, not a guess
    czech = assistant.ask("How many Czech partners were in the 2025 Transfer Networks?")
    assert "Italy 19" in czech.text and "Czech" not in czech.text


def test_a_city_asked_about_a_network_gets_yes_or_no(assistant):
    riga = assistant.ask("Is Riga a partner in 2Nite?")
    assert riga.text.startswith("Yes. Riga (Latvia)")
    # a network named by its lead: its partners
    bluact = assistant.ask("How many partners did Piraeus's BluAct network have?")
    assert not bluact.text.startswith("Yes") and any(ch.isdigit() for ch in bluact.text)


def test_the_latest_call_is_its_dates_in_the_askers_language(assistant):
    answer = assistant.ask("Quel est le dernier appel URBACT ?")
    assert answer.language == "fr" and "2026" in answer.text
    assert "(en anglais)" not in answer.text and answer.citations[0].slug.startswith("call-")


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("how many proposals were submitted to the 2025 Transfer Networks call?", "39"),
        ("¿Cuántas propuestas se recibieron en la convocatoria de 2019?", "62"),
    ],
)
def test_how_many_proposals_a_call_received(assistant, question, figure):
    answer = assistant.ask(question)
    assert figure in answer.text.split("\n")[0]
    assert answer.citations[0].slug.startswith("call-")


def test_an_acronym_is_not_a_place(assistant):
    retrieval = assistant.retrieve("¿Qué porcentaje cofinancia el FEDER a los socios de una red?")
    assert retrieval.query.kind == "join" and not retrieval.query.cities


@pytest.mark.parametrize(
    ("question", "lang", "facts", "slug"),
    [
        ("Var hölls URBACT University 2023?", "sv", ["Malmö", "2023"], "urbact-university"),
        ("Kiedy odbył się URBACT City Festival we Wrocławiu?", "pl", ["2025", "kwietnia"],
         "urbact-city-festival"),
        ("Combien de bonnes pratiques URBACT ont reçu le label en 2024 ?", "fr", ["116"],
         "urbact-good-practices"),
        ("Kuinka suuri on URBACT IV -ohjelman kokonaisbudjetti?", "fi", ["84 769 000"],
         "urbact-programme"),
        ("Qui est l'autorité de gestion du programme URBACT IV ?", "fr", ["ANCT"],
         "urbact-programme"),
        ("Czy jest minimalna liczba mieszkańców, żeby miasto mogło dołączyć do URBACT?", "pl",
         ["minimalnej"], "how-to-join"),
        ("Chi può fare da capofila in una Transfer Network?", "it", ["Buona pratica"],
         "transfer-networks"),
        ("Qui peut être partenaire d'un réseau URBACT ?", "fr", ["autorités métropolitaines"],
         "how-to-join"),
    ],
)  # fmt: skip
def test_programme_facts_are_answered_from_data_in_the_askers_language(
    assistant, question, lang, facts, slug
):
    """Events, labelled Good Practices, the programme's budget and Managing Authority and the
    joining rules are front-matter data: stated in the asker's words, not the card's English."""
    answer = assistant.ask(question)
    assert answer.language == lang
    assert all(fact in answer.text.replace("\u202f", " ").replace("\xa0", " ") for fact in facts)
    assert answer.citations[0].slug == slug
    assert say(lang, "card_text") not in answer.text  # not the card's English passage


@pytest.mark.parametrize(
    ("question", "yes", "lang"),
    [
        ("Gibt es URBACT-Netzwerke zur Stadtimkerei?", "Ja.", "de"),
        ("¿Hay alguna red URBACT sobre violencia de género?", "Sí.", "es"),
        ("Is there a network on school canteens?", "Yes.", "en"),
    ],
)
def test_is_there_a_network_on_a_topic_is_answered_yes_before_the_list(
    assistant, question, yes, lang
):
    answer = assistant.ask(question)
    assert answer.language == lang and answer.text.startswith(yes) and answer.citations
    # "which networks are there?" asks for the list, not yes or no
    assert not assistant.ask("Which networks are there on school canteens?").text.startswith("Yes")


def test_which_networks_a_city_led_lists_only_those(assistant):
    answer = assistant.ask("Which networks has Alba Iulia led?")
    assert answer.text.startswith("Alba Iulia has led 2 URBACT networks")
    assert {c.slug for c in answer.citations} == {"find-your-greatness", "city-as-a-startup"}
