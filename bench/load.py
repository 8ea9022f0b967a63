"""Load runners: wrk for HTTP services, and an in-process async loop for the raw driver.

Both keep `concurrency` requests in flight for `seconds` and report one `RunResult`: requests
per second, p50 and p99 latency, errors, and the CPU share each named process used meanwhile
(which shows what was the bottleneck: a load generator far below 100 % of a core was not).
"""

import asyncio
import json
import resource
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median, quantiles

from bench.services import cpu_seconds, wrk_path

WRK_TIMEOUT = "10s"
DRIVER_OP_TIMEOUT = 30.0
_RESULT_PREFIX = "BENCH_RESULT "


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """What wrk sends: one method, a path (or several, taken in turn) and an optional JSON body.

    `body` may hold `{n}`, replaced by a counter unique within the run.
    """

    method: str
    paths: Sequence[str]
    body: str | None = None


@dataclass(slots=True)
class RunResult:
    """One timed run of one scenario on one service."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    cpu_pct: dict[str, float] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        """Requests (or operations) completed per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        """The run as JSON-ready numbers."""
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "errors": self.errors,
            "cpu_pct": self.cpu_pct,
        }


class CpuMeter:
    """CPU share (% of one core) that each watched process used between start() and stop()."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        self.pids = dict(pids)
        self._before: dict[str, float] = {}
        self._started = 0.0

    def start(self) -> None:
        self._before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._started = time.perf_counter()

    def stop(self) -> dict[str, float]:
        wall = time.perf_counter() - self._started
        return {name: round(100 * (cpu_seconds(pid) - self._before[name]) / wall, 1) for name, pid in self.pids.items()}


def _lua_string(text: str) -> str:
    if "]==]" in text:
        raise ValueError(f"cannot quote {text!r} as a Lua long string")
    return f"[==[{text}]==]"


def wrk_script(request: HttpRequest) -> str:
    """A wrk Lua script that sends `request` and prints the run's numbers as one JSON line."""
    paths = ", ".join(_lua_string(path) for path in request.paths)
    body = "nil" if request.body is None else _lua_string(request.body)
    return f"""
local paths = {{{paths}}}
local body = {body}
local headers = {{["Content-Type"] = "application/json"}}
local counter = 0
request = function()
  counter = counter + 1
  local payload = nil
  if body then payload = body:gsub("{{n}}", tostring(counter)) end
  return wrk.format({_lua_string(request.method)}, paths[(counter - 1) % #paths + 1], headers, payload)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{_RESULT_PREFIX}{{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(base_url: str, request: HttpRequest, seconds: int, concurrency: int, watch: Mapping[str, int]) -> RunResult:
    """Drive `request` at `base_url` with wrk (one thread, `concurrency` connections) for `seconds`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-") as script:
        script.write(wrk_script(request))
        script.flush()
        command = [wrk_path(), "-t1", f"-c{concurrency}", f"-d{seconds}s", f"--timeout={WRK_TIMEOUT}"]
        command += ["-s", script.name, base_url + request.paths[0]]
        meter, wrk_cpu = CpuMeter(watch), _children_cpu()
        meter.start()
        finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
        cpu = meter.stop()
    cpu["loadgen"] = round(100 * (_children_cpu() - wrk_cpu) / seconds, 1)
    line = next((line for line in finished.stdout.splitlines() if line.startswith(_RESULT_PREFIX)), None)
    if finished.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr.strip() or finished.stdout}")
    numbers = json.loads(line.removeprefix(_RESULT_PREFIX))
    return RunResult(
        requests=numbers["requests"],
        seconds=numbers["duration_us"] / 1e6,
        p50_ms=numbers["p50_us"] / 1e3,
        p99_ms=numbers["p99_us"] / 1e3,
        errors=numbers["errors"],
        cpu_pct=cpu,
    )


Operation = Callable[[int], Awaitable[object]]


async def run_operations(operation: Operation, seconds: float, concurrency: int, watch: Mapping[str, int]) -> RunResult:
    """Run `operation(n)` from `concurrency` tasks for `seconds`; time each call.

    Each task first makes one untimed call, so connections are open before the clock starts.
    """
    latencies: list[float] = []
    errors = 0
    counter = 0

    async def worker(deadline: float) -> None:
        nonlocal errors, counter
        while (now := time.perf_counter()) < deadline:
            counter += 1
            try:
                async with asyncio.timeout(DRIVER_OP_TIMEOUT):
                    await operation(counter)
            except Exception:
                errors += 1
            latencies.append(time.perf_counter() - now)

    await asyncio.gather(*(operation(-n) for n in range(1, concurrency + 1)))
    meter = CpuMeter(watch)
    meter.start()
    started = time.perf_counter()
    await asyncio.gather(*(worker(started + seconds) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cpu = meter.stop()
    cuts = quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return RunResult(len(latencies) - errors, elapsed, cuts[49] * 1e3, cuts[98] * 1e3, errors, cpu)


def summarize(runs: Sequence[RunResult]) -> dict[str, object]:
    """Rounds combined: total requests over total time; the median round's p50, p99 and CPU shares."""
    requests, seconds = sum(run.requests for run in runs), sum(run.seconds for run in runs)
    cpu_names = sorted({name for run in runs for name in run.cpu_pct})
    return {
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": round(median(run.p50_ms for run in runs), 3),
        "p99_ms": round(median(run.p99_ms for run in runs), 3),
        "requests": requests,
        "errors": sum(run.errors for run in runs),
        "cpu_pct": {name: round(median(run.cpu_pct.get(name, 0.0) for run in runs), 1) for name in cpu_names},
        "rounds": [run.as_dict() for run in runs],
    }


SETTLE_IDLE_PCT = 25.0  # below this share of a core, a process is idle (the database has background threads)
SETTLE_WINDOW = 0.25
SETTLE_TIMEOUT = 120.0


def settle(pids: Iterable[int], timeout: float = SETTLE_TIMEOUT) -> float:
    """Wait until every process in `pids` is idle for two windows in a row; return the seconds waited.

    wrk stops with requests still in flight, and the services go on serving them: a slow one (the seed's
    `GET /` at 10k takes seconds) would otherwise keep the shared database busy during the next run.
    """
    watched = list(pids)
    started = time.perf_counter()
    idle_windows = 0
    while idle_windows < 2 and time.perf_counter() - started < timeout:
        before = [cpu_seconds(pid) for pid in watched]
        time.sleep(SETTLE_WINDOW)
        busiest = max(
            100 * (cpu_seconds(pid) - used) / SETTLE_WINDOW for pid, used in zip(watched, before, strict=True)
        )
        idle_windows = idle_windows + 1 if busiest < SETTLE_IDLE_PCT else 0
    return time.perf_counter() - started
