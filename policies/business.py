"""Business policy: personal order, delivery, refund or price questions get a staff pointer.

A message counts when it names a business topic, reads as a question, and is about the asker's
own affairs (first person, or an order number). It is never sanctioned: the verdict scores 0
and carries a reply pointing to the staff contact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

import ahocorasick

from bot.events import Message
from bot.i18n import t
from bot.policy import Context, PolicyOptions, SymbolInfo, staff_involved
from bot.verdict import Verdict
from policies.abuse import locate
from policies.normalize import normalize, scanned

PRIVATE = "BIZ_PRIVATE_QUESTION"

TOPICS = (
    "订单", "下单", "快递", "物流", "发货", "到货", "收货", "退款", "退货", "换货", "售后",
    "价格", "多少钱", "报价", "优惠", "折扣", "优惠券", "发票", "付款", "支付", "运费", "保修",
    "单号", "包裹", "配送", "签收",
    "my order", "my orders", "our order", "order number", "delivery", "delivered", "shipping",
    "shipped", "refund", "refunds",
    "price", "prices", "pricing", "invoice", "payment", "tracking number", "parcel",
    "discount", "coupon", "warranty",
)
_QUESTION_WORDS_RE = (
    r"[?？]|吗|呢|怎么|怎样|如何|什么时候|啥时候|为什么|为啥|多久|哪里|能不能|可不可以|可以.{0,6}吗|"
    r"是不是|有没有|多少|几天"
)
_ENGLISH_QUESTION = r"(?:how|when|where|why|what|can|could|does|did|is|will|do|any)\b"
_QUESTION = re.compile(_QUESTION_WORDS_RE + r"|(?:^|[.!。！\n]\s*)" + _ENGLISH_QUESTION)
#: ``_QUESTION`` in three parts that each let ``re`` skip ahead (its English branch, starting
#: with "^" or a class, was tried at every position): one of them finds a match exactly when
#: ``_QUESTION`` does.
#: (``[?？]`` written as two literals: a branch opening with a class stops ``re`` from
#: skipping ahead by first characters.)
_QUESTION_WORDS = re.compile(r"\?|？|" + _QUESTION_WORDS_RE.removeprefix("[?？]|"))
_QUESTION_FIRST = re.compile(_ENGLISH_QUESTION)
_QUESTION_AFTER = re.compile(r"[.!。！\n]\s*" + _ENGLISH_QUESTION)
_FIRST_PERSON = re.compile(r"我|俺|本人|\b(?:i|my|me|mine|i'm|i've|we|our)\b")
_ORDER_NUMBER = re.compile(r"\d\d{7,}")  # = \d{8,}; a leading single class lets re skip ahead


class BusinessOptions(PolicyOptions):
    """The staff contact shown in the reply, and extra topic words."""

    staff_contact: str = ""
    extra_topics: tuple[str, ...] = ()
    exempt_staff: bool = True


class BusinessPolicy:
    """Point members with personal business questions to the staff; no sanction."""

    name: ClassVar[str] = "business"
    Options: ClassVar[type[PolicyOptions]] = BusinessOptions
    symbols: ClassVar[Mapping[str, SymbolInfo]] = {
        PRIVATE: SymbolInfo(PRIVATE, 0.0, t(
            "Personal business question (order, delivery, refund, price)",
            "个人业务咨询（订单、物流、退款、价格）",
        )),
    }

    def __init__(self, options: BusinessOptions) -> None:
        self.options = options
        self._topics = ahocorasick.Automaton()
        for word in (*TOPICS, *options.extra_topics):
            key = normalize(word)
            if key:
                self._topics.add_word(key, key)
        self._topics.make_automaton()
        contact = options.staff_contact.strip()
        if contact:
            self._reply = t(
                "For orders, delivery, refunds or prices, please contact our staff: {c}",
                "订单、物流、退款、价格等个人问题，请联系客服：{c}",
            ).format(c=contact)
        else:
            self._reply = t(
                "For orders, delivery, refunds or prices, please message the group staff privately",
                "订单、物流、退款、价格等个人问题，请私聊群管理员",
            )

    def _topic(self, folded: str) -> str:
        for end, key in self._topics.iter(folded):
            start = end + 1 - len(key)
            if key.isascii() and not (_edge(folded, start - 1) and _edge(folded, end + 1)):
                continue
            return str(key)
        return ""

    def check(self, message: Message, ctx: Context) -> list[Verdict]:
        if self.options.exempt_staff and staff_involved(message, ctx):
            return []
        text = scanned(message.text)
        if not text:
            return []
        folded = normalize(text)
        topic = self._topic(folded)
        if not topic or not _is_question(folded):
            return []
        if not (_FIRST_PERSON.search(folded) or _ORDER_NUMBER.search(folded)):
            return []
        evidence = locate(text, topic)
        reason = t("Personal business question: {e}", "个人业务咨询：{e}").format(e=evidence)
        return [Verdict(PRIVATE, self.symbols[PRIVATE].score, reason, evidence, reply=self._reply)]


def _is_question(folded: str) -> bool:
    """``bool(_QUESTION.search(folded))``, sooner."""
    return bool(
        _QUESTION_WORDS.search(folded)
        or _QUESTION_FIRST.match(folded)
        or _QUESTION_AFTER.search(folded)
    )


def _edge(text: str, i: int) -> bool:
    return i < 0 or i >= len(text) or not (text[i].isascii() and text[i].isalnum())

