"""The latency plot: p50 and p99 of every scenario against the collection size (matplotlib, PNG)."""

from pathlib import Path
from typing import Any

from bench.scenarios import API, DRIVER, EVE, SCENARIOS, SEED

_STYLE = {API: ("-", "o"), DRIVER: ("--", "s"), SEED: (":", "^"), EVE: ("-.", "D")}


def draw(results: dict[str, Any], path: Path) -> Path:
    """Draw latency against contacts for each scenario and service into `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measured = {int(size): entry for size, entry in results["sizes"].items() if entry["status"] == "measured"}
    figure, axes = plt.subplots(1, 2, figsize=(13, 5.5), sharex=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for number, scenario in enumerate(SCENARIOS):
        for service in scenario.services:
            points = [
                (size, entry["scenarios"][scenario.key][service])
                for size, entry in sorted(measured.items())
                if service in entry["scenarios"].get(scenario.key, {})
            ]
            if not points:
                continue
            sizes = [size for size, _ in points]
            for axis, metric in zip(axes, ("p50_ms", "p99_ms"), strict=True):
                axis.plot(
                    sizes,
                    [numbers[metric] for _, numbers in points],
                    _STYLE[service][0],
                    marker=_STYLE[service][1],
                    color=colours[number % len(colours)],
                    label=f"{scenario.title} — {service}",
                )
    for axis, title in zip(axes, ("p50 latency", "p99 latency"), strict=True):
        axis.set(xscale="log", yscale="log", xlabel="contacts in the collection", ylabel="ms", title=title)
        axis.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=3, fontsize="small")
    skipped = [
        f"{size}: {entry['reason']}" for size, entry in results["sizes"].items() if entry["status"] != "measured"
    ]
    if skipped:
        figure.text(0.5, 0.93, "skipped " + "; ".join(skipped), ha="center", fontsize="small", color="dimgray")
    quick = " (BENCH_QUICK)" if results["config"]["quick"] else ""
    figure.suptitle(f"Contacts API vs raw driver, seed service and Eve{quick}: {results['generated_at']}")
    figure.tight_layout(rect=(0, 0.14, 1, 0.93))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
