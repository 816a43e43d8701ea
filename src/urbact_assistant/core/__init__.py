"""The bottom layer: the types every other layer shares (cards, questions, retrievals,
answers, conversation state), text folding, and atomic snapshot files.

Imports nothing else from the package.
"""
