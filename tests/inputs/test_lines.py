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
