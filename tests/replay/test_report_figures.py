"""The replay report's figures: rates per 1,000 messages by family, flagged domains and
members, suggested config changes (with YAML that loads), and ``--decisions`` files."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bot.cli import cli
from bot.config import ProfileConfig, load_config
from bot.i18n import t
from bot.tools import replay_advice as advice
from bot.tools.replay_report import family_for
from bot.verdict import Action, Verdict

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "replay"
PATHS = [FIXTURES / "result.json", FIXTURES / "events.jsonl"]
CONFIG = ROOT / "config.example.yaml"


def row(user: str, action: str, symbols: dict[str, float],
        evidence: dict[str, str] | None = None) -> dict[str, Any]:
    return {"chat": "tg:-1", "message_id": "1", "date": "2025-01-01T00:00:00+00:00",
            "sender_id": user, "sender_name": f"Member {user}", "action": action,
            "family": "", "symbols": symbols, "evidence": evidence or {}, "score": 0.0,
            "excerpt": ""}


LINK = {"AD_LINK": 3.0, "NEWCOMER_LINK": 5.0}
ROWS = [
    # a documentation site linked by three members, nothing else ad-like: allow it
    *(row(u, "delete", LINK, {"AD_LINK": "docs.pyfoo.org", "NEWCOMER_LINK":
                              "https://docs.pyfoo.org/tutorial"}) for u in ("a", "b", "c")),
    row("c", "flag", {"AD_LINK": 3.0}, {"AD_LINK": "www.docs.pyfoo.org"}),
    # a messenger host, however many members: never suggested
    *(row(u, "delete", LINK, {"AD_LINK": "t.me"}) for u in ("a", "b", "c", "d")),
    # a shop whose links come with a contact: not suggested
    *(row(u, "warn", {"AD_LINK": 3.0, "AD_CONTACT_WECHAT": 6.0},
          {"AD_LINK": "shop.example.biz", "AD_CONTACT_WECHAT": "加V"}) for u in "abc"),
    # two members only: not enough
    *(row(u, "delete", LINK, {"AD_LINK": "rare.example.net"}) for u in ("a", "b")),
]


def pasted(snippet: str, tmp_path: Path) -> ProfileConfig:
    """The suggested YAML, pasted into a config file of its own and loaded as the bot would."""
    path = tmp_path / "pasted.yaml"
    path.write_text(snippet + "\n", encoding="utf-8")
    return load_config(path, env={}).default


def test_flagged_domains_and_the_allowlist_suggestion(tmp_path: Path) -> None:
    tallies = {d.domain: d for d in advice.domains(ROWS)}
    assert tallies["t.me"].messages == 4 and len(tallies["t.me"].members) == 4
    assert tallies["docs.pyfoo.org"].messages == 4  # www. folded, counted once per message
    assert tallies["shop.example.biz"].with_other_ads == 3
    assert [d.domain for d in advice.allowable(tallies.values())] == ["docs.pyfoo.org"]
    found = advice.suggestions(messages=1000, rows=ROWS, acted={}, forced=(), policies={},
                               thresholds={"flag": 3.0})
    assert [s["kind"] for s in found] == ["allowed_domains"]
    ads = pasted(found[0]["yaml"], tmp_path).policies["ads"]
    assert ads.options == {"allowed_domains": ["docs.pyfoo.org"]}


def test_symbols_acting_on_many_messages_get_a_score_or_observe_suggestion(
        tmp_path: Path) -> None:
    spared = [row(u, "delete", {"AD_LINK": 6.0}, {"AD_LINK": "docs.pyfoo.org"})
              for u in "abcdefghijkl"]
    found = advice.suggestions(
        messages=1000, rows=spared,
        acted={"OFFTOPIC_EMOJI_ONLY": 52, "VOICE_MESSAGE": 11, "AD_LINK": 12, "ABUSE_X": 3},
        forced={"VOICE_MESSAGE"}, policies={"OFFTOPIC_EMOJI_ONLY": "offtopic",
                                           "VOICE_MESSAGE": "voice", "AD_LINK": "ads"},
        thresholds={"flag": 3.0})
    by = {s.get("symbol", s["kind"]): s for s in found}
    assert set(by) == {"allowed_domains", "OFFTOPIC_EMOJI_ONLY", "VOICE_MESSAGE"}
    emoji = by["OFFTOPIC_EMOJI_ONLY"]
    assert emoji["share"] == 0.052 and "5.2 %" in emoji["why"]
    assert pasted(emoji["yaml"], tmp_path).scores == {"OFFTOPIC_EMOJI_ONLY": 3.0}
    assert pasted(emoji["alternative"], tmp_path).policies["offtopic"].mode == "observe"
    # a forced action ignores scores: only observe mode is offered
    assert pasted(by["VOICE_MESSAGE"]["yaml"], tmp_path).policies["voice"].mode == "observe"
    assert "alternative" not in by["VOICE_MESSAGE"]


def test_rates_per_thousand_and_the_harm_headline() -> None:
    families = {"OFFTOPIC": Counter({"delete": 50}), "AD": Counter({"flag": 20, "warn": 3,
                                                                   "kick": 1}),
                "NEWCOMER": Counter({"delete": 6}), "FLOOD": Counter({"mute": 2})}
    rates = advice.family_rates(families, 2000)
    assert list(rates) == ["OFFTOPIC", "AD", "NEWCOMER", "FLOOD"]  # most decisions first
    assert rates["AD"] == {"flag": 10.0, "warn": 1.5, "kick": 0.5, "delete+": 2.0, "all": 12.0}
    assert advice.harm_rate(families, 2000, ("AD", "SPAM", "NEWCOMER", "ABUSE")) == 5.0


def test_a_decision_belongs_to_the_family_contributing_most() -> None:
    def v(symbol: str, score: float, force: Action | None = None) -> Verdict:
        return Verdict(symbol, score, t("x", "x"), force=force)

    assert family_for([v("AD_LINK", 3.0), v("NEWCOMER_LINK", 5.0)]) == "NEWCOMER"
    assert family_for([v("AD_LINK", 3.0), v("AD_PHONE", 3.0), v("NEWCOMER_LINK", 5.0)]) == "AD"
    assert family_for([v("VOICE_MESSAGE", 0.0, Action.DELETE), v("TRUST_X", -2.0)]) == "VOICE"


def test_cli_writes_decisions_as_csv_and_jsonl_and_prints_the_figures(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    rows = tmp_path / "decisions.csv"
    result = CliRunner().invoke(cli, ["replay", *map(str, PATHS), "--config", str(CONFIG),
                                      "--json", str(report), "--decisions", str(rows)])
    assert result.exit_code == 0, result.output
    assert "Actions per 1,000 messages by family" in result.output
    assert "delete-or-stronger actions per 1,000 messages from ad/spam/newcomer/abuse" \
        in result.output
    assert "Suggested config changes" in result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    with rows.open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == sum(data["decisions"].values()) and f"{len(table)} decisions" \
        in result.output
    assert set(table[0]) == {"chat", "message_id", "date", "sender_id", "sender_name", "action",
                             "family", "score", "symbols", "excerpt"}
    spam = [r for r in table if r["sender_id"] == "tg:666"]
    assert spam and any("AD_CONTACT_WECHAT=" in r["symbols"] for r in spam)
    assert {r["action"] for r in spam} & {"mute", "kick"}  # as escalated
    assert all("\n" not in r["excerpt"] and len(r["excerpt"]) <= 200 for r in table)
    assert set(data["per_1000"]) and "harm_per_1000" in data and "suggestions" in data

    lines = tmp_path / "decisions.jsonl"
    result = CliRunner().invoke(cli, ["replay", *map(str, PATHS), "--config", str(CONFIG),
                                      "--decisions", str(lines)])
    assert result.exit_code == 0, result.output
    parsed = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    assert len(parsed) == len(table) and isinstance(parsed[0]["symbols"], dict)


def test_cli_refuses_a_decisions_file_of_another_kind_before_replaying(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["replay", *map(str, PATHS), "--config", str(CONFIG),
                                      "--decisions", str(tmp_path / "out.txt")])
    assert result.exit_code == 2 and "must end in .jsonl or .csv" in result.output
    assert not (tmp_path / "out.txt").exists()
