"""Train the builtin seed model (policies/data/seed.bin) from redistributable data, reproducibly.

    python tools/train_seed.py [--corpus ../shared/corpus] [--check]

Sources (and only these; see NOTICE and policies/data/seed.md):
- ``tg-spam.tsv``: umputun/tg-spam sample files, MIT (c) 2023 Umputun;
- ``sms-en.tsv``: UCI SMS Spam Collection, CC BY 4.0 (Almeida, Gómez Hidalgo, Yamakami 2011);
- ``policies/data/seed_authored.tsv``: lines written for this project, MIT like the project.

Before the final fit the script cross-validates the same recipe (stratified 5-fold, copies of
a text kept in one fold) and prints, per source, out-of-fold precision and recall of the seed
alone at the classifier's threshold; it rewrites the generated section of seed.md with them.
``--check`` trains and compares with the shipped file without writing anything.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.tools.evaluate import stratified_folds  # noqa: E402
from policies.classifier import THRESHOLD  # noqa: E402
from policies.labelled import read_tsv  # noqa: E402
from policies.ngram import NgramModel  # noqa: E402
from policies.seed import BUILTIN, SeedModel  # noqa: E402

SOURCES = (
    ("tg-spam.tsv", "umputun/tg-spam sample files", "MIT (c) 2023 Umputun"),
    ("sms-en.tsv", "UCI SMS Spam Collection v.1 (half)", "CC BY 4.0"),
)
AUTHORED = ROOT / "policies" / "data" / "seed_authored.tsv"
NOTES = ROOT / "policies" / "data" / "seed.md"
#: The authored lines are few beside the corpora; each counts this many times.
AUTHORED_WEIGHT = 3
#: Added to the seed's calibrated log odds: the seed's training data is about a fifth spam,
#: a group's traffic far less. Chosen for precision (see seed.md): out-of-fold precision of
#: the seed alone at the threshold ≥ 0.99 on every source, and no new delete on real traffic.
PRIOR_SHIFT = -3.5
FOLDS = 5
BEGIN, END = "<!-- train_seed: begin -->", "<!-- train_seed: end -->"

Rows = list[tuple[bool, str]]


def load(corpus: Path) -> dict[str, Rows]:
    """Each source's rows, exact duplicates within a source dropped."""
    sources: dict[str, Rows] = {}
    for name, _, _ in SOURCES:
        sources[name] = list(dict.fromkeys(read_tsv(corpus / name)))
    sources[AUTHORED.name] = list(dict.fromkeys(read_tsv(AUTHORED)))
    return sources


def training_rows(sources: dict[str, Rows]) -> Rows:
    rows: Rows = []
    for name, part in sources.items():
        rows += part * (AUTHORED_WEIGHT if name == AUTHORED.name else 1)
    return rows


Tagged = list[tuple[str, bool, str]]


def out_of_fold(sources: dict[str, Rows]) -> tuple[Tagged, np.ndarray]:  # type: ignore[type-arg]
    """Every row tagged with its source, and its log odds from the model that did not see it."""
    tagged = [(name, spam, text) for name, part in sources.items() for spam, text in part]
    parts = stratified_folds([(spam, text) for _, spam, text in tagged], FOLDS)
    odds = np.zeros(len(tagged))
    for k in range(FOLDS):
        train: Rows = []
        for (name, spam, text), part in zip(tagged, parts, strict=True):
            if part != k:
                train += [(spam, text)] * (AUTHORED_WEIGHT if name == AUTHORED.name else 1)
        model = NgramModel(max_examples=len(train))
        model.learn_many(train)
        model.fit()
        for i, part in enumerate(parts):
            if part == k:
                odds[i] = model.log_odds(tagged[i][2])
    return tagged, odds


def table(tagged: Tagged, odds: np.ndarray, shift: float) -> list[str]:  # type: ignore[type-arg]
    """Out-of-fold precision/recall of the seed alone, per source, as markdown table rows."""
    odds = odds + shift
    sources = dict.fromkeys(name for name, _, _ in tagged)
    cut = float(np.log(THRESHOLD / (1 - THRESHOLD)))
    lines = ["| source | rows | spam | precision | recall | ham flagged |",
             "|---|---|---|---|---|---|"]
    names = [*sources, "all"]
    for name in names:
        pick = [i for i, row in enumerate(tagged) if name in ("all", row[0])]
        spam = np.array([tagged[i][1] for i in pick])
        flagged = odds[pick] >= cut
        tp, fp = int((flagged & spam).sum()), int((flagged & ~spam).sum())
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / int(spam.sum()) if spam.sum() else 1.0
        lines.append(f"| {name} | {len(pick)} | {int(spam.sum())} | {precision:.3f} | "
                     f"{recall:.3f} | {fp} of {int((~spam).sum())} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=BUILTIN)
    parser.add_argument("--shift", type=float, default=PRIOR_SHIFT)
    parser.add_argument("--check", action="store_true", help="compare with the shipped seed")
    parser.add_argument("--try-shift", type=float, action="append", default=[],
                        help="also print the cross-validated table at this prior shift")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    args = parser.parse_args()

    sources = load(args.corpus)
    lines: list[str] = []
    if not args.no_cv:
        tagged, odds = out_of_fold(sources)
        for shift in args.try_shift:
            print(f"prior shift {shift:+.2f}:", *table(tagged, odds, shift), sep="\n")
        lines = table(tagged, odds, args.shift)
        print(*lines, sep="\n")
    rows = training_rows(sources)
    started = time.perf_counter()
    info: dict[str, object] = {
        "sources": {name: len(part) for name, part in sources.items()},
        "authored_weight": AUTHORED_WEIGHT,
        "threshold": THRESHOLD,
    }
    seed = SeedModel.train(rows, prior_shift=args.shift, info=info)
    print(f"trained on {len(rows)} rows ({sum(s for s, _ in rows)} spam) in "
          f"{time.perf_counter() - started:.1f} s: {seed.keys.size} weights, digest {seed.digest}")
    data = seed.to_bytes()
    if args.check:
        same = BUILTIN.read_bytes() == data
        print("matches the shipped seed" if same else "DIFFERS from the shipped seed")
        raise SystemExit(0 if same else 1)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes)")
    if lines and args.out == BUILTIN and NOTES.exists():
        text = NOTES.read_text(encoding="utf-8")
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        block = "\n".join([BEGIN, f"Prior shift {args.shift:+.2f}, threshold {THRESHOLD}, "
                           f"digest `{seed.digest}`, {len(data):,} bytes.", "", *lines, END])
        NOTES.write_text(head + block + tail, encoding="utf-8")
        print(f"updated {NOTES}")


if __name__ == "__main__":
    main()
