"""The ``qunguan`` command line: run, check-config, db upgrade, eval, replay, chats."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot import __version__
from bot.config import ConfigError, LoadedConfig, load_config

cli = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="qunguan (群管): moderation and community bot for chat groups.")
db_cli = typer.Typer(no_args_is_help=True, help="Database maintenance.")
cli.add_typer(db_cli, name="db")

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="YAML config file")]
DEFAULT_CONFIG = Path("config.example.yaml")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qunguan {__version__}")
        raise typer.Exit()


@cli.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """qunguan (群管)."""


def _load(path: Path) -> LoadedConfig:
    try:
        return load_config(path, require_policies=True)
    except ConfigError as exc:
        for problem in exc.problems:
            typer.echo(problem, err=True)
        raise typer.Exit(1) from None


@cli.command("check-config")
def check_config(path: Path) -> None:
    """Validate a config file: exit 0 if valid, 1 with one line per problem otherwise."""
    config = _load(path)
    chats = len(config.chats)
    typer.echo(f"{path}: ok ({len(config.default.policies)} policies in the default profile, "
               f"{len(config.profiles)} profiles, {chats} chats)")


@cli.command()
def run(
    config: ConfigOpt = DEFAULT_CONFIG,
    port: Annotated[int | None, typer.Option(help="HTTP port (overrides YAML)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_file: Annotated[Path | None, typer.Option(
        help="log to this file, rotated at 10 MB (5 kept) instead of stderr")] = None,
) -> None:
    """Run the bot: Telegram when TELEGRAM_BOT_TOKEN is set, OneBot per YAML, the playground."""
    from bot.app import App, serve_forever
    from bot.logs import configure

    configure(verbose=verbose, log_file=log_file)
    loaded = _load(config)
    app = App(loaded, port=port)
    _announce(loaded, app.port)
    with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C while stopping
        asyncio.run(serve_forever(app))
    typer.echo("stopped")


def _announce(config: LoadedConfig, port: int) -> None:
    server = config.app.server
    platforms = []
    if os.environ.get("TELEGRAM_BOT_TOKEN") and config.app.telegram.enabled:
        platforms.append(f"Telegram ({config.app.telegram.mode})")
    platforms += [f"OneBot v{o.version} {o.impl}" for o in config.app.onebot]
    if not platforms:
        typer.echo(f"No platform credentials set: playground at http://{server.host}:{port}/ "
                   f"(set TELEGRAM_BOT_TOKEN to run on Telegram)")
    else:
        extra = (f" + playground at http://{server.host}:{port}/"
                 if config.app.playground.enabled else "")
        typer.echo(f"Running on {', '.join(platforms)}{extra}; "
                   f"storage {config.app.storage.url.split('://')[0]}")


@db_cli.command("upgrade")
def db_upgrade(config: ConfigOpt = DEFAULT_CONFIG) -> None:
    """Apply database migrations up to the newest (also done at every start)."""
    from storage.db import Database

    loaded = _load(config)

    async def main() -> None:
        db = Database(loaded.app.storage.url)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(main())
    typer.echo(f"database at {loaded.app.storage.url.split('://')[0]} is up to date")


@cli.command("eval")
def evaluate(
    tests: Annotated[list[Path], typer.Argument(help="labelled TSV files (spam|ham<TAB>text)")],
    train: Annotated[list[Path] | None, typer.Option(
        "--train", help="labelled TSV to train the classifier on (replaces the seed); with "
        "--folds, added to every fold's training data")] = None,
    folds: Annotated[int, typer.Option(
        "--folds", min=0, help="stratified k-fold cross-validation over the test files "
        "(trained per fold, no seed); 0 = off")] = 0,
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """Precision/recall/F1 of the content policies (and the classifier) on labelled TSVs.

    The classifier judges with the configured seed unless --train or --folds is given.
    """
    from bot.tools.evaluate import EvalInputError, run_eval_with_config

    loaded = _load(config)
    if folds == 1:
        typer.echo("--folds needs at least 2 folds", err=True)
        raise typer.Exit(2)
    try:
        reports = run_eval_with_config(tests, list(train or []), loaded, folds=folds)
    except (EvalInputError, OSError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    for report in reports:
        typer.echo(report.table())
        typer.echo(report.json_line())


@cli.command("chats")
def chats(config: ConfigOpt = DEFAULT_CONFIG) -> None:
    """List known chats: status, profile and the admin rights the bot is missing."""
    from rich.console import Console
    from rich.table import Table

    from storage.chats import ChatRepo
    from storage.db import Database
    from storage.records import ChatRecord

    loaded = _load(config)

    async def fetch() -> list[ChatRecord]:
        db = Database(loaded.app.storage.url)
        try:
            await db.upgrade()
            async with db.session() as session:
                return list(await ChatRepo(session).list())
        finally:
            await db.dispose()

    table = Table("chat", "title", "status", "profile", "missing rights")
    warnings = []
    for chat in asyncio.run(fetch()):
        state = chat.settings.get("onboarding") or {}
        status = "active" if chat.active else {"kicked": "removed", "left": "left",
                                               "member": "demoted"}.get(
            state.get("status", ""), "inactive")
        if chat.settings.get("migrated_to"):
            status = f"migrated → {chat.settings['migrated_to']}"
        elif state.get("refused"):
            status += f" (refused: {state['refused']})"
        elif chat.active and state.get("observe_for"):
            status += " (observe)"
        old = chat.settings.get("migrated_from")
        profile = loaded.profile_name(chat.chat if chat.chat in loaded.chats else old or "")
        table.add_row(chat.chat, chat.title, status, profile,
                      ", ".join(chat.missing_rights) or "-")
        if old in loaded.chats and chat.chat not in loaded.chats:
            warnings.append(f"warning: the YAML entry {old} now applies to {chat.chat} (the "
                            f"group became a supergroup); rename its key to {chat.chat}")
    Console(width=160).print(table)
    for line in warnings:
        typer.echo(line, err=True)

@cli.command("replay")
def replay_export(
    exports: Annotated[list[Path], typer.Argument(
        help="Telegram Desktop result.json (or its folder) and/or .jsonl neutral events")],
    config: ConfigOpt = DEFAULT_CONFIG,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the report as JSON")]
    = None,
    decisions: Annotated[Path | None, typer.Option(
        "--decisions", help="write one row per decision at flag or above (.jsonl or .csv)")]
    = None,
) -> None:
    """Replay chat exports through the pipeline in observe mode; report what it would do."""
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from bot.tools.replay import replay
    from bot.tools.replay_report import DECISION_FORMATS, write_decisions

    if decisions is not None and decisions.suffix.lower() not in DECISION_FORMATS:
        typer.echo(f"--decisions {decisions}: the file must end in .jsonl or .csv", err=True)
        raise typer.Exit(2)
    loaded = _load(config)
    missing = [str(p) for p in exports if not p.exists()]
    if missing:
        typer.echo(f"not found: {', '.join(missing)}", err=True)
        raise typer.Exit(1)
    with Progress("replaying", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("replay", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = asyncio.run(replay(exports, loaded, progress=tick))
    for line in report.lines():
        typer.echo(line)
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2),
                            encoding="utf-8")
        typer.echo(f"report written to {json_out}")
    if decisions is not None:
        rows = write_decisions(report.stats.rows, decisions)
        typer.echo(f"{rows} decisions written to {decisions}")


def main() -> None:
    """Console-script entry point."""
    try:
        cli()
    except BrokenPipeError:  # pragma: no cover - piping into head
        sys.exit(0)
