"""The corpus of deliberately broken submissions (see test_corpus.py)."""
