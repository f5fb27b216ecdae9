"""Benchmarks of the handbook (``make bench``); results go to benchmarks/results.json and book/benchmarks.md."""
