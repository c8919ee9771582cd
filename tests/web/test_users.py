"""``churnlens user add`` / ``user token``: hashed passwords and tokens in a
file next to the store."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from churnlens.cli.user import user
from churnlens.web.users import UserFile, users_path


def test_add_user_and_token(tmp_path: Path) -> None:
    db = tmp_path / "shop.duckdb"
    runner = CliRunner()
    added = runner.invoke(
        user, ["add", "maja", "--db", str(db)], input="s3cret-words\ns3cret-words\n"
    )
    assert added.exit_code == 0, added.output
    path = users_path(db)
    assert path == tmp_path / "shop.duckdb.users.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "s3cret-words" not in text and "scrypt$" in text
    users = UserFile(path)
    assert users.check("maja", "s3cret-words")
    assert not users.check("maja", "s3cret-word")
    assert not users.check("nobody", "s3cret-words")

    made = runner.invoke(user, ["token", "maja", "--db", str(db)])
    assert made.exit_code == 0
    token = made.output.strip()
    assert token.startswith("cl_") and len(token) > 40
    assert token not in path.read_text()
    assert users.token_user(token) == "maja"
    assert users.token_user(token + "x") is None
    assert len(json.loads(path.read_text())["users"]["maja"]["tokens"]) == 1


def test_add_rejects_duplicates_short_passwords_and_bad_names(tmp_path: Path) -> None:
    db = tmp_path / "shop.duckdb"
    runner = CliRunner()
    ok = runner.invoke(
        user,
        ["add", "maja", "--db", str(db), "--password-stdin"],
        input="long enough\n",
    )
    assert ok.exit_code == 0
    again = runner.invoke(
        user,
        ["add", "maja", "--db", str(db), "--password-stdin"],
        input="long enough\n",
    )
    assert again.exit_code != 0 and "exists already" in str(again.exception)
    replaced = runner.invoke(
        user,
        ["add", "maja", "--db", str(db), "--password-stdin", "--replace"],
        input="another one\n",
    )
    assert replaced.exit_code == 0
    assert UserFile(users_path(db)).check("maja", "another one")
    short = runner.invoke(
        user, ["add", "ola", "--db", str(db), "--password-stdin"], input="short\n"
    )
    assert "too short" in str(short.exception)
    bad = runner.invoke(
        user, ["add", "a b", "--db", str(db), "--password-stdin"], input="long enough\n"
    )
    assert "not a usable user name" in str(bad.exception)
    missing = runner.invoke(user, ["token", "nobody", "--db", str(db)])
    assert "no user 'nobody'" in str(missing.exception)
