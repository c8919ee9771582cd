"""Record boundaries found in the bytes agree with a real CSV parser, including
when quotes and newlines straddle the chunks the file is scanned in."""

from __future__ import annotations

import csv
import io

import pytest

from churnlens.inputs import lines
from churnlens.inputs.lines import index_lines, index_records

TEXT = (
    'id,note\n1,"a\nb"\n\n2,plain\n3,"x ""y""\n\nz"\n4,""\r\n5,"last\n"\n'
    '6,"many\n\n\nlines"\n7,end'
)


def _expected(text: str) -> list[tuple[int, int]]:
    """(first line, lines spanned) of each non-blank record, by Python's csv."""
    reader = csv.reader(io.StringIO(text, newline=""))
    found, before = [], 0
    for row in reader:
        start, before = before + 1, reader.line_num
        if row:
            found.append((start, before - start + 1))
    return found


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 24])
def test_records_match_python_csv_across_chunks(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(lines, "_CHUNK", chunk)
    path = tmp_path / "f.csv"
    path.write_bytes(TEXT.encode())
    index = index_records(path)
    assert list(zip(index.lines.tolist(), index.spans.tolist(), strict=True)) == (
        _expected(TEXT)
    )
    assert index.quoted_newlines


def test_lines_of_json_lines_skip_blank_ones(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b'{"a": 1}\n\n\r\n{"a": 2}\n')
    assert index_lines(path).lines.tolist() == [1, 4]


def test_empty_file(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"")
    assert index_records(path).n == 0


@pytest.mark.parametrize(
    ("text", "open_at_end", "bad_close"),
    [
        ('a,b\n1,"x\n""y"""\n2,""\n', False, False),
        ('a,b\n1,"oops\n2,x\n', True, False),
        ('a,b\n1,"oops\n2,"x"\n', True, True),  # the 2nd quote closes, x follows
        ('a,b\n1,"x" \n', False, True),
    ],
)
def test_quotes_that_do_not_pair_up(
    tmp_path, monkeypatch, text, open_at_end, bad_close
):
    monkeypatch.setattr(lines, "_CHUNK", 3)
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    index = index_records(path, delimiter=",")
    assert (index.open_at_end, index.bad_close) == (open_at_end, bad_close)


def test_carriage_returns_end_lines_when_asked(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\r1,"x\ry"\r\r2,z')
    index = index_records(path, newline="\r")
    assert index.lines.tolist() == [1, 2, 5]
    assert index.spans.tolist() == [1, 2, 1]
