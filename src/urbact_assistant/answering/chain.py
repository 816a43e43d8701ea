"""The answer chain as a LangChain runnable: condense → retrieve → answer.

Input: ``{"question": str, "history": [(standalone question, answer text), ...],
"on_token": callable | None}``. Output: an ``Answer``.

- *condense* turns a follow-up into a standalone question (offline: joined to the previous
  question when it names nothing of its own; with an LLM: rewritten by the model);
- *retrieve* runs the hybrid retriever on the standalone question;
- *answer* is the deterministic composer offline, or the LLM step when one is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from urbact_assistant.answering.compose import compose
from urbact_assistant.core.models import Answer
from urbact_assistant.search.retrieval import Retrieval, Retriever
from urbact_assistant.understanding.questions import standalone_question

State = dict[str, Any]
AnswerStep = Callable[[State], Answer]
CondenseStep = Callable[[State], str]


def offline_answer(state: State) -> Answer:
    """The composer's answer, labelled with the user's own question."""
    retrieval: Retrieval = state["retrieval"]
    answer = compose(retrieval)
    return replace(answer, question=state["question"], standalone=state["standalone"])


def build_chain(
    retriever: Retriever,
    answer: AnswerStep = offline_answer,
    condense: CondenseStep | None = None,
) -> Runnable[State, Answer]:
    """``{"question", "history"} -> Answer``."""

    def offline_condense(state: State) -> str:
        history = state.get("history") or []
        previous = history[-1][0] if history else None
        return standalone_question(state["question"], previous, retriever.entities)

    condense_step = condense or offline_condense

    def add_standalone(state: State) -> State:
        return {**state, "standalone": condense_step(state)}

    def add_retrieval(state: State) -> State:
        return {**state, "retrieval": retriever.retrieve(state["standalone"])}

    return (
        RunnableLambda(add_standalone, name="condense")
        | RunnableLambda(add_retrieval, name="retrieve")
        | RunnableLambda(answer, name="answer")
    )
