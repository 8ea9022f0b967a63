"""`python -m bench [--quick] [--sizes 1k,10k,100k] ...`: run the benchmark, write bench/results/latest.*."""

import signal
import sys
import time
from types import FrameType

from bench import markdown, plot, report, runner
from bench.config import load_config
from bench.progress import say
from bench.services import ServiceError


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # so that every `finally` stops what it started


def main() -> int:
    """Run, report, and print where the results are."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    config = load_config(sys.argv[1:])
    say(f"{config}")
    started = time.monotonic()
    try:
        raw = runner.run(config)
    except ServiceError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    results = report.build(config, raw)
    json_path, md_path = report.write(results, config.out_dir)
    print(markdown.markdown(results))
    try:
        png_path = plot.draw(results, config.out_dir / "latest.png")
    except ImportError:
        print("bench: matplotlib is missing, so no plot: `uv sync --group bench` installs it", file=sys.stderr)
        return 3
    say(f"wrote {json_path}, {md_path}, {png_path} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
