"""``churnlens user``: dashboard users and their API tokens."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from churnlens.store import DEFAULT_STORE

__all__ = ["user"]

_DB = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="The store whose dashboard the user signs in to.",
)


@click.group()
def user() -> None:
    """Add dashboard users and make API tokens (kept hashed next to the store)."""


@user.command("add")
@click.argument("name")
@_DB
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (for scripts) instead of asking.",
)
@click.option(
    "--replace", is_flag=True, help="Set a new password for an existing user."
)
def add(name: str, db: Path, password_stdin: bool, replace: bool) -> None:
    """Add the user NAME (asks for the password twice)."""
    from churnlens.web.users import UserFile, users_path

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True, err=True
        )
    users = UserFile(users_path(db))
    users.add(name, password, replace=replace)
    click.echo(f"User '{name}' can sign in to the dashboard of {db}.", err=True)


@user.command("token")
@click.argument("name")
@_DB
def token(name: str, db: Path) -> None:
    """Make an API token for NAME and print it (shown only this once)."""
    from churnlens.web.users import UserFile, users_path

    click.echo(UserFile(users_path(db)).new_token(name))


if __name__ == "__main__":  # pragma: no cover - python -m churnlens.cli.user
    user()
