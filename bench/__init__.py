"""The performance harness: this API against the seed service and the raw driver, on one embedded database.

`python -m bench` (or `make bench`) runs every scenario at every size and writes
`bench/results/latest.{json,md,png}`. See `bench/config.py` for the knobs.
"""
