"""A benchmark of the delivery API (not a test): ``python -m bench.run``. See bench/README.md."""
