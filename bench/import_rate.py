"""`python -m bench.import_rate [ROWS] [FORMAT] [ROUNDS]`: import rate of a fresh API on a fresh embedded database.

Each round POSTs one file of ROWS generated contacts (FORMAT `csv` or `vcf`) to /contacts/import of a new
`python -m api` with its own embedded database (as bench/files.py does), and prints contacts/s and the CPU
seconds that the API process and its database child spent meanwhile. With PROFILE_DIR set, every Python process
of the round writes a cProfile to PROFILE_DIR/<pid>.prof when it exits (which slows it down). With
WITHOUT_PATCH=<module>[,<module>...] the database child runs without those modules of embedded/patches (a
before/after switch), and every process runs the Python file SITE_HOOK first, if set (for ad-hoc timers).
"""

import os
import sys
import tempfile
from pathlib import Path

from bench import data, interchange
from bench.config import REPO_ROOT
from bench.services import _children, api_service, cpu_seconds

PROFILER = """
import atexit, cProfile, os
_profile = cProfile.Profile()
_profile.enable()
atexit.register(lambda: (_profile.disable(), _profile.dump_stats(os.path.join({folder!r}, f"{{os.getpid()}}.prof"))))
"""


WITHOUT = """
import os, sys, types
for _name in filter(None, os.environ.get("WITHOUT_PATCH", "").split(",")):
    _stub = types.ModuleType("embedded.patches." + _name)
    _stub.install = lambda: None
    sys.modules[_stub.__name__] = _stub
if os.environ.get("SITE_HOOK"):
    exec(open(os.environ["SITE_HOOK"]).read())
"""


def site_folder(folder: Path) -> Path:
    """A folder with a sitecustomize.py for the profiler and the patch switch (to put first on PYTHONPATH)."""
    site = folder / "site"
    site.mkdir(exist_ok=True)
    profile_dir = os.environ.get("PROFILE_DIR")
    profiler = PROFILER.format(folder=profile_dir) if profile_dir else ""
    (site / "sitecustomize.py").write_text(WITHOUT + profiler)
    return site


def one_round(file_format: str, body: bytes, rows: int, folder: Path) -> dict[str, float]:
    """Import `body` into a fresh API and database under `folder`; rate and CPU seconds per process."""
    service = api_service(folder / "api.log", None, "rate", folder / "data")
    service.env["PYTHONPATH"] = os.pathsep.join([str(site_folder(folder)), str(REPO_ROOT)])
    with service:
        service.wait_ready("/readyz")
        api = service.pid
        database = _children(api)[0]
        before = cpu_seconds(api), cpu_seconds(database)
        done = interchange.post_import(service.base_url, file_format, body, rows, api)
        after = cpu_seconds(api), cpu_seconds(database)
    if done["created"] != rows:
        raise RuntimeError(f"the import did not create every row: {done}")
    return {
        "per_s": done["per_s"],
        "seconds": done["seconds"],
        "api_cpu": round(after[0] - before[0], 2),
        "db_cpu": round(after[1] - before[1], 2),
    }


def main() -> None:
    """Run the rounds and print one line each."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    file_format = sys.argv[2] if len(sys.argv) > 2 else "csv"
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    body = interchange.import_file(file_format, rows, data.contact_templates())
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            print(one_round(file_format, body, rows, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
