"""Turning retrieved cards into an answer: the offline composer, the LLM prompts and steps,
citation and claim checks, and the chain that runs condense → retrieve → answer.

May import ``core``, ``knowledge``, ``understanding`` and ``search``.
"""
