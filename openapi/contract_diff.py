"""The breaking-change gate: compare the contract with a base version using Optic and api-smart-diff.

    python openapi/contract_diff.py                 # base: newest v* tag, else merge-base with origin/main, else HEAD
    python openapi/contract_diff.py --base REF      # base: openapi/openapi.yaml at REF
    python openapi/contract_diff.py BASE.yaml HEAD.yaml

Fails (exit 1) on a breaking change unless `info.version` got a major bump. Both tools run,
because each misses changes the other catches (Optic skips nullable properties, for one).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "openapi/openapi.yaml"
TOOLS = ROOT / "openapi" / "tools" / "node_modules"


def _git(*args: str) -> str | None:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def default_base() -> str:
    """The newest release tag, else where this branch left origin/main, else the last commit."""
    return (
        _git("describe", "--tags", "--abbrev=0", "--match", "v*") or _git("merge-base", "HEAD", "origin/main") or "HEAD"
    )


def contract_at(ref: str, into: Path) -> Path | None:
    """Write the contract as it was at `ref`; None when it did not exist there."""
    text = _git("show", f"{ref}:{CONTRACT}")
    if text is None:
        return None
    into.parent.mkdir(parents=True, exist_ok=True)
    into.write_text(text + "\n")
    return into


def check(base: Path, head: Path) -> bool:
    """True when head makes no breaking change to base (or bumps the major version)."""
    env = os.environ | {"OPTIC_TELEMETRY_LEVEL": "off"}
    optic = subprocess.run(
        [TOOLS / ".bin" / "optic", "diff", base, head, "--check", "--standard", ROOT / "openapi" / "optic.yml"],
        env=env,
        check=False,
    )
    smart = subprocess.run(
        ["node", TOOLS.parent / "breaking-change-gate.mjs", base, head], cwd=TOOLS.parent, env=env, check=False
    )
    return optic.returncode == 0 and smart.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="git ref whose contract is the base")
    parser.add_argument("files", nargs="*", type=Path, help="BASE.yaml HEAD.yaml")
    args = parser.parse_args()
    if args.files:
        if len(args.files) != 2:
            parser.error("give two files: BASE.yaml HEAD.yaml")
        base, head = args.files
    else:
        ref = args.base or default_base()
        found = contract_at(ref, ROOT / "build" / "contract" / "base.yaml")
        if found is None:
            print(f"no contract at {ref}: nothing to compare")
            return 0
        base, head = found, ROOT / CONTRACT
        print(f"comparing {CONTRACT} with its version at {ref}")
    return 0 if check(base, head) else 1


if __name__ == "__main__":
    sys.exit(main())
