"""Mixed-script words: Cyrillic salted with Latin look-alikes and the reverse are found; honest
abbreviations, slang, links, code, Ukrainian "i" and ë for ё are not."""

from __future__ import annotations

import pytest

from policies.scripts import mixed_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Здpaвcтвyйтe, дpузья", ["Здpaвcтвyйтe", "дpузья"]),
        ("Bас ждёт работа", ["Bас"]),  # one look-alike capital at the start
        ("Рабоma на дому", ["Рабоma"]),  # a Cyrillic word ending in Latin letters
        ("Сrypto is the future", ["Сrypto"]),  # a Latin word starting with a Cyrillic С
        ("ᴩᴀбоᴛу ищешь?", ["ᴩᴀбоᴛу"]),  # small capitals count as Latin
        ("хοрошую схему", ["хοрошую"]),  # Greek omicron and rho
    ],
)
def test_mixed_script_words_are_found(text: str, words: list[str]) -> None:
    assert mixed_words(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "IT-отдел и HR-служба",  # hyphenated abbreviations
        "купил SSDшник, iPhoneа нет",  # Latin word + Russian suffix: slang
        "определëнный счëт, дóлжного",  # ë for ё, an accent for stress
        "пiдтримка та iнформацiя",  # Ukrainian typed with a Latin i
        "см. https://example.com/Привет и user@почта.рф",  # links and addresses
        "вызови getПользователь_id() в коде",  # code identifiers
        "обычный русский текст без латиницы",
        "plain English text",
        "中文文本",
    ],
)
def test_honest_words_are_not_mixed(text: str) -> None:
    assert mixed_words(text) == []


def test_distinct_words_are_counted_up_to_the_limit() -> None:
    text = "Пpивeт Пpивeт мoй дpуг, кaк дeлa"
    assert mixed_words(text) == ["Пpивeт", "мoй", "дpуг"]
    assert len(mixed_words(text, limit=5)) == 5


def test_words_split_by_invisible_characters_count() -> None:
    assert mixed_words("Ребя\u2068та, на\u200bшёл халяву") == ["Ребя\u2068та", "на\u200bшёл"]


def test_persian_zero_width_non_joiners_and_isolated_mentions_do_not_count() -> None:
    assert mixed_words("می\u200cخواهم نصب کنم") == []
    assert mixed_words("\u2068@someone\u2069 спасибо") == []
