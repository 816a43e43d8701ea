"""urbact-assistant: cited answers about URBACT city networks.

The public API, and the only one the command line and the Telegram bot use::

    from urbact_assistant import Assistant, Settings, environment

    assistant = Assistant.open(Settings.from_env(environment()))
    answer = assistant.ask("which networks tackle remote work?")
    print(answer.text, [c.url for c in answer.citations])
    follow_up = assistant.ask("which of them are ongoing?", answer.conversation)

``Assistant`` is imported on first use (it pulls in Chroma and LangChain), so importing the
package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from urbact_assistant.config import Settings, environment, eval_set
from urbact_assistant.core import phrases
from urbact_assistant.core.models import (
    NETWORK_TYPES,
    Answer,
    AnyCard,
    CallStatus,
    Citation,
    Conversation,
    Funding,
    FuzzyDate,
    NetworkCard,
    Party,
    ProgrammeFacts,
    ProgrammePage,
    Retrieval,
    Status,
    Turn,
)
from urbact_assistant.core.results import (
    About,
    Browse,
    Calls,
    CorpusCheck,
    IngestReport,
    NameMatch,
    NetworkFilter,
    Progress,
)
from urbact_assistant.errors import (
    ConfigError,
    CorpusError,
    DamagedIndexError,
    DataDirError,
    IndexMismatchError,
    Problem,
    UrbactError,
)
from urbact_assistant.knowledge.countries import country_name

if TYPE_CHECKING:
    from urbact_assistant.assistant import Assistant

__all__ = [
    "NETWORK_TYPES",
    "About",
    "Answer",
    "AnyCard",
    "Assistant",
    "Browse",
    "CallStatus",
    "Calls",
    "Citation",
    "ConfigError",
    "Conversation",
    "CorpusCheck",
    "CorpusError",
    "DamagedIndexError",
    "DataDirError",
    "Funding",
    "FuzzyDate",
    "IndexMismatchError",
    "IngestReport",
    "NameMatch",
    "NetworkCard",
    "NetworkFilter",
    "Party",
    "Problem",
    "ProgrammeFacts",
    "ProgrammePage",
    "Progress",
    "Retrieval",
    "Settings",
    "Status",
    "Turn",
    "UrbactError",
    "country_name",
    "environment",
    "eval_set",
    "phrases",
]


def __getattr__(name: str) -> Any:
    if name == "Assistant":
        from urbact_assistant.assistant import Assistant

        return Assistant
    raise AttributeError(f"module 'urbact_assistant' has no attribute {name!r}")
