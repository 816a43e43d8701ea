"""urbact-assistant: cited answers about URBACT city networks."""

from urbact_assistant.core.models import (
    Answer,
    Citation,
    FuzzyDate,
    Hit,
    NetworkCard,
    Party,
    ProgrammePage,
)

__all__ = ["Answer", "Citation", "FuzzyDate", "Hit", "NetworkCard", "Party", "ProgrammePage"]
