"""The ``urbact-assistant`` command line: corpus checks, ingest, ask, chat, eval, bot.

Uses only the public API (``urbact_assistant``). ``Assistant`` (Chroma, LangChain, the
embedding model) is imported inside the commands that need it, so ``--help`` and
``corpus check`` stay quick.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from urbact_assistant import Conversation, Settings, UrbactError, environment

MAX_QUESTION = 1000


def load_settings() -> Settings:
    return Settings.from_env(environment())


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn errors into one clear line on stderr and exit status 1; never a traceback."""
    try:
        yield
    except UrbactError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        click.echo("\ninterrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("URBACT_DEBUG"):
            raise
        raise click.ClickException(
            f"unexpected error ({type(exc).__name__}: {exc}); set URBACT_DEBUG=1 for details"
        ) from exc


def _progress_printer(label: str):
    """Progress for a terminal: a bar on stderr when it is a TTY, nothing otherwise."""
    if not sys.stderr.isatty():
        return None
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
            state["done"] = 0
        bar.update(done - int(state["done"]))
        state["done"] = done
        if done >= total:
            bar.__exit__(None, None, None)

    return update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="urbact-assistant")
def cli() -> None:
    """Answers about URBACT city networks, with citations, from a local corpus.

    Works offline by default (embedded multilingual embeddings, Chroma on disk). Settings come
    from the environment or a .env file: URBACT_DATA_DIR, URBACT_CORPUS_DIR, URBACT_CHROMA_HOST,
    URBACT_COLLECTION, URBACT_EMBEDDINGS, URBACT_EMBEDDING_MODEL, URBACT_TODAY; for fluent
    answers from an LLM: URBACT_LLM_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY, URBACT_LLM_TIMEOUT.
    The README lists them all.
    """


@cli.group()
def corpus() -> None:
    """Check the corpus of network cards and programme pages."""


@corpus.command("check")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False), help="Corpus folder.")
def corpus_check(corpus_dir: str | None) -> None:
    """Validate every card; print `path:line: message` per problem, exit 1 if any."""
    from urbact_assistant import Assistant

    with user_errors():
        report = Assistant.check_corpus(load_settings(), _path(corpus_dir))
    for problem in report.problems:
        click.echo(str(problem))
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) in {report.root}", err=True)
        sys.exit(1)
    click.echo(f"ok: {report.networks} network cards, {report.pages} programme pages")


@corpus.command("stats")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False), help="Corpus folder.")
@click.option("--top", default=15, show_default=True, help="Rows of the country and theme tables.")
def corpus_stats(corpus_dir: str | None, top: int) -> None:
    """Coverage: counts by programme, type, status (as of today), country and theme."""
    from urbact_assistant import Assistant

    with user_errors():
        click.echo(Assistant.corpus_report(load_settings(), _path(corpus_dir), top))


@cli.command()
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
def ingest(force: bool) -> None:
    """Index the corpus in Chroma (only changed cards are embedded again)."""
    with user_errors():
        from urbact_assistant import Assistant

        assistant = Assistant.open(load_settings(), ensure_index=False)
        report = assistant.ingest(force=force, progress=_progress_printer("embedding"))
    swept = ""
    if report.swept:
        swept = f"; {report.swept} unused index folders removed ({report.freed / 1e6:.1f} MB)"
    if report.up_to_date:
        click.echo(f"index up to date: {report.cards} cards, nothing to do{swept}")
        return
    click.echo(
        f"indexed {report.cards} cards ({report.passages} passages): "
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed; "
        f"{report.embedded} passages embedded{swept}"
    )


def _open_assistant():
    from urbact_assistant import Assistant

    def on_build(what: str) -> None:
        click.echo(f"{what}...", err=True)

    return Assistant.open(
        load_settings(), on_build=on_build, progress=_progress_printer("embedding")
    )


def _path(folder: str | None):
    from pathlib import Path

    return Path(folder) if folder else None


def _clean(question: str) -> str:
    question = " ".join(question.split())
    if not question:
        raise UrbactError("the question is empty")
    if len(question) > MAX_QUESTION:
        raise UrbactError(
            f"the question is too long ({len(question)} characters; at most {MAX_QUESTION})"
        )
    return question


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per answer.")
@click.option("--all", "show_all", is_flag=True, help="Also list the networks behind 'N more'.")
@click.option(
    "--session",
    metavar="NAME",
    help="Continue the conversation NAME (kept in the data dir): follow-ups refer to it.",
)
def ask(question: str, as_json: bool, show_all: bool, session: str | None) -> None:
    """Answer QUESTION with cited cards. QUESTION `-` reads one question per line from stdin.

    With --json: {"question", "answer", "citations": [{"n", "slug", "name", "url"}], "mode",
    "language", "shown", "state"} and "note" when the LLM could not be used. "citations" keeps
    every network the answer covers, in rank order; "shown" says how many of them the text
    shows; "state" is the conversation after the answer. In batch mode each line is a question
    or a JSON object {"question", "state"} (a dialogue script passes the previous answer's
    "state" on); with --session the lines continue one conversation, else each stands alone.
    """
    from urbact_assistant import Conversation

    with user_errors():
        if question != "-":
            question = _clean(question)
        assistant = _open_assistant()
        conversation = _load_session(session)
        if question != "-":
            answer = assistant.ask(question, conversation)
            _echo(answer, as_json, show_all)
            _save_session(session, answer.conversation)
            return
    for line in _stdin_lines():
        if line is None:
            message = "this line is not valid UTF-8 text"
            click.echo(
                json.dumps({"question": "", "error": message}) if as_json else f"error: {message}"
            )
            continue
        if not line.strip():
            click.echo(
                json.dumps({"question": "", "error": "the question is empty"}) if as_json else ""
            )
            continue
        text, given = _batch_line(line)
        try:
            state = Conversation.from_dict(given) if given is not None else conversation
            answer = assistant.ask(_clean(text), state)
        except UrbactError as exc:
            if as_json:
                click.echo(
                    json.dumps({"question": text.strip(), "error": str(exc)}, ensure_ascii=False)
                )
            else:
                click.echo(f"error: {exc}", err=True)
            continue
        if session:  # a session's lines continue one conversation; otherwise each stands alone
            conversation = answer.conversation or conversation
        _echo(answer, as_json, show_all, batch=True)
    _save_session(session, conversation)


def _stdin_lines():
    """Lines of standard input as text; None for a line that is not valid UTF-8 (a UTF-16
    stream, recognised by its byte order mark, is read as such)."""
    stream = sys.stdin.buffer
    head = stream.peek(2)[:2] if hasattr(stream, "peek") else b""
    if head in (b"\xff\xfe", b"\xfe\xff"):
        yield from stream.read().decode("utf-16").splitlines()
        return
    for raw in stream:
        try:
            yield raw.decode("utf-8-sig").rstrip("\r\n")
        except UnicodeDecodeError:
            yield None


def _echo(answer, as_json: bool, show_all: bool, batch: bool = False) -> None:
    from urbact_assistant.adapters.terminal import format_answer, format_answer_json

    if as_json:
        click.echo(format_answer_json(answer))
    else:
        click.echo(format_answer(answer, show_all) + ("\n" if batch else ""))


def _batch_line(line: str) -> tuple[str, object | None]:
    """A batch line: plain text, or a JSON object with "question" and an optional "state"."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            return stripped, None
        if isinstance(data, dict) and isinstance(data.get("question"), str):
            return data["question"], data.get("state")
    return stripped, None


def _session_path(name: str):
    import re

    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name) or name.startswith("."):
        raise UrbactError("a session name is 1-64 letters, digits, '.', '_' or '-'")
    return load_settings().data_dir / "sessions" / f"{name}.json"


def _load_session(name: str | None):
    from urbact_assistant import Conversation

    if not name:
        return Conversation()
    try:
        return Conversation.from_dict(json.loads(_session_path(name).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return Conversation()


def _save_session(name: str | None, conversation) -> None:
    if not name or conversation is None:
        return
    path = _session_path(name)
    try:  # the answer is given already: a read-only or full data dir only loses the follow-up
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.write_text(json.dumps(conversation.to_dict(), ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        click.echo(f"warning: the session {name} could not be saved ({exc.strerror})", err=True)


@cli.command()
def chat() -> None:
    """Ask questions interactively (Ctrl-D or `exit` to leave)."""
    from urbact_assistant.adapters.terminal import format_answer

    with user_errors():
        assistant = _open_assistant()
    click.echo("Ask about URBACT networks, cities, topics and how to join. Ctrl-D to quit.")
    conversation = Conversation()
    while True:
        try:
            question = click.prompt("?", prompt_suffix=" ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo()
            return
        if question.strip().lower() in {"exit", "quit", ":q"}:
            return
        if not question.strip():
            continue
        try:
            answer = assistant.ask(_clean(question), conversation)
            conversation = answer.conversation or conversation
            click.echo(format_answer(answer) + "\n")
        except UrbactError as exc:
            click.echo(f"error: {exc}", err=True)


@cli.command("eval")
@click.option(
    "--questions",
    "path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Question set (JSON lines). Default: the shipped retrieval set, or answer set.",
)
@click.option("--answers", is_flag=True, help="Measure answers (fact, language, length).")
@click.option("--dialogues", is_flag=True, help="Play scripted dialogues; share of turns right.")
@click.option("--lang", multiple=True, help="Only questions in this language (repeatable).")
@click.option("--every", type=int, default=1, help="Only every N-th question (a quick subset).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--misses", is_flag=True, help="With --answers: list the answers that failed.")
def evaluate(
    path: str | None,
    answers: bool,
    dialogues: bool,
    lang: tuple[str, ...],
    every: int,
    as_json: bool,
    misses: bool,
) -> None:
    """Measure retrieval (hybrid vs BM25 vs dense, side by side); with --answers, answers (the
    asked fact present, the asker's language, at most 1,200 characters); with --dialogues,
    scripted conversations (the share of turns answered right)."""
    from pathlib import Path

    from urbact_assistant import eval_set

    default = "dialogues.jsonl" if dialogues else "answers.jsonl" if answers else "questions.jsonl"
    with user_errors():
        assistant = _open_assistant()
        questions = Path(path) if path else eval_set(default)
        if dialogues:
            results = assistant.evaluate_dialogues(questions, lang)
            click.echo(results.to_json() if as_json else results.table())
            for dialogue, turn, question, answer in results.misses if misses else ():
                click.echo(f"\n{dialogue} turn {turn}\n? {question}\n{answer}")
            return
        if answers:
            results = assistant.evaluate_answers(questions, lang, every)
        else:
            results = assistant.evaluate(questions, lang, every)
    click.echo(results.to_json() if as_json else results.table())
    if answers and misses:
        for miss in results.misses:
            click.echo(
                f"\n{miss.case.id} fact={miss.fact} language={miss.language} "
                f"short={miss.short}\n? {miss.case.question}\n{miss.text}"
            )


@cli.command()
def bot() -> None:
    """Run the Telegram bot (TELEGRAM_BOT_TOKEN; polling, or webhook with URBACT_WEBHOOK_URL)."""
    with user_errors():
        from urbact_assistant.adapters.telegram.app import run_bot
        from urbact_assistant.adapters.telegram.settings import BotSettings

        bot_settings = BotSettings.from_env(environment())
        run_bot(load_settings(), bot_settings)


def main() -> None:
    cli(prog_name="urbact-assistant")


if __name__ == "__main__":
    main()
