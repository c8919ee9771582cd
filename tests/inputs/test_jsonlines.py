"""JSON Lines: one object per line, values as text, bad lines kept whole."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from churnlens.errors import InputError
from churnlens.inputs import read_table
from inputs._helpers import rejections, values


def test_objects_become_rows(write):
    text = (
        '{"ticket_id": "T1", "customer_id": "C1", "created_at": "2024-01-01T10:00Z",'
        ' "satisfaction": 4, "tags": ["a", "b"], "escalated": true}\n'
        "\n"
        '{"customer_id": "C2", "created_at": "2024-01-02", "ticket_id": null}\n'
    )
    result = read_table(write("tickets.jsonl", text))
    assert result.table == "tickets"
    assert result.accepted_lines.to_pylist() == [1, 3]
    assert values(result, "created_at") == [
        dt.datetime(2024, 1, 1, 10),
        dt.datetime(2024, 1, 2),
    ]
    assert values(result, "satisfaction") == [4.0, None]
    assert values(result, "tags") == ['["a","b"]', None]
    assert values(result, "escalated") == ["true", None]


def test_lines_that_are_not_objects_are_rejected_whole(write):
    text = (
        '{"customer_id": "C1", "occurred_at": "2024-01-01"}\n'
        "not json at all\n"
        "[1, 2]\n"
        '{"customer_id": "C2", "occurred_at": "soon", "quantity": "many"}\n'
    )
    result = read_table(write("activity.ndjson", text))
    assert rejections(result) == [
        (2, None, "the line is not a JSON object: not json at all"),
        (3, None, "the line is not a JSON object: [1, 2]"),
        (
            4,
            "occurred_at",
            "occurred_at 'soon' is not a date (expected ISO 8601 such as 2024-03-01 "
            "or 2024-03-01T10:00:00+02:00); quantity 'many' is not a number",
        ),
    ]
    records = result.rejected.column("record").to_pylist()
    assert json.loads(records[0]) == {"line_text": "not json at all"}
    assert json.loads(records[2])["quantity"] == "many"
    assert result.n_read == 4 and result.n_accepted == 1


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (
            '[\n  {"customer_id": "C1"},\n  {"customer_id": "C2"}\n]\n',
            "starts a JSON array",
        ),
        ('[{"customer_id": "C1"}, {"customer_id": "C2"}]', "starts a JSON array"),
        ('{\n  "customer_id": "C1"\n}\n', "starts a JSON object spread over"),
        (
            "\ncustomer_id,started_at\nC1,2024-01-01\n",
            "is not a JSON object: customer_id",
        ),
    ],
)
def test_a_file_that_is_not_json_lines_is_an_error(write, text, what):
    with pytest.raises(
        InputError, match=f"not JSON Lines .*: its first line {what}"
    ) as e:
        read_table(write("subscriptions.jsonl", text))
    assert e.value.line == (2 if text.startswith("\n") else 1)
    assert "jq -c" in str(e.value)
