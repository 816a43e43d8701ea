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
from urbact_assistant.core.models import Answer, Conversation, Retrieval
from urbact_assistant.search.retrieval import Retriever
from urbact_assistant.understanding.language import detect
from urbact_assistant.understanding.questions import standalone_question


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

    def add_standalone(state: ChainState) -> ChainState:
        names = retriever.entities.name_words
        language = detect(state.question, names, hint=state.conversation.language)
        return replace(state, standalone=condense_step(state), language=language)

    def add_retrieval(state: ChainState) -> ChainState:
        return replace(state, retrieval=retriever.retrieve(state.standalone))

    def respond(state: ChainState) -> Answer:
        given = answer(state)
        return replace(given, conversation=state.conversation.after(given))

    return (
        RunnableLambda(add_standalone, name="condense")
        | RunnableLambda(add_retrieval, name="retrieve")
        | RunnableLambda(respond, name="answer")
    )
