"""``churnlens ingest``: validate files and load them into the store."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

import churnlens
from churnlens.config import load_config, parse_mapping, save_mapping
from churnlens.errors import ConfigError, SchemaError
from churnlens.inputs.presets import PRESETS
from churnlens.schema import TABLES
from churnlens.store import DEFAULT_STORE

__all__ = ["ingest"]


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=Path(DEFAULT_STORE),
    show_default=True,
    help="The store to load into (created if missing).",
)
@click.option(
    "--table",
    type=click.Choice(tuple(TABLES)),
    help="What the sources hold (default: guessed from file name and columns).",
)
@click.option(
    "--preset",
    type=click.Choice(tuple(PRESETS), case_sensitive=False),
    help="Read a helpdesk's ticket export as it comes (columns, labels, "
    "durations); --map still overrides single columns.",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="CANONICAL=SOURCE",
    help="Read a canonical column from another name, e.g. "
    "--map started_at=start_date. Saved in churnlens.toml for next time.",
)
@click.option(
    "--tz",
    help="Time zone of timestamps without an offset "
    "(default: from churnlens.toml, else UTC).",
)
@click.option("--strict", is_flag=True, help="Any rejected row aborts the ingest.")
@click.option(
    "--replace",
    is_flag=True,
    help="Empty the tables these sources feed before loading them.",
)
@click.option(
    "--quarantine",
    "quarantine_dir",
    type=click.Path(path_type=Path),
    help="Folder for rejected rows (default: 'quarantine' next to the store).",
)
@click.option("--query", metavar="SQL", help="For a database URL: the rows to read.")
@click.option(
    "--source-table", metavar="NAME", help="For a database URL: the table to read."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path("churnlens.toml"),
    show_default=True,
    help="Project settings file (column mappings, time zone).",
)
def ingest(
    sources: tuple[str, ...],
    db: Path,
    table: str | None,
    preset: str | None,
    pairs: tuple[str, ...],
    tz: str | None,
    strict: bool,
    replace: bool,
    quarantine_dir: Path | None,
    query: str | None,
    source_table: str | None,
    config_path: Path,
) -> None:
    """Validate SOURCES (CSV, Parquet, JSON Lines files or a database URL) and
    load them into the store in one transaction.

    Rows that fail validation are kept in a quarantine file with their file,
    line, column and reason; read = accepted + rejected. Ingesting the same file
    again adds nothing.
    """
    config = load_config(config_path)
    mapping = {t: dict(m) for t, m in config.mapping.items()}
    if pairs:
        target = table or ("tickets" if preset else _single_table(sources))
        given = parse_mapping(pairs)
        mapping.setdefault(target, {}).update(given)
    try:
        report = churnlens.ingest(
            sources,
            db,
            table=table,
            mapping=mapping or None,
            tz=tz or config.tz or "UTC",
            strict=strict,
            replace=replace,
            quarantine_dir=quarantine_dir,
            query=query,
            source_table=source_table,
            preset=preset,
        )
    except SchemaError as e:
        if config.mapping and e.column is not None:
            # A mapping saved long ago is easy to forget: say where it lives.
            e.hint = (e.hint + "\n" if e.hint else "") + (
                f"Column mappings saved in {config.path} apply too; edit or "
                "delete them there if the files changed."
            )
            e.args = (e._render(),)
        raise
    if pairs:
        saved = save_mapping(config, target, given)
        click.echo(f"Mapping for {target} saved in {saved}", err=True)
    click.echo(str(report))


def _single_table(sources: tuple[str, ...]) -> str:
    from churnlens.inputs import guess_table

    found = set()
    for source in sources:
        with contextlib.suppress(ConfigError):
            found.add(guess_table(source, ()))
    if len(found) != 1:
        raise ConfigError(
            "--map needs to know which table it is for",
            hint="add --table subscriptions (or customers, tickets, activity), or "
            "ingest files of one kind per command",
        )
    return found.pop()
