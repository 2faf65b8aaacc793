"""Benchmark harness of the pantau worker (`make bench`, `python -m bench`)."""
