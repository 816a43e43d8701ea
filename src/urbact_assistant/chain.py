"""The answer chain as a LangChain runnable: question → retrieve → answer.

The answer step is a parameter: the deterministic composer offline, an LLM step when one is
configured. Both take a ``Retrieval`` and return an ``Answer``.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.runnables import Runnable, RunnableLambda

from .compose import compose
from .models import Answer
from .retrieval import Retrieval, Retriever

AnswerStep = Callable[[Retrieval], Answer]


def build_chain(retriever: Retriever, answer: AnswerStep = compose) -> Runnable[str, Answer]:
    """``question -> Answer``: retrieval followed by the answer step."""
    return RunnableLambda(retriever.retrieve, name="retrieve") | RunnableLambda(
        answer, name="answer"
    )
