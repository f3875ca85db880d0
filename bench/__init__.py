"""Benchmarks: `make bench` runs them and writes their figures to bench/results/*.json."""
