"""urbact-assistant: cited answers about URBACT city networks."""

from .models import Answer, Citation, FuzzyDate, Hit, NetworkCard, Party, ProgrammePage

__all__ = ["Answer", "Citation", "FuzzyDate", "Hit", "NetworkCard", "Party", "ProgrammePage"]
