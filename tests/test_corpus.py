"""The corpus checker: every problem reported as path:line: message."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from urbact_assistant.adapters.cli import cli
from urbact_assistant.knowledge.corpus import check_corpus, parse_card

from .conftest import CORPUS, TODAY

GOOD = """\
---
name: Test Network
slug: test-network
type: transfer
programme: URBACT IV
start: 2025-11-01
end: 2028-04-30
lead_partner:
  name: Ghent
  country: BE
partners:
  - name: Tartu
    country: EE
  - name: Bucharest District 6
    city: Bucharest
    country: RO
themes: [culture, youth]
sources:
  - https://urbact.eu/networks/test-network
checked: 2026-11-27
---
Test Network gathers cities that share a practice about culture and young people.
"""


def messages(text: str, path: str = "corpus/networks/test-network.md", today=TODAY):
    card, problems = parse_card(path, text, today)
    return card, [(p.line, p.message) for p in problems]


def test_a_good_card_parses():
    card, problems = messages(GOOD)
    assert problems == []
    assert card.name == "Test Network"
    assert [p.place for p in card.members] == ["Ghent", "Tartu", "Bucharest"]
    assert card.status(TODAY) == "ongoing"


def test_missing_source_is_reported():
    text = GOOD.replace("sources:\n  - https://urbact.eu/networks/test-network\n", "")
    _, problems = messages(text)
    assert (1, "missing required field 'sources'") in problems
    _, problems = messages(
        GOOD.replace("  - https://urbact.eu/networks/test-network\n", "  []\n").replace(
            "sources:\n  []", "sources: []"
        )
    )
    assert any("at least one source URL" in m for _, m in problems)


def test_bad_date_is_reported_on_its_line():
    _, problems = messages(GOOD.replace("end: 2028-04-30", "end: 2028-02-30"))
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 7  # the file's line of `end:`
    assert "bad date in 'end'" in message


def test_end_before_start_and_not_a_date():
    _, problems = messages(GOOD.replace("end: 2028-04-30", "end: 2020-01-01"))
    assert (7, "'end' is before 'start'") in problems
    _, problems = messages(GOOD.replace("start: 2025-11-01", "start: soon"))
    assert problems and problems[0][0] == 6


def test_country_codes_and_duplicate_partners():
    _, problems = messages(GOOD.replace("country: EE", "country: UK"))
    assert (13, "unknown ISO 3166-1 country code 'UK' (use GB)") in problems
    twice = GOOD.replace("  - name: Tartu\n    country: EE\n", "  - name: Ghent\n    country: BE\n")
    _, problems = messages(twice)
    assert any("'Ghent' is listed twice" in m for _, m in problems)


def test_ended_network_must_not_read_as_ongoing():
    ended = GOOD.replace("end: 2028-04-30", "end: 2026-01-31").replace(
        "Test Network gathers", "Test Network is still running and gathers"
    )
    _, problems = messages(ended)
    assert any("ended on 2026-01-31" in m and "is still running" in m for _, m in problems)
    # The same text is fine while the network runs.
    _, problems = messages(ended, today=dt.date(2025, 12, 1))
    assert problems == []


def test_unknown_field_and_bad_slug():
    _, problems = messages(GOOD.replace("themes:", "theme:"))
    assert (17, "unknown field 'theme'") in problems
    _, problems = messages(GOOD.replace("slug: test-network", "slug: other"))
    assert any("does not match the file name" in m for _, m in problems)


def test_duplicate_slug_across_files(tmp_path):
    networks = tmp_path / "networks"
    networks.mkdir()
    (networks / "test-network.md").write_text(GOOD)
    (networks / "copy.md").write_text(GOOD.replace("name: Test Network", "name: Copy"))
    _, problems = check_corpus(tmp_path, TODAY)
    text = [str(p) for p in problems]
    assert any("copy.md:3: slug 'test-network' does not match" in t for t in text)
    (networks / "copy.md").write_text(GOOD.replace("slug: test-network", "slug: copy"))
    _, problems = check_corpus(tmp_path, TODAY)
    assert any("duplicate name 'test network'" in str(p) for p in problems)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("no front matter\n", "no YAML front matter"),
        ("---\nname: [unclosed\n---\nbody\n", "invalid YAML"),
    ],
)
def test_unparseable_files(broken, expected):
    _, problems = messages(broken)
    assert expected in problems[0][1]


def test_cli_check_prints_path_line_message_and_exits_1(tmp_path):
    networks = tmp_path / "networks"
    networks.mkdir()
    (networks / "test-network.md").write_text(GOOD.replace("2028-04-30", "2028-13-01"))
    result = CliRunner().invoke(cli, ["corpus", "check", "--corpus", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{networks / 'test-network.md'}:7: bad date in 'end'" in result.output


def test_the_shipped_corpus_is_clean():
    result = CliRunner().invoke(cli, ["corpus", "check", "--corpus", str(CORPUS)])
    assert result.exit_code == 0, result.output
    corpus, _ = check_corpus(CORPUS, TODAY)
    assert {"remote-it", "genprocure", "schoolhoods"} <= {c.slug for c in corpus.networks}


CALL = """\
---
title: Call for Test Networks 2026
slug: call-test-networks-2026
kind: call
opens: 2026-03-17
closes: 2026-06-17
sources:
  - https://urbact.eu/get-involved
checked: 2026-11-27
---
The call is open until 17 June 2026 for cities of all sizes.
"""


def test_a_closed_call_must_not_read_as_open():
    path = "corpus/programme/call-test-networks-2026.md"
    _, problems = messages(CALL, path)
    assert any("closed on 2026-06-17" in m and "is open" in m for _, m in problems)
    _, problems = messages(CALL, path, today=dt.date(2026, 4, 1))
    assert problems == []


@pytest.mark.parametrize(
    ("url", "shown", "problem"),
    [
        (
            "http://communication@urbact.eu/networks/test-network",
            "https://urbact.eu/networks/test-network",
            "a user name in the URL",
        ),
        (
            "https://urbact.eu./networks/test-network",
            "https://urbact.eu/networks/test-network",
            "odd host",
        ),
        (
            "http://URBACT.eu/networks/test-network",
            "https://urbact.eu/networks/test-network",
            "https",
        ),
    ],
)
def test_a_fixable_link_is_cleaned_at_load_and_check_still_fails(tmp_path, url, shown, problem):
    text = GOOD.replace("https://urbact.eu/networks/test-network", url)
    card, problems = messages(text)
    assert card is not None and list(card.sources) == [shown]
    assert any(problem in m for _, m in problems)
    networks = tmp_path / "networks"
    networks.mkdir()
    (networks / "test-network.md").write_text(text)
    result = CliRunner().invoke(cli, ["corpus", "check", "--corpus", str(tmp_path)])
    assert result.exit_code == 1 and "fixed when loading" in result.output
    from urbact_assistant.knowledge.corpus import load_corpus

    assert load_corpus(tmp_path, TODAY).networks[0].sources == (shown,)


def test_a_link_that_cannot_be_cleaned_keeps_the_card_out():
    card, problems = messages(GOOD.replace("https://urbact.eu/networks/", "https://192.168.1.1/"))
    assert card is None and any("IP address" in m for _, m in problems)


NUP = """\
---
title: National URBACT Point Testland
slug: nup-test
kind: national-point
countries: [CZ]
facts:
  host: "Ministerstvo pro místní rozvoj (MMR)"
  email: urbact@mmr.gov.cz
sources:
  - https://urbact.eu/ceska-republika
checked: 2026-12-07
---
The contact point of a test country.
"""


def test_a_national_points_host_and_email_are_facts():
    page, problems = messages(NUP, "corpus/programme/nup-test.md")
    assert problems == [] and page.facts.email == "urbact@mmr.gov.cz"
    _, problems = messages(NUP.replace("@mmr", " at mmr"), "corpus/programme/nup-test.md")
    assert any("e-mail" in message for _, message in problems)


def test_every_card_writes_a_city_the_same_way():
    # a lead partner written "Torino" in one card and "Turin" in another is not recognised as
    # the city a user asked about ("which ones did it lead?")
    from urbact_assistant.understanding.lexicon import load_data

    corpus, _ = check_corpus(CORPUS, TODAY)
    written = {p.place for card in corpus.networks for p in card.members}
    for canonical, variants in load_data("exonyms").items():
        used = [n for n in (canonical, *variants) if n in written]
        assert len(used) <= 1, f"{canonical} is written {used}"


EVENT = """\
---
title: URBACT Test Festival
slug: urbact-test-festival
kind: event
facts:
  editions:
    - {from: 2025-04-08, to: 2025-04-10, city: Wrocław, country: PL}
  labelled: {2024: 116}
  periods:
    - {name: URBACT IV, years: 2021–2027, total_eur: 84769000, managing_authority: ANCT}
  rules: [population]
sources:
  - https://urbact.eu/city-festival
checked: 2026-12-07
---
A test event.
"""


def test_event_editions_periods_and_rules_are_checked_facts():
    page, problems = messages(EVENT, "corpus/programme/urbact-test-festival.md")
    assert problems == []
    (edition,) = page.facts.editions
    assert (edition.year, edition.city, edition.country) == (2025, "Wrocław", "PL")
    assert page.facts.labelled == ((2024, 116),) and page.facts.rules == ("population",)
    assert page.facts.periods[0].managing_authority == "ANCT"
    for wrong, said in [
        ("country: PL}", "country: XX}"),
        ("from: 2025-04-08", "from: 2025-13-08"),
        ("{2024: 116}", "{2024: many}"),
        ("name: URBACT IV", "name: URBACT V"),
        ("[population]", "[anyone]"),
    ]:
        _, problems = messages(
            EVENT.replace(wrong, said), "corpus/programme/urbact-test-festival.md"
        )
        assert problems, f"{said!r} is accepted"
