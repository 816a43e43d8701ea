"""Finding the cards that answer a question: embeddings, the Chroma index, BM25, the hybrid
retriever and its evaluation. The only layer (with ``answering.llm``) that imports Chroma or
LangChain.

May import ``core``, ``knowledge`` and ``understanding``.
"""
