"""The learned spam classifier: a shipped seed model, adapted per chat or network by moderators.

Out of the box the seed (``policies.seed``, ``classifier.seed: builtin``) judges every chat.
The model (``policies.ngram``) is logistic regression over character n-grams, refitted from
its bounded recent examples on the first prediction after new labels arrive.
Replying ``/spam`` to a message calls ``book.learn(scope, text, spam=True)``; undoing a false
positive calls it with ``spam=False``. The handler persists ``book.dump(scope)`` and restores it
with ``book.load(scope, data)`` at start; ``bootstrap_tsv`` seeds a model from ``label<TAB>text``
lines. When a chat's own model has too few examples, the ``"global"`` model answers for it,
and when that has too few as well, the seed does. Every model of the book is fitted with the
seed's log odds as one more feature (``NgramModel.set_prior``), so a chat's ``/spam`` and undo
adjust the seed's judgement instead of starting from nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from bot.events import Message
from bot.i18n import Text, t
from bot.policy import Context, PolicyOptions, SymbolInfo
from bot.verdict import Verdict
from policies.labelled import read_tsv
from policies.ngram import NgramModel
from policies.normalize import scanned
from policies.seed import SEED_SCOPE, SeedModel, load_seed

GLOBAL = "global"
THRESHOLD = 0.70
SYMBOL = "SPAM_CLASSIFIER"
SUSPECT_SYMBOL = "SPAM_CLASSIFIER_SUSPECT"


class ModelBook:
    """Process-wide models by scope key (a chat id, a network name, or ``"global"``)."""

    def __init__(self, seed: SeedModel | None = None) -> None:
        self._models: dict[str, NgramModel] = {}
        self._seed = seed
        #: By scope, the latest label moderators gave each exact text (see ``overruled``).
        self._labels: dict[str, dict[str, bool]] = {}

    @property
    def seed(self) -> SeedModel | None:
        """The model that answers where no scope is trained, and every scope's prior."""
        return self._seed

    def use_seed(self, seed: SeedModel | None) -> None:
        """Answer with ``seed`` from now on; models fitted on another seed fit again."""
        if seed is self._seed:
            return
        self._seed = seed
        for model in self._models.values():
            model.set_prior(seed)

    def model(self, scope: str) -> NgramModel:
        """The model of ``scope``, created empty on first use."""
        found = self._models.get(scope)
        if found is None:
            found = self._models[scope] = NgramModel()
            found.set_prior(self._seed)
        return found

    def scopes(self) -> tuple[str, ...]:
        return tuple(self._models)

    def learn(self, scope: str, text: str, spam: bool) -> None:
        self.model(scope).learn(text, spam)
        self._labels.setdefault(scope, {})[_key(text)] = spam

    def forget(self, scope: str, text: str, spam: bool) -> None:
        self.model(scope).forget(text, spam)
        labels = self._labels.get(scope, {})
        if labels.get(_key(text)) == spam:
            del labels[_key(text)]

    def overruled(self, scope: str, text: str) -> bool:
        """Moderators of ``scope`` last taught this exact text as ham: the seed must not judge
        it again, even before the scope has enough lessons for a model of its own."""
        labels = self._labels.get(scope)
        return labels is not None and labels.get(_key(text)) is False

    async def refit(self, scope: str) -> bool:
        """Refit ``scope`` in a worker thread (a large model takes seconds); True if refitted.

        Scoring goes on with the previous weights meanwhile; examples learnt during the fit
        leave the model stale so that the next call fits again.
        """
        model = self.model(scope)
        if model.fresh:
            return False
        version, snapshot = model.version, model.clone()
        await asyncio.to_thread(snapshot.fit)
        model.adopt(snapshot, version)
        return True

    def dump(self, scope: str) -> bytes:
        return self.model(scope).to_bytes()

    def load(self, scope: str, data: bytes) -> None:
        model = NgramModel.from_bytes(data)
        model.set_prior(self._seed)
        self._models[scope] = model
        self._labels[scope] = {_key(text): spam for text, spam in model.labelled()}

    def bootstrap_tsv(self, path: str | Path, scope: str = GLOBAL) -> int:
        """Teach ``scope`` every line of a labelled TSV; returns the number of lines learnt."""
        rows = read_tsv(path)
        self.model(scope).learn_many(rows)
        self._labels.setdefault(scope, {}).update((_key(text), spam) for spam, text in rows)
        return len(rows)

    def for_context(
        self, ctx: Context, scope: str = "chat", min_examples: int = 0, *, seed: bool = True
    ) -> tuple[str, NgramModel | SeedModel] | None:
        """The model that should judge in ``ctx``: its own scope if trained enough, else
        global, else (unless ``seed`` is False) the seed."""
        key = ctx.chat.network if scope == "network" and ctx.chat.network else ctx.chat.chat
        for candidate in (key, GLOBAL):
            model = self._models.get(candidate)
            if model is not None and _ready(model, min_examples):
                return candidate, model
        if seed and self._seed is not None:
            return SEED_SCOPE, self._seed
        return None


def _key(text: str) -> str:
    return scanned(text).strip()


def _ready(model: NgramModel, min_examples: int) -> bool:
    return model.examples >= min_examples and model.spam_examples > 0 and model.ham_examples > 0


_DEFAULT_BOOK = ModelBook()


#: Reasons name the probability as shown, ``format(p, ".1%")``: at most 1,001 distinct texts,
#: each formatted once and kept (``Text`` is frozen, so a kept one can be shared).
_SPAM_REASON = t(
    "Looks like spam to the trained classifier ({p})",
    "分类器判断为垃圾消息（{p}）",
)
_SEED_REASON = t(
    "Looks like spam to the built-in spam classifier ({p})",
    "内置垃圾消息分类器判断为垃圾消息（{p}）",
)
_SUSPECT_REASON = t(
    "Somewhat likely spam to the trained classifier ({p})",
    "分类器认为可能是垃圾消息（{p}）",
)


@lru_cache(maxsize=2048)
def _reason(template: Text, shown: str) -> Text:
    return template.format(p=shown)


def default_book() -> ModelBook:
    """The process-wide book used when a policy is built without one."""
    return _DEFAULT_BOOK


class ClassifierOptions(PolicyOptions):
    """Options of the classifier policy."""

    #: A calibrated probability (the model is Platt-scaled on out-of-fold scores). Chosen by
    #: 5-fold cross-validation on the training parts only of the development corpora (split by
    #: ``bot.tools.evaluate.in_test_split``): the lowest single value whose out-of-fold precision,
    #: rules included, is ≥ 0.98 on group chat and ≥ 0.97 on both SMS sets.
    threshold: float = Field(THRESHOLD, gt=0.5, lt=1.0)
    min_examples: int = Field(50, ge=0)
    scope: Literal["chat", "network"] = "chat"
    score_at_threshold: float = 5.0
    score_at_certainty: float = 8.0
    #: Below ``threshold`` but at least this likely, the model only *adds* a small score (as
    #: rspamd's Bayes symbols do): too little to flag alone, enough for a weak rule finding
    #: (a bare link, "加微" without an id: half of its symbol's score) to reach delete.
    #: ``None`` turns the band off. Its floor is 0.5, the model's own "more likely spam than
    #: not": below it, out of fold on the dev corpora, a weak finding with the band deleted
    #: about as much ham as spam (0.45 -> 0.5: sms-en one ham fewer, zh-chat two ham and one
    #: spam fewer, zh-sms unchanged).
    suspect_threshold: float | None = Field(0.5, gt=0.0, lt=1.0)
    score_when_suspect: float = Field(2.0, ge=0.0)
    max_chars: int = Field(1000, ge=10)
    #: The model that judges before moderators have taught one, and that their lessons adjust:
    #: ``builtin`` (shipped, ``policies/data/seed.md``), ``none``, or a labelled TSV file
    #: (``spam|ham<TAB>text``) trained at start. One per process: the book's models share it.
    seed: str = "builtin"

    @field_validator("seed")
    @classmethod
    def _seed_known(cls, value: str) -> str:
        if value in ("builtin", "none"):
            return value
        if not value.endswith(".tsv"):
            raise ValueError(f"seed must be builtin, none or a labelled .tsv file, not {value!r}")
        if not Path(value).is_file():
            raise ValueError(f"seed file {value!r} not found")
        return value

    @model_validator(mode="after")
    def _suspect_below_threshold(self) -> ClassifierOptions:
        if self.suspect_threshold is not None and self.suspect_threshold >= self.threshold:
            raise ValueError(
                f"suspect_threshold ({self.suspect_threshold}) must be below "
                f"threshold ({self.threshold})"
            )
        return self


class ClassifierPolicy:
    """Votes spam when the learned model is confident enough; the probability is the evidence."""

    name: ClassVar[str] = "classifier"
    Options: ClassVar[type[PolicyOptions]] = ClassifierOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        SYMBOL: SymbolInfo(
            SYMBOL,
            5.0,
            t(
                "The spam classifier trained by moderators is confident this is spam",
                "由管理员训练的垃圾消息分类器判断这是垃圾消息",
            ),
        ),
        SUSPECT_SYMBOL: SymbolInfo(
            SUSPECT_SYMBOL,
            2.0,
            t(
                "The spam classifier finds this somewhat likely to be spam (adds to other signals)",
                "分类器认为这可能是垃圾消息（与其他信号叠加计分）",
            ),
        ),
    }

    def __init__(self, options: PolicyOptions, book: ModelBook | None = None) -> None:
        assert isinstance(options, ClassifierOptions)
        self.options = options
        self.book = book if book is not None else default_book()
        self.seed = load_seed(options.seed)
        if self.seed is not None:
            self.book.use_seed(self.seed)

    def judged(self, message: Message, ctx: Context) -> tuple[str, float] | None:
        """The scope that judged (a chat, a network, ``global`` or ``seed``) and its spam
        probability, or None when no model is ready."""
        text = scanned(message.text)
        if not text.strip():
            return None
        found = self.book.for_context(ctx, self.options.scope, self.options.min_examples,
                                      seed=self.seed is not None)
        if found is None:
            return None
        scope, model = found
        if scope == SEED_SCOPE and self.book.overruled(self._scope_key(ctx), text):
            return None
        return scope, model.spam_probability(text, limit=self.options.max_chars, refit=False)

    def _scope_key(self, ctx: Context) -> str:
        network = ctx.chat.network
        return network if self.options.scope == "network" and network else ctx.chat.chat

    def probability(self, message: Message, ctx: Context) -> float | None:
        """The spam probability of the message, or None when no model is ready."""
        found = self.judged(message, ctx)
        return None if found is None else found[1]

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        found = self.judged(message, ctx)
        opts = self.options
        if found is None:
            return []
        scope, probability = found
        if probability < opts.threshold:
            # The seed alone never adds the suspect score: it knows no chat's own traffic
            # (policies/data/seed.md: precision first), so only a confident call counts.
            if (opts.suspect_threshold is None or probability < opts.suspect_threshold
                    or scope == SEED_SCOPE):
                return []
            return [
                Verdict(
                    SUSPECT_SYMBOL,
                    opts.score_when_suspect,
                    _reason(_SUSPECT_REASON, format(probability, ".1%")),
                    evidence=f"p={probability:.4f}",
                    policy=self.name,
                    escalates=False,
                )
            ]
        share = (probability - opts.threshold) / (1.0 - opts.threshold)
        score = opts.score_at_threshold + share * (
            opts.score_at_certainty - opts.score_at_threshold
        )
        return [
            Verdict(
                SYMBOL,
                round(score, 2),
                _reason(_SEED_REASON if scope == SEED_SCOPE else _SPAM_REASON,
                        format(probability, ".1%")),
                evidence=f"p={probability:.4f}",
                policy=self.name,
                escalates=False,  # a statistical guess deletes; it never warns on its own
            )
        ]
