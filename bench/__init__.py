"""Benchmark tooling: the data generator (``bench.generate``) and the runner."""
