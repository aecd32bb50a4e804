"""Benchmarks: ``python -m bench NAME [options]``; ``python -m bench`` lists them.

Any module in this package with a ``main(argv)`` function is a benchmark.
"""
