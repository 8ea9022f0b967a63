"""The harness's knobs: defaults, BENCH_* environment variables and command-line flags, in that order."""

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "bench" / "results"
DEFAULT_SEED_APP = REPO_ROOT.parent / "shared" / "bench" / "seed_app.py"
DEFAULT_SEED_VENV = REPO_ROOT / "build" / "bench" / "seed-venv"
DEFAULT_EVE_VENV = REPO_ROOT / "build" / "bench" / "eve-venv"


@dataclass(frozen=True, slots=True)
class BenchConfig:
    """Everything a run needs to know; sizes are contact counts, times are seconds."""

    sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    seconds: int = 5  # one timed run (wrk counts whole seconds)
    rounds: int = 3  # every service runs every scenario once per round, order alternating
    concurrency: int = 16
    cold_starts: int = 3
    load_budget: float = 1800.0  # per size; a size that cannot be loaded within it is skipped (100k: ~15 min here)
    seed_max_size: int = 10_000  # the seed service is compared up to this size (its GET / reads everything)
    eve_max_size: int = 10_000  # Eve too (it counts every list it serves)
    limit_seconds: float = 2.0  # each operation of the SQLite limit harness, per size
    deep_pages: int = 50  # how many pages of 20 the deep-page cursor lies into the data
    files_min_size: int = 10_000  # export, import and sync are measured at the sizes from this one on
    import_max_rows: int = 100_000  # an import file holds the size's contacts, up to this many (the API's limit)
    batch_size: int = 1_000
    warmup_requests: int = 5
    out_dir: Path = DEFAULT_OUT
    seed_app: Path = DEFAULT_SEED_APP
    seed_venv: Path = DEFAULT_SEED_VENV
    eve_venv: Path = DEFAULT_EVE_VENV
    quick: bool = False

    @property
    def seed_sizes(self) -> tuple[int, ...]:
        """The sizes at which the seed service is compared."""
        return tuple(size for size in self.sizes if size <= self.seed_max_size)

    @property
    def eve_sizes(self) -> tuple[int, ...]:
        """The sizes at which Eve is compared."""
        return tuple(size for size in self.sizes if size <= self.eve_max_size)

    @property
    def files_sizes(self) -> tuple[int, ...]:
        """The sizes at which export, import and the sync poll are measured."""
        return tuple(size for size in self.sizes if size >= self.files_min_size)


QUICK: dict[str, Any] = {
    "sizes": (1_000, 10_000),
    "seconds": 2,
    "rounds": 2,
    "cold_starts": 1,
    "load_budget": 120.0,
    "limit_seconds": 1.0,
    "import_max_rows": 2_000,  # imports ran at ~80 rows/s here: 10k rows would take 2 min per file
}

_ENV: dict[str, tuple[str, type]] = {
    "BENCH_SIZES": ("sizes", tuple),
    "BENCH_SECONDS": ("seconds", int),
    "BENCH_ROUNDS": ("rounds", int),
    "BENCH_CONCURRENCY": ("concurrency", int),
    "BENCH_COLD_STARTS": ("cold_starts", int),
    "BENCH_LOAD_BUDGET": ("load_budget", float),
    "BENCH_SEED_MAX_SIZE": ("seed_max_size", int),
    "BENCH_EVE_MAX_SIZE": ("eve_max_size", int),
    "BENCH_LIMIT_SECONDS": ("limit_seconds", float),
    "BENCH_DEEP_PAGES": ("deep_pages", int),
    "BENCH_FILES_MIN_SIZE": ("files_min_size", int),
    "BENCH_IMPORT_MAX_ROWS": ("import_max_rows", int),
    "BENCH_OUT": ("out_dir", Path),
    "BENCH_SEED_APP": ("seed_app", Path),
    "BENCH_SEED_VENV": ("seed_venv", Path),
    "BENCH_EVE_VENV": ("eve_venv", Path),
}


def parse_sizes(text: str) -> tuple[int, ...]:
    """`1k,10k,100000` -> (1000, 10000, 100000), sorted and without repeats."""
    sizes = set()
    for part in text.replace(" ", "").split(","):
        if part:
            multiplier = 1_000 if part.lower().endswith("k") else 1
            sizes.add(int(part.rstrip("kK")) * multiplier)
    if not sizes or min(sizes) < 1:
        raise ValueError(f"sizes must be positive contact counts, not {text!r}")
    return tuple(sorted(sizes))


def _convert(kind: type, text: str) -> object:
    return parse_sizes(text) if kind is tuple else kind(text)


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", default=None, help="reduced run (also BENCH_QUICK=1)")
    parser.add_argument("--sizes", help="contact counts, e.g. 1k,10k,100k (BENCH_SIZES)")
    parser.add_argument("--seconds", type=int, help="length of one timed run, whole seconds (BENCH_SECONDS)")
    parser.add_argument("--rounds", type=int, help="rounds per scenario (BENCH_ROUNDS)")
    parser.add_argument("--concurrency", type=int, help="connections / in-flight operations (BENCH_CONCURRENCY)")
    parser.add_argument("--cold-starts", type=int, help="cold starts to time (BENCH_COLD_STARTS)")
    parser.add_argument("--load-budget", type=float, help="seconds to load one size before skipping it")
    parser.add_argument("--seed-max-size", type=int, help="largest size the seed service is compared at")
    parser.add_argument("--eve-max-size", type=int, help="largest size Eve is compared at")
    parser.add_argument("--limit-seconds", type=float, help="seconds per operation of the SQLite limit harness")
    parser.add_argument("--deep-pages", type=int, help="pages of 20 into the data for the deep page")
    parser.add_argument("--files-min-size", type=int, help="smallest size at which export, import and sync run")
    parser.add_argument("--import-max-rows", type=int, help="most rows an import file holds (BENCH_IMPORT_MAX_ROWS)")
    parser.add_argument("--out", dest="out_dir", type=Path, help="results folder (BENCH_OUT)")
    return parser


def load_config(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> BenchConfig:
    """Defaults, overridden by BENCH_QUICK's reduced set, then BENCH_* variables, then flags."""
    environ = os.environ if environ is None else environ
    args = _arguments().parse_args(argv)
    quick = bool(args.quick) or environ.get("BENCH_QUICK", "") not in ("", "0", "false", "no")
    config = replace(BenchConfig(), quick=quick, **(QUICK if quick else {}))
    overrides: dict[str, Any] = {}
    for variable, (name, kind) in _ENV.items():
        if environ.get(variable):
            overrides[name] = _convert(kind, environ[variable])
    for name, value in vars(args).items():
        if name != "quick" and value is not None:
            overrides[name] = parse_sizes(value) if name == "sizes" else value
    config = replace(config, **overrides)
    if config.seconds < 1 or config.rounds < 1 or config.concurrency < 1:
        raise ValueError("seconds, rounds and concurrency must be at least 1")
    return config


def label(size: int) -> str:
    """1000 -> '1k', 100000 -> '100k', 50 -> '50'."""
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)
