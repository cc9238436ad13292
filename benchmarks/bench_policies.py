"""Time every available content policy on 200- and 4,000-character messages vs a no-op floor.

The classifier does real work: its global model is trained on the training part of the
development corpora in ``../shared/corpus`` when present (the lines ``bot.tools.evaluate`` keeps out
of the test split), else on synthetic text. Nothing from the corpora is stored.
"""

from __future__ import annotations

import inspect
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.policy import Context, Policy
from bot.registry import Registry
from bot.tools.evaluate import in_test_split, member_context, member_message, read_labelled
from policies.classifier import GLOBAL, ClassifierOptions, ClassifierPolicy, ModelBook
from policies.normalize import normalize

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TRAIN_SETS = ("zh-chat.tsv", "sms-en.tsv")

PIECES = [
    "今天天气不错，我们一起去公园散步吧。",
    "有没有人知道这个问题怎么解决？",
    "加我薇信 abc12345 ",
    "See you at 10, bring the books. ",
    "最新网址 xx888点com ",
    "ＦＴＡ６８９ᚰ看片",
    "谢谢大家！",
    "Привет всем, как дела? ",
    "call 139 1234 5678 now ",
    "哈哈哈😂😂 ",
]


def synthetic(length: int, seed: int) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts.append(rng.choice(PIECES))
    return "".join(parts)[:length]


def measure(run: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    samples = []
    for text in texts:
        started = time.perf_counter()
        run(text)
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def trained_book() -> tuple[ModelBook, str]:
    """A book whose global model is trained (and fitted) before timing starts."""
    book = ModelBook()
    rows: list[tuple[bool, str]] = []
    for name in TRAIN_SETS:
        if (CORPUS / name).is_file():
            rows += [r for r in read_labelled(CORPUS / name) if not in_test_split(r[1])]
    source = f"{len(rows)} corpus training lines"
    if not rows:
        rng = random.Random(7)
        rows = [(i % 2 == 0, synthetic(rng.randint(10, 120), i)) for i in range(2000)]
        source = "2000 synthetic lines (corpus not found)"
    model = book.model(GLOBAL)
    model.learn_many(rows)
    model.fit()
    return book, source


def build(book: ModelBook) -> list[Policy]:
    registry = Registry()
    policies: list[Policy] = []
    for name in registry.available():
        factory = registry.get(name)
        if name == "classifier":
            policies.append(ClassifierPolicy(ClassifierOptions(), book=book))
        else:
            policies.append(factory(factory.Options()))
    return policies


def corpus_messages(length: int, count: int) -> list[str]:
    """Messages of ``length`` characters made of test-split corpus lines (empty without corpus)."""
    lines: list[str] = []
    for path in sorted(CORPUS.glob("*.tsv")) if CORPUS.is_dir() else []:
        lines += [text for _, text in read_labelled(path) if in_test_split(text)]
    if not lines:
        return []
    rng = random.Random(length)
    messages = []
    for seed in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < length:
            parts.append(rng.choice(lines))
        messages.append((" ".join(parts))[: length - len(str(seed))] + str(seed))
    return messages


def main() -> None:
    book, source = trained_book()
    policies = build(book)
    ctx = member_context()
    print("classifier trained on", source)
    print("policies:", ", ".join(p.name for p in policies))
    cases = [
        ("synthetic ad-dense", length, [synthetic(length, seed) + str(seed) for seed in range(n)])
        for length, n in ((200, 3000), (4000, 600))
    ]
    cases += [("corpus lines", length, corpus_messages(length, n)) for length, n in ((200, 3000),
                                                                                     (4000, 600))]
    for label, length, texts in cases:
        if texts:
            report(label, length, texts, policies, ctx)


def report(label: str, length: int, texts: list[str], policies: list[Policy], ctx: Context) -> None:
    """All policies on each (distinct, so uncached) text; then each one's share and the fold."""
    shares: dict[str, list[float]] = {p.name: [] for p in policies}

    def all_policies(text: str) -> None:
        message = member_message(text)
        for policy in policies:
            started = time.perf_counter()
            result = policy.check(message, ctx)
            # As bot.pipeline does: a plain list or tuple is never awaitable, and asking
            # inspect costs ~0.3 µs a policy, which the pipeline does not pay.
            if not isinstance(result, list | tuple) and inspect.isawaitable(result):
                getattr(result, "close", lambda: None)()
            shares[policy.name].append((time.perf_counter() - started) * 1e6)

    floor_median, _ = measure(member_message, texts)
    normalize.cache_clear()
    median, p99 = measure(all_policies, texts)
    print(
        f"{label:>18} {length:>5} chars: median {median:8.1f} µs  p99 {p99:8.1f} µs  "
        f"(floor {floor_median:.2f} µs)"
    )
    normalize.cache_clear()
    n_median, n_p99 = measure(normalize, texts)
    print(f"{'':>32}normalize alone: median {n_median:8.1f} µs  p99 {n_p99:8.1f} µs")
    parts = ", ".join(
        f"{name} {statistics.median(values):.1f}" for name, values in shares.items()
    )
    print(f"{'':>32}median µs by policy (first pays the shared fold): {parts}")


if __name__ == "__main__":
    main()
