"""``churnlens risk`` acting on the list: holdout, --save, webhook and helpdesks.

Run through the root group (``churnlens.cli.main``) so that the registration and
the error handling (ChurnlensError -> one paragraph, exit code 2) are exercised,
against the local LiveAgent/Zendesk/webhook stand-in of the action tests.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import churnlens
from churnlens.cli import main

AS_OF = "2026-06-01"
TOP = "24"


@pytest.fixture(scope="module")
def model(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained model for the module: the same scores on every run."""
    trained = churnlens.train_risk_model(demo_store, history_days=60, step_days=60)
    return trained.save(tmp_path_factory.mktemp("model") / "risk.joblib")


@pytest.fixture
def store(demo_store: Path, tmp_path: Path) -> Path:
    """A private copy of the shared demo store, free to write to."""
    path = tmp_path / "store.duckdb"
    shutil.copy(demo_store, path)
    return path


@pytest.fixture
def desk() -> Iterator[object]:
    from actions._helpdesk import serve

    helpdesk, server = serve()
    yield helpdesk
    server.shutdown()
    server.server_close()


def _risk(
    store: Path, model: Path, *args: str, env: dict[str, str] | None = None
) -> Result:
    base = ["risk", "--db", str(store), "--as-of", AS_OF, "--top", TOP]
    base += ["--model", str(model)]
    return CliRunner().invoke(main, [*base, *args], env=env or {})


def _csv(result: Result) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(result.stdout), dtype={"customer_id": str})


def test_holdout_is_marked_saved_and_not_ticketed(store, model, desk) -> None:  # noqa: ANN001
    from actions._helpdesk import LIVEAGENT_KEY, ZENDESK_EMAIL, ZENDESK_TOKEN

    args = [
        *("--holdout", "0.3", "--seed", "11", "--save", "--format", "csv"),
        *("--liveagent", desk.url, "--department", "dep1"),
        *("--recipient", "care@acme.example", "--agent", "lead@acme.example"),
        *(
            "--zendesk",
            desk.url,
            "--email",
            ZENDESK_EMAIL,
            "--api-token",
            ZENDESK_TOKEN,
        ),
    ]
    # The LiveAgent key comes from the environment, out of the shell history.
    env = {"CHURNLENS_LIVEAGENT_API_KEY": LIVEAGENT_KEY}
    first = _risk(store, model, *args, env=env)
    assert first.exit_code == 0, first.output
    table = _csv(first)
    assert len(table) == int(TOP) and table["holdout"].dtype == bool
    held = set(table.loc[table["holdout"], "customer_id"])
    called = set(table.loc[~table["holdout"], "customer_id"])
    assert held and called  # seed 11 puts some of the 24 on each side

    def ticketed() -> tuple[set[str], set[str]]:
        la = {
            t["message"].split("\n")[0].removeprefix("Customer: ")
            for t in desk.liveagent_tickets
        }
        zd = {t["external_id"].rsplit("-", 1)[1] for t in desk.zendesk_tickets}
        return la, zd

    assert ticketed() == (called, called)
    assert all(t["departmentid"] == "dep1" for t in desk.liveagent_tickets)
    n = len(called)
    assert f"Holdout: {len(held)} of {TOP} customers not to contact" in first.stderr
    assert f"Saved contact list 1 ({TOP} customers)" in first.stderr
    assert f"LiveAgent: created {n} tickets, 0 already existed" in first.stderr
    assert f"Zendesk: created {n} tickets, 0 already existed" in first.stderr

    saved = churnlens.contact_list_snapshot(store)
    assert saved.attrs["list_id"] == 1
    assert set(saved.loc[saved["holdout"], "customer_id"]) == held

    # A rerun (same list, same seed) is the same snapshot: no duplicate ticket.
    again = _risk(store, model, *args, env=env)
    assert again.exit_code == 0, again.output
    assert _csv(again)["holdout"].tolist() == table["holdout"].tolist()
    assert len(desk.liveagent_tickets) == n and len(desk.zendesk_tickets) == n
    assert f"LiveAgent: created 0 tickets, {n} already existed" in again.stderr
    assert "Saved contact list 1 " in again.stderr


def test_webhook_receives_the_rows(store, model, desk) -> None:  # noqa: ANN001
    result = _risk(
        store,
        model,
        *("--holdout", "0.3", "--seed", "11", "--format", "json", "--save"),
        *("--webhook", f"{desk.url}/hook"),
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    called = [r for r in rows if not r["holdout"]]
    (post,) = desk.webhook_posts
    assert post["type"] == "churnlens.contact_list" and post["count"] == len(called)
    assert post["as_of"].startswith(AS_OF) and post["list_id"] == 1
    sent = post["customers"]
    assert [r["customer_id"] for r in sent] == [r["customer_id"] for r in called]
    for key in ("churn_probability", "expected_value_saved", "suggested_action"):
        assert [r[key] for r in sent] == pytest.approx([r[key] for r in called])
    assert f"Webhook: posted {len(called)} customers to {desk.url}/hook (HTTP 200)" in (
        result.stderr
    )


def test_wrong_token_is_exit_2_with_a_hint(store, model, desk) -> None:  # noqa: ANN001
    from actions._helpdesk import ZENDESK_EMAIL

    result = _risk(
        store,
        model,
        *("--zendesk", desk.url, "--email", ZENDESK_EMAIL),
        env={"CHURNLENS_ZENDESK_TOKEN": "wrong"},
    )
    assert result.exit_code == 2, result.output
    assert "Zendesk answered HTTP 401" in result.stderr
    assert "Hint: check the credentials" in result.stderr
    assert "Traceback" not in result.output and not desk.zendesk_tickets


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--webhook", "ftp://hooks.example.com"), "--webhook must be a URL"),
        (("--zendesk", "acme.zendesk.com"), "--zendesk must be a URL"),
        (("--liveagent", "https://acme.ladesk.com"), "CHURNLENS_LIVEAGENT_API_KEY"),
        (("--zendesk", "https://acme.zendesk.com", "--email", "a@b.c"), "--api-token"),
        (("--recipient", "care@acme.example"), "has no effect without --liveagent"),
        (("--seed", "3"), "has no effect without --holdout"),
    ],
)
def test_bad_options_fail_before_scoring(tmp_path, args, message) -> None:  # noqa: ANN001
    # No store at all: the option is refused before anything is read.
    missing = tmp_path / "none.duckdb"
    result = _risk(missing, tmp_path / "none.joblib", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Hint:" in result.stderr
    assert not missing.exists()


def test_save_needs_an_existing_store(tmp_path, model) -> None:  # noqa: ANN001
    missing = tmp_path / "typo.duckdb"
    result = _risk(missing, model, "--save")
    assert result.exit_code == 2 and "no churnlens store here" in result.stderr
    assert not missing.exists()


def test_output_file_is_the_work_list(store, model, tmp_path) -> None:  # noqa: ANN001
    marked = _csv(
        _risk(store, model, "--holdout", "0.3", "--seed", "11", "--format", "csv")
    )
    path = tmp_path / "to-call.xlsx"
    result = _risk(
        store,
        model,
        *("--holdout", "0.3", "--seed", "11", "--format", "xlsx", "-o", str(path)),
    )
    assert result.exit_code == 0, result.output
    called = marked.loc[~marked["holdout"], "customer_id"].tolist()
    assert len(called) < len(marked)
    written = pd.read_excel(path, dtype={"customer_id": str})
    assert written["customer_id"].tolist() == called
    assert f"Wrote {len(called)} customers to {path}" in result.stderr
