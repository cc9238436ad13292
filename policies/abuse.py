"""Abuse policy: insults and personal attacks from zh/en word lists, matched on normalised text.

Word lists live in ``policies/data/abuse_zh.txt`` and ``abuse_en.txt``; a leading ``~`` marks a
term that only counts when aimed at someone. Terms with a non-ASCII character are matched on the
normalised text with spaces and punctuation removed (so ``傻 逼`` matches); ASCII terms on whole
words. Matches inside a benign phrase of ``abuse_allow.txt`` (垃圾分类, 去死皮) are ignored.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import ClassVar

import ahocorasick

from bot.events import Kind, Message
from bot.i18n import t
from bot.policy import Context, PolicyOptions, SymbolInfo
from bot.verdict import Verdict
from policies.normalize import compact, normalize, scanned

INSULT = "ABUSE_INSULT"
ATTACK = "ABUSE_PERSONAL_ATTACK"

DATA = Path(__file__).parent / "data"
_NONWORD = re.compile(r"[\W_]+")
_ZH_AIMED = re.compile(
    r"(?:你们|你|您|楼上|这货|此人)(?:都|就|真|也|才|简直|根本|真的|纯|就是)?(?:是|像)?"
    r"(?:个|一个|这个|这种|大|死)?$"
)
_EN_AIMED = re.compile(
    r"\b(?:you|u|ur|you're|youre|ya)\s+(?:(?:are|r|re|such|so|a|an|the|fucking|total|complete"
    r"|real|big|little)\s+)*$"
)


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    aimed_only: bool


@dataclass(frozen=True, slots=True)
class Hit:
    term: Term
    start: int
    end: int
    #: Aimed by the words before it, or (once the message is known to be addressed) also
    #: when the term is the whole message (``whole``).
    aimed: bool
    whole: bool = False


def load_terms(*names: str) -> list[Term]:
    """Terms of the named data files (comments and blanks skipped, ``~`` = aimed only)."""
    terms: list[Term] = []
    for name in names:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                terms.append(_term(line))
    return terms


def _term(raw: str) -> Term:
    aimed = raw.startswith("~")
    return Term(normalize(raw.lstrip("~")), aimed)


def _automaton(keys: Iterable[tuple[str, object]]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for key, value in keys:
        if key:
            automaton.add_word(key, (key, value))
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _matches(
    automaton: ahocorasick.Automaton | None, text: str
) -> Iterator[tuple[int, int, object]]:
    if automaton is None or not text:
        return
    for end, (key, value) in automaton.iter(text):
        yield end + 1 - len(key), end + 1, value


def locate(original: str, needle: str) -> str:
    """The stretch of ``original`` whose folded, punctuation-free form contains ``needle``."""
    target = _NONWORD.sub("", needle)
    if target and (at := original.find(target)) >= 0 and normalize(target) == target:
        return original[at : at + len(target)]  # written plainly: no per-character folding
    if not target:
        return needle
    pieces = list(map(_piece, original))  # each character folded alone, punctuation dropped
    at = "".join(pieces).find(target)
    if at < 0:
        return needle
    # starts[i]: where character i's piece begins; the owner of position k is the last
    # character whose piece begins at or before k (characters folding to nothing skipped).
    starts = [0, *accumulate(map(len, pieces))]
    first = bisect_right(starts, at) - 1
    last = bisect_right(starts, at + len(target) - 1) - 1
    return original[first : last + 1]


#: Han characters roughly from most to least frequent in everyday Chinese (general knowledge,
#: no corpus): a term's two latest-ranked characters (unlisted ones rank last) make a cheap
#: necessary condition that rules most messages out before the punctuation-free copy is made.
_FREQUENT_HAN = (
    "的一是不了人我在有他这中大来上个们到说为子和你地出道也时年得就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看无开手十用行方又如前所本见经头面同"
    "三已老从动两长知样现分外但身些与高意进把法此实回二理美点月明其种全工己话儿向情部正名定女问"
    "力给等几很最间新什打便位因重被走电四第门相次东口使西再平真听气信少关并内加化由却代先山五太"
    "水万市眼体别处总才场书比住九笑性通目报立马命张活难神数件安表原车白应路期叫死常提感金何更反"
    "合放做系计或利受光王果亲界及今吧八"
)
_RANK = {char: i for i, char in enumerate(_FREQUENT_HAN)}


def _gate(keys: Iterable[str]) -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]] | None:
    """For each key its rarest character (the pattern finds those) and the second rarest one
    (or "" for a one-character key): a key can occur in the punctuation-free copy only when both
    occur in the folded text, which holds every character of that copy."""
    partners: dict[str, set[str]] = {}
    for key in keys:
        chars = sorted(set(key), key=lambda c: (c.isascii(), -_RANK.get(c, len(_RANK))))
        if chars:
            partners.setdefault(chars[0], set()).add(chars[1] if len(chars) > 1 else "")
    if not partners:
        return None
    pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(partners)) + "]")
    return pattern, {c: tuple(sorted(p)) for c, p in partners.items()}


def _may_hold(gate: tuple[re.Pattern[str], dict[str, tuple[str, ...]]], folded: str) -> bool:
    """Whether ``folded`` holds both gate characters of some key."""
    pattern, partners = gate
    seen: set[str] = set()
    for found in pattern.finditer(folded):  # stops at the first key that may occur
        first = found.group()
        if first not in seen:
            seen.add(first)
            if any(not second or second in folded for second in partners[first]):
                return True
    return False


@lru_cache(maxsize=65536)
def _piece(char: str) -> str:
    """One character folded on its own, without punctuation or whitespace."""
    return _NONWORD.sub("", normalize.__wrapped__(char))


class AbuseOptions(PolicyOptions):
    """Extra terms (``~term`` = aimed only) and benign phrases, added to the shipped lists."""

    extra_terms: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()


class AbusePolicy:
    """Insults reach warn; insults aimed at a person weigh a little more."""

    name: ClassVar[str] = "abuse"
    Options: ClassVar[type[PolicyOptions]] = AbuseOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        INSULT: SymbolInfo(INSULT, 6.0, t("Insult or slur", "辱骂或侮辱性词语")),
        ATTACK: SymbolInfo(ATTACK, 7.0, t("Insult aimed at a person", "针对他人的人身攻击")),
    }

    def __init__(self, options: AbuseOptions) -> None:
        self.options = options
        terms = load_terms("abuse_zh.txt", "abuse_en.txt")
        terms += [_term(x) for x in options.extra_terms]
        allow = [x.text for x in load_terms("abuse_allow.txt")]
        allow += [normalize(a) for a in options.allow]
        zh = [(_NONWORD.sub("", x.text), x) for x in terms if not x.text.isascii()]
        en = [(x.text, x) for x in terms if x.text.isascii()]
        self._zh = _automaton(zh)
        self._zh_gate = _gate(key for key, _ in zh if key)
        self._en = _automaton(en)
        self._zh_allow = _automaton((_NONWORD.sub("", a), None) for a in allow if not a.isascii())
        self._en_allow = _automaton((a, None) for a in allow if a.isascii())

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        text = scanned(message.text)
        if not text:
            return []
        folded = normalize(text)
        found = [*self._zh_found(text, folded), *self._en_found(folded)]
        if not found:
            return []
        addressed = message.reply_to is not None or bool(message.of(Kind.MENTION))
        hits = [Hit(h.term, h.start, h.end, h.aimed or (addressed and h.whole)) for h in found]
        counted = [h for h in hits if h.aimed or not h.term.aimed_only]
        if not counted:
            return []
        best = max(counted, key=lambda h: (h.aimed, h.end - h.start))
        evidence = locate(text, best.term.text)
        # The reason is what members are told: it never repeats the insult (evidence does).
        if best.aimed:
            symbol, reason = ATTACK, t("Personal attacks are not allowed", "禁止人身攻击")
        else:
            symbol, reason = INSULT, t("Insults are not allowed", "禁止辱骂")
        return [Verdict(symbol, self.symbols[symbol].score, reason, evidence)]

    def _zh_found(self, text: str, folded: str) -> Iterator[Hit]:
        if self._zh is None or self._zh_gate is None or folded.isascii():
            return
        if not _may_hold(self._zh_gate, folded):
            return  # no term can occur: the punctuation-free copy is not even made
        joined = compact(text)  # == _NONWORD.sub("", folded), cached
        if joined.isascii():
            return
        allowed: list[tuple[int, int]] | None = None  # found on the first hit: hits are rare
        for start, end, value in _matches(self._zh, joined):
            assert isinstance(value, Term)
            if allowed is None:
                allowed = [(s, e) for s, e, _ in _matches(self._zh_allow, joined)]
            if any(s <= start and end <= e for s, e in allowed):
                continue
            # An aiming phrase is at most 7 characters long and ends where the term starts.
            aimed = bool(_ZH_AIMED.search(joined, max(0, start - 8), start))
            yield Hit(value, start, end, aimed, end - start == len(joined))

    def _en_found(self, folded: str) -> Iterator[Hit]:
        spaced = folded  # ``normalize`` leaves single spaces as the only whitespace
        allowed: list[tuple[int, int]] | None = None  # found on the first hit: hits are rare
        for start, end, value in _matches(self._en, spaced):
            assert isinstance(value, Term)
            if not (_boundary(spaced, start - 1) and _boundary(spaced, end)):
                continue
            if allowed is None:
                allowed = [(s, e) for s, e, _ in _matches(self._en_allow, spaced)]
            if any(s <= start and end <= e for s, e in allowed):
                continue
            aimed = bool(_EN_AIMED.search(spaced, 0, start))
            whole = not aimed and _NONWORD.sub("", spaced) == _NONWORD.sub("", value.text)
            yield Hit(value, start, end, aimed, whole)


def _boundary(text: str, i: int) -> bool:
    """True when position ``i`` is outside ``text`` or not an ASCII letter or digit."""
    return i < 0 or i >= len(text) or not (text[i].isascii() and text[i].isalnum())
