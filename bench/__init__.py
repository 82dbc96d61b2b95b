"""Benchmarks (``make bench`` → ``python -m bench``).

Every module in this package that defines ``run() -> str`` is a benchmark: it returns
its own Markdown section (starting with a ``## `` heading) for BENCHMARKS.md. Add a
benchmark by adding a module; nothing else to register.
"""
