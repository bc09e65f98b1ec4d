"""Plot (not a test): seconds against deck size for each operation, ankitoml beside Anki, from
the JSON that ``bench_vs_anki.py`` writes.

    .venv/bench/bin/python bench/plot.py bench/results/26.09.3.json -o bench/time-vs-deck-size.png

Needs matplotlib (``bench/requirements.txt``: a venv of its own, never the add-on's).
"""

import argparse
import json
from pathlib import Path

PAIRS = [
    ("no-op sync", "ankitoml_sync_clean", "ankitoml_sync_nochange", "anki_export_apkg"),
    ("no-op preview", "ankitoml_preview_clean", "ankitoml_preview", "anki_export_apkg"),
    ("export", "ankitoml_export", None, "anki_export_apkg"),
    ("push of new notes", "ankitoml_push_new", None, "anki_add_notes"),
    ("push of 1% edits", "ankitoml_push_1pct", None, "anki_update_1pct"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(args.results.read_text(encoding="utf-8"))
    sizes = sorted(int(n) for n in data["results"])

    def series(op: str) -> list[float]:
        return [data["results"][str(n)].get(op, {}).get("seconds") or float("nan") for n in sizes]

    fig, axes = plt.subplots(1, len(PAIRS), figsize=(4 * len(PAIRS), 3.8), squeeze=False)
    for ax, (title, ours, full, anki) in zip(axes[0], PAIRS):
        fast = " (fast path)" if full else ""
        ax.plot(sizes, series(ours), "o-", label=f"ankitoml{fast}")
        if full:
            ax.plot(sizes, series(full), "s--", label="ankitoml, planned in full")
        ax.plot(sizes, series(anki), "^-", color="black", label=anki.replace("anki_", "Anki "))
        ax.set_title(title)
        ax.set_xlabel("notes")
        ax.set_ylabel("seconds")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    load = data.get("load_average_start")
    fig.suptitle(
        f"ankitoml vs Anki {data['anki_version']} on {data.get('cpu_count')} cores"
        + (f" (load average at start {load[0]:.1f})" if load else "")
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
