"""A cell a spreadsheet would run is exported as text, and imported back as it was."""

from __future__ import annotations

import csv
import io

import pytest

from toolbox.csv_cells import neutralise, neutralised, restore


@pytest.mark.parametrize(
    "cell", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "'=1", "''+1", "=", "\t", "\r"]
)
def test_a_formula_start_is_quoted_and_comes_back(cell: str) -> None:
    written = neutralise(cell)
    assert written == "'" + cell
    assert restore(written) == cell


@pytest.mark.parametrize("cell", ["", "a=b", "'", "''", "'texte", "Musée", " =1", "1-2"])
def test_other_cells_are_left_as_they_are(cell: str) -> None:
    assert neutralise(cell) == cell
    assert restore(cell) == cell


def test_a_row_read_back_by_the_csv_module_holds_no_formula() -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(neutralised(["\r=cmd", "\t@x", "ok"]))
    (row,) = csv.reader(io.StringIO(out.getvalue(), newline=""))
    assert row == ["'\r=cmd", "'\t@x", "ok"]
    assert [restore(cell) for cell in row] == ["\r=cmd", "\t@x", "ok"]
