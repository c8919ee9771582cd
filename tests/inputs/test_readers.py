"""File-level problems: each raises one clear error naming the file and a fix."""

from __future__ import annotations

import codecs
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from churnlens.errors import ConfigError, InputError
from churnlens.inputs import read_table

HEADER = "customer_id,started_at\n"


def test_missing_file(tmp_path):
    path = tmp_path / "subscriptions.csv"
    with pytest.raises(InputError, match="the file does not exist") as e:
        read_table(path)
    assert e.value.path == str(path)
    assert "Hint: check the name" in str(e.value)


def test_directory(tmp_path):
    with pytest.raises(InputError, match="this is a folder, not a file") as e:
        read_table(tmp_path)
    assert e.value.hint is not None and "*.csv" in e.value.hint


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("subscriptions.xlsx", "save the sheet as 'CSV UTF-8'"),
        ("subscriptions.csv.gz", "decompress it first"),
        ("subscriptions.json", "one JSON object per line"),
        ("subscriptions.dat", "convert it to one of those"),
    ],
)
def test_unsupported_extension(write, name, advice):
    path = write(name, "x")
    suffix = name.rsplit(".", 1)[1]
    with pytest.raises(InputError, match=f"cannot read files of type '.{suffix}'") as e:
        read_table(path)
    assert advice in str(e.value)
    assert ".csv, .tsv, .txt, .parquet" in str(e.value)


def test_empty_file(write):
    with pytest.raises(InputError, match=r"empty \(0 bytes\)"):
        read_table(write("subscriptions.csv", ""))


def test_file_of_blank_lines_and_bom_only_is_empty(write):
    path = write("subscriptions.csv", codecs.BOM_UTF8 + b"\n\n")
    with pytest.raises(InputError, match="the file is empty: no header line"):
        read_table(path)


def test_header_but_no_rows(write):
    path = write("subscriptions.csv", "\n" + HEADER + "\n")
    with pytest.raises(InputError, match="header but no data rows") as e:
        read_table(path)
    assert e.value.line == 2  # the header's own line, after a blank one


def test_utf16_file(write):
    path = write("subscriptions.csv", HEADER + "C1,2024-01-01\n", encoding="utf-16")
    with pytest.raises(InputError, match="UTF-16") as e:
        read_table(path)
    assert e.value.line == 1
    assert "iconv -f UTF-16 -t UTF-8" in str(e.value)


def test_latin1_file_names_line_and_byte(write):
    text = HEADER + "C1,2024-01-01\nCaf\xe9,2024-01-02\n"
    path = write("subscriptions.csv", text, encoding="latin-1")
    offset = len((HEADER + "C1,2024-01-01\nCaf").encode())
    expected = (
        f"{path}, line 3: the file is not UTF-8 text: byte 0xE9 at byte offset "
        f"{offset} cannot be decoded (it looks like Windows-1252 or Latin-1: "
        "'Café,2024-01-02')"
    )
    with pytest.raises(InputError, match=re.escape(expected)):
        read_table(path)


def test_latin1_in_header(write):
    path = write("subscriptions.csv", "client_n\xb0,started_at\n", encoding="latin-1")
    with pytest.raises(InputError, match="line 1: the file is not UTF-8 text"):
        read_table(path)


def test_unreadable_parquet(write):
    path = write("subscriptions.parquet", HEADER + "C1,2024-01-01\n")
    with pytest.raises(InputError, match="cannot read the file as Parquet") as e:
        read_table(path)
    assert "not a CSV renamed to .parquet" in str(e.value)


def test_parquet_without_rows(tmp_path):
    path = tmp_path / "subscriptions.parquet"
    empty = pa.table({"customer_id": pa.array([], pa.string())})
    pq.write_table(empty, path)
    with pytest.raises(InputError, match=r"no rows \(its columns are: customer_id\)"):
        read_table(path)


def test_query_on_a_file_is_a_config_error(write):
    path = write("subscriptions.csv", HEADER + "C1,2024-01-01\n")
    with pytest.raises(ConfigError, match="apply to databases"):
        read_table(path, query="SELECT 1")
