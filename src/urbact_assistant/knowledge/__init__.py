"""The corpus: reading and checking cards, country names, the passages that get indexed,
coverage statistics.

May import ``core`` only.
"""
