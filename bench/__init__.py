"""Benchmarks behind `make bench`. Each module `bench_*.py` exposes `run() -> list[Entry]`;
every figure is measured beside a reference in the same run, because these machines are
noisy and only ratios travel."""
