"""The LLM half of the chain: an OpenAI-compatible chat model (``langchain-openai``) that
condenses follow-ups and writes the answer from the numbered cards.

Everything the model says is checked: its citations and links (``citations.verify``) and what
it states about the networks it cites (``claims``: leads, partners, dates, status). On any
failure (server down, 5xx, 429, timeout, malformed output, an answer cut off at the length
limit or without a finish reason, an answer without valid citations or that contradicts the
cards) the offline answer is returned with a short note, so the user always gets a grounded
answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from urbact_assistant.answering.chain import ChainState, offline_answer
from urbact_assistant.answering.citations import reveals, talks_about_its_rules, verify
from urbact_assistant.answering.claims import ClaimChecker, Places, complete_upto
from urbact_assistant.answering.prompts import (
    CONTACT_URL,
    SYSTEM,
    answer_messages,
    condense_messages,
)
from urbact_assistant.config import Settings
from urbact_assistant.core.models import Answer, AnyCard
from urbact_assistant.understanding.questions import standalone_question

log = logging.getLogger(__name__)
MAX_CARDS = 8
CONDENSE_SHARE = 0.3  # of the time budget, for rewriting a follow-up


class LLMFailure(Exception):
    """The model could not give a usable answer; ``reason`` is short and safe to show."""

    def __init__(self, reason: str, retryable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def make_chat_model(settings: Settings):
    """The only place that builds the chat model. Retries are ours (one, inside the budget)."""
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.openai_base_url or None,
        api_key=SecretStr(settings.openai_api_key or "not-needed"),  # local servers ignore it
        max_retries=0,
        timeout=settings.llm_timeout,
        temperature=0.2,
    )


def classify(exc: BaseException) -> LLMFailure:
    """A short reason for an exception from the openai client or the transport."""
    import httpx
    import openai

    if isinstance(exc, LLMFailure):
        return exc
    if isinstance(exc, openai.RateLimitError):
        return LLMFailure("rate limited (429)", retryable=True)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return LLMFailure("timed out", retryable=True)
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return LLMFailure("cannot reach the LLM server", retryable=True)
    if isinstance(exc, openai.APIStatusError):
        return LLMFailure(f"LLM server error (HTTP {exc.status_code})", exc.status_code >= 500)
    return LLMFailure(f"unexpected LLM error ({type(exc).__name__})")


class VerifiedDrafts:
    """Passes on only drafts that pass the final answer's checks.

    The stream is cut after complete sentences that carry a citation (``complete_upto``: a
    sentence whose markers may still come is not shown yet); the text so far is shown only
    when it does not echo the system prompt, states nothing the cited cards contradict
    (``claims``), cites at least one retrieved card, and has invalid citations and links
    removed (``verify``). Once an echo or a contradiction is seen, nothing more is shown: the
    final answer decides.
    """

    ECHO_WINDOW = 40  # stricter than the final check: drafts are shown before the end

    def __init__(
        self,
        cards: list[AnyCard],
        on_draft: Callable[[str], None],
        claims: ClaimChecker | None = None,
    ):
        self.cards = cards
        self.on_draft = on_draft
        self.claims = claims
        self.raw = ""
        self.checked_upto = 0
        self.shown = ""
        self.blocked = False

    def feed(self, piece: str) -> None:
        self.raw += piece
        if self.blocked:
            return
        end = complete_upto(self.raw, self.checked_upto)
        if end <= self.checked_upto:
            return
        self.checked_upto = end
        prefix = self.raw[:end]
        leak = reveals(prefix, SYSTEM, self.ECHO_WINDOW) or talks_about_its_rules(prefix)
        if leak or (self.claims and self.claims.check(prefix)):
            self.blocked = True
            return
        checked = verify(prefix, self.cards, allowed_links=(CONTACT_URL,))
        if checked.citations and checked.text != self.shown:
            self.shown = checked.text
            self.on_draft(checked.text)


class LLMSteps:
    """The condense and answer steps of the chain, bounded in time."""

    def __init__(self, settings: Settings, chat_model: Any = None, retrieval_entities: Any = None):
        self.model = chat_model if chat_model is not None else make_chat_model(settings)
        self.timeout = settings.llm_timeout
        self.entities = retrieval_entities
        self.places = Places(retrieval_entities) if retrieval_entities is not None else None

    # -- condense ------------------------------------------------------------
    def condense(self, state: ChainState) -> str:
        history = state.conversation.history()
        offline = standalone_question(state.question, state.conversation.previous, self.entities)
        if not history:
            return state.question
        try:
            text = self._generate(
                condense_messages(state.question, history),
                deadline=time.monotonic() + self.timeout * CONDENSE_SHARE,
            )
        except Exception as exc:
            log.info("condense fell back to the offline rule: %s", classify(exc).reason)
            return offline
        text = " ".join(text.split()).strip("\"'")
        return text if 0 < len(text) <= 500 else offline

    # -- answer --------------------------------------------------------------
    def answer(self, state: ChainState) -> Answer:
        fallback = offline_answer(state)
        retrieval = state.found
        if not retrieval.hits:
            return fallback  # nothing to ground an answer on: say so plainly, cite nothing
        cards = [h.card for h in retrieval.hits[:MAX_CARDS]]
        messages = answer_messages(
            state.standalone,
            cards,
            retrieval.today,
            state.conversation.history(),
            state.language,
        )
        claims = ClaimChecker(cards, retrieval.today, state.language, self.places)
        deadline = time.monotonic() + self.timeout
        failure: LLMFailure | None = None
        for attempt in range(2):  # at most one retry, within the same time budget
            try:
                drafts = VerifiedDrafts(cards, state.on_token, claims) if state.on_token else None
                text = self._generate(messages, deadline, drafts.feed if drafts else None)
                return self._checked(text, cards, fallback, claims)
            except Exception as exc:
                failure = classify(exc)
                log.info("LLM answer failed (attempt %d): %s", attempt + 1, failure.reason)
                if not failure.retryable or deadline - time.monotonic() < 1:
                    break
        assert failure is not None
        return replace(fallback, note=f"offline answer: {failure.reason}")

    def _checked(
        self, text: str, cards: list, fallback: Answer, claims: ClaimChecker | None = None
    ) -> Answer:
        if not text.strip():
            raise LLMFailure("the model returned an empty answer")
        if reveals(text, SYSTEM) or talks_about_its_rules(text):
            return replace(fallback, note="offline answer: the model's answer was withheld")
        wrong = claims.check(text) if claims else []
        if wrong:  # a fluent answer that misstates a lead, a partner or a date is worse than none
            for contradiction in wrong:
                log.info(
                    "the model's answer contradicts the cards: %s (in %r)",
                    contradiction.reason(),
                    contradiction.sentence[:200],
                )
            more = f" and {len(wrong) - 1} more" if len(wrong) > 1 else ""
            return replace(
                fallback,
                note=f"offline answer: the model's answer contradicts the cards: "
                f"{wrong[0].reason()}{more}",
            )
        checked = verify(text, cards, allowed_links=(CONTACT_URL,))
        if checked.removed_markers or checked.removed_links:
            log.info(
                "repaired the model's answer: %d invalid citation(s), %d link(s) removed",
                checked.removed_markers,
                checked.removed_links,
            )
        if not checked.citations and CONTACT_URL not in checked.text:
            # A claim-bearing answer that cites nothing is not grounded: do not show it.
            return replace(fallback, note="offline answer: the model's answer cited no card")
        return replace(fallback, text=checked.text, citations=checked.citations, mode="llm")

    def _generate(
        self,
        messages: list[tuple[str, str]],
        deadline: float,
        on_token: Callable[[str], None] | None = None,
    ) -> str:
        """Stream the model's reply, giving up at ``deadline``. A reply is complete only when
        the stream says why it stopped: cut at the length limit, stopped by a filter, or ended
        without a reason (a dropped connection), it is not an answer."""
        remaining = deadline - time.monotonic()
        if remaining <= 0.5:
            raise LLMFailure("timed out")
        parts: list[str] = []
        finish: str | None = None
        for chunk in self.model.stream(messages, timeout=remaining):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                parts.append(piece)
                if on_token:
                    on_token(piece)
            finish = finish_reason(chunk) or finish
            if time.monotonic() > deadline:
                raise LLMFailure("timed out", retryable=False)
        if finish is None:
            raise LLMFailure("the model's answer was cut off (no finish reason)", retryable=True)
        if finish in LENGTH_REASONS:
            raise LLMFailure("the model's answer was cut off at its length limit")
        if finish == "content_filter":
            raise LLMFailure("the model's answer was stopped by a content filter")
        return "".join(parts)


LENGTH_REASONS = ("length", "max_tokens")


def finish_reason(chunk: Any) -> str | None:
    """Why the model stopped, from a streamed chunk's metadata (OpenAI-compatible servers say
    ``finish_reason``; LangChain's Ollama and Anthropic models ``done_reason``/``stop_reason``)."""
    meta = getattr(chunk, "response_metadata", None) or {}
    for key in ("finish_reason", "done_reason", "stop_reason"):
        if isinstance(meta.get(key), str) and meta[key]:
            return str(meta[key])
    return None
