"""Reading a question without an LLM: its kind, names, filters and language, from the
language data files in ``data/``.

May import ``core`` and ``knowledge``.
"""
