"""The answer chain as a LangChain runnable: condense → retrieve → answer, over a typed state.

- *condense* turns a follow-up into a standalone question (offline: joined to the previous
  question when it names nothing of its own; with an LLM: rewritten by the model);
- *retrieve* runs the hybrid retriever on the standalone question;
- *answer* is the deterministic composer offline, or the LLM step when one is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from langchain_core.runnables import Runnable, RunnableLambda

from urbact_assistant.answering.compose import compose
from urbact_assistant.answering.followup import (
    FollowUp,
    about,
    by_topic,
    narrows_by_topic,
    others_first,
    pick_by_topic,
    picks_by_topic,
    resolve,
    same_call,
)
from urbact_assistant.core.models import (
    Answer,
    Conversation,
    Filters,
    Hit,
    NetworkCard,
    Query,
    Retrieval,
)
from urbact_assistant.core.text import phrase
from urbact_assistant.search.retrieval import Retriever
from urbact_assistant.understanding.lexicon import follows_on
from urbact_assistant.understanding.questions import (
    matches_filters,
    standalone_question,
    understand,
)

CLOSE_RANK = 10  # the "closest" offer is among the networks nearest to the topic


@dataclass(frozen=True)
class ChainState:
    """What flows through the chain; each step returns a copy with its part filled in."""

    question: str
    conversation: Conversation = Conversation()
    on_token: Callable[[str], None] | None = None
    standalone: str = ""
    retrieval: Retrieval | None = None
    language: str = "en"
    """The language to answer in: the question's, else the conversation's, else English."""
    follow_up: FollowUp | None = None
    """Set when the question continues the list or network the user just saw."""

    @property
    def found(self) -> Retrieval:
        assert self.retrieval is not None, "the retrieve step runs before the answer step"
        return self.retrieval


AnswerStep = Callable[[ChainState], Answer]
CondenseStep = Callable[[ChainState], str]


def offline_answer(state: ChainState) -> Answer:
    """The composer's answer, labelled with the user's own question."""
    answer = compose(state.found, state.language)
    return replace(answer, question=state.question, standalone=state.standalone)


def build_chain(
    retriever: Retriever,
    answer: AnswerStep = offline_answer,
    condense: CondenseStep | None = None,
) -> Runnable[ChainState, Answer]:
    """``ChainState(question, conversation) -> Answer`` (with the next conversation state)."""

    def offline_condense(state: ChainState) -> str:
        previous = state.conversation.previous
        return standalone_question(state.question, previous, retriever.entities)

    condense_step = condense or offline_condense
    topics = retriever.entities.topics

    def add_standalone(state: ChainState) -> ChainState:
        language = retriever.entities.language(state.question, state.conversation.language)
        follow = follow_up(state, language)
        if follow is None and (city := shifted_city(state)):  # "und wie sieht's mit Gävle aus?"
            return replace(state, standalone=f"is {city} in an URBACT network?", language=language)
        if follow is not None:  # read against what the user saw: no rewriting, no new search
            standalone = f"{state.conversation.previous or ''} {state.question}".strip()
            return replace(
                state,
                standalone=standalone,
                language=language,
                follow_up=follow,
                retrieval=follow.retrieval,
            )
        return replace(state, standalone=condense_step(state), language=language)

    def follow_up(state: ChainState, language: str) -> FollowUp | None:
        conversation = state.conversation
        if not (conversation.shown or conversation.base):
            return None
        query = understand(state.question, retriever.entities, language)
        view = retriever.entities.lexicon.view(phrase(state.question), language)
        today = retriever.today()
        found = resolve(
            query, view, conversation, retriever.cards, today, retriever.programme, topics
        )
        if found is None and narrows_by_topic(query, view, conversation, topics):
            found = by_topic(conversation, retriever.retrieve(state.question), retriever.cards)
        if found is None and picks_by_topic(query, view, conversation, topics):
            searched = [h.card.slug for h in retriever.retrieve(state.question).hits]
            asked = query
            before = previous_asked(state, language)
            if before and not (query.asks or query.countries):  # "E in quella sull'agricoltura?"
                asked = replace(
                    query, asks=before.asks, countries=before.countries, led_by=before.led_by
                )
            found = pick_by_topic(
                asked, conversation, [*searched, *near_topic(query.expansion or query.topic)],
                retriever.cards, today, retriever.programme,
            )  # fmt: skip
        if found is None:
            found = shifted_network(state, query, language)
        if found is not None and found.kind == "narrow" and not found.retrieval.hits:
            found = replace(found, retrieval=closest(found.retrieval, conversation, state))
        return found

    def shifted_city(state: ChainState) -> str | None:
        """A city named in a short follow-up after a city's list: the same question about it."""
        previous = state.conversation.previous
        if not previous or len(state.question.split()) > 8:
            return None
        before = understand(previous, retriever.entities)
        now = understand(state.question, retriever.entities)
        if before.kind == "city" and now.cities and now.kind != "city" and not now.networks:
            return now.cities[0]
        return None

    def previous_asked(state: ChainState, language: str) -> Query | None:
        """The previous question as the user asked it, not joined to the one before."""
        turns = state.conversation.turns
        if not turns:
            return None
        previous = turns[-1].question
        if len(turns) > 1 and previous.startswith(turns[-2].question):
            previous = previous[len(turns[-2].question) :].strip() or previous
        return understand(previous, retriever.entities, language)

    def shifted_network(state: ChainState, now: Query, language: str) -> FollowUp | None:
        """ "Et dans RetaiLink ?" after "Il y avait un partenaire français dedans ?": the
        previous question about the network now named."""
        if len(now.networks) != 1 or len(state.question.split()) > 6:
            return None
        if now.asks or now.countries or now.cities or now.status or now.concepts:
            return None
        # "Et dans RetaiLink ?", not "Despre ce era Find Your Greatness?" (a question of its own)
        said = phrase(state.question)
        name = max(
            (k for k, slug in retriever.entities.networks.items() if slug == now.networks[0]
             and f" {k} " in said),
            key=len, default="",
        )  # fmt: skip
        if len(said.split()) - len(name.split()) > 2 and not follows_on(state.question):
            return None
        before = previous_asked(state, language)
        if before is None or not (
            before.asks or before.countries or before.cities or before.status
        ):
            return None
        card = retriever.cards[now.networks[0]]
        if not isinstance(card, NetworkCard):
            return None
        asked = replace(before, text=state.question)
        return about(asked, card, retriever.today(), retriever.programme, "attribute")

    def near_topic(text: str) -> list[str]:
        """The networks nearest to a topic (best first): those a follow-up may point to."""
        near = retriever.dense(text, "network", topic_only=True)
        return sorted(near, key=lambda slug: near[slug][0], reverse=True)[:CLOSE_RANK]

    def closest(narrowed: Retrieval, conversation: Conversation, state: ChainState) -> Retrieval:
        """For an empty narrowing: the best network of a new search that passes the filters,
        when it is among the networks nearest to the conversation's topic (not one that only
        passes the filters)."""
        text = f"{conversation.previous or ''} {state.question}"
        topic = conversation.previous or text  # its concepts in the cards' words, if known
        asked = understand(topic, retriever.entities)
        if asked.kind == "city":  # a city's own list has no topic to be close to
            return narrowed
        on_topic = near_topic(asked.expansion or topic)
        searched = retriever.retrieve(text)
        nearest = [Hit(retriever.cards[s], 0.0, "") for s in on_topic]
        for hit in [*searched.hits, *nearest]:
            if (
                isinstance(hit.card, NetworkCard)
                and matches_filters(hit.card, narrowed.query, narrowed.today)
                and hit.card.slug in on_topic
                and hit.card.slug not in conversation.base
            ):
                return replace(narrowed, hits=[replace(hit, reasons=("closest",))])
        return narrowed

    def add_retrieval(state: ChainState) -> ChainState:
        if state.retrieval is not None:
            return state
        retrieval = retriever.retrieve(state.standalone)
        view = retriever.entities.lexicon.view(phrase(state.question), state.language)
        retrieval = same_call(retrieval, state.conversation, retriever.cards)
        return replace(state, retrieval=others_first(retrieval, state.conversation, view))

    def respond(state: ChainState) -> Answer:
        given = answer(state)
        follow = state.follow_up
        if follow is not None:
            after = state.conversation.after(given, follow.kind, follow.filters)
        elif any("aside" in h.reasons for h in state.found.hits[:1]):  # the network's own call
            after = state.conversation.after(given, "aside")
        else:
            after = state.conversation.after(given, None, Filters.of(state.found.query))
        return replace(given, conversation=after)

    return (
        RunnableLambda(add_standalone, name="condense")
        | RunnableLambda(add_retrieval, name="retrieve")
        | RunnableLambda(respond, name="answer")
    )
