"""The grid's model of a Markdown table (static/src/editor/tables.js), run in Chromium as
the editor bundles it, against the renderer's own reading of tables (markdown-it, as in
app/core/render.py): the grid shows the cells the reader will see, and every edit of
the grid (a cell, a row or a column added or removed) leaves a table whose cells are
the ones intended, pipes and line breaks typed in cells included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import module_page

pytestmark = pytest.mark.e2e

PARSER = MarkdownIt("js-default").enable("table")

# Applies a list of changes ({from, to, insert}, all relative to the text before any of
# them, as CodeMirror takes them) to a text.
APPLY = """([text, changes]) => {
  const sorted = [...changes].sort((a, b) => b.from - a.from)
  for (const c of sorted) text = text.slice(0, c.from) + c.insert + text.slice(c.to)
  return text
}"""


@pytest.fixture(scope="module")
def model(browser: Browser) -> Iterator[Page]:
    page = module_page(browser, "editor/tables.js", "TavoloTables")
    page.add_script_tag(content=f"window.applyChanges = {APPLY}")
    yield page
    page.close()


def rendered_cells(text: str) -> list[list[str]] | None:
    """The cells of the first table as the renderer reads them (their inline source)."""
    tokens = PARSER.parse(text)
    rows: list[list[str]] = []
    inside = False
    for token in tokens:
        if token.type == "table_open":
            inside = True
        elif token.type == "table_close":
            return rows
        elif inside and token.type == "tr_open":
            rows.append([])
        elif inside and token.type == "inline":
            rows[-1].append(token.content)
    return None


def read(page: Page, text: str) -> list[list[str]] | None:
    return page.evaluate(
        """text => {
          let from = 0
          const lines = text.split('\\n').map(line => {
            const item = { from, text: line }
            from += line.length + 1
            return item
          })
          const table = TavoloTables.readTable(lines)
          return table && TavoloTables.tableTexts(table)
        }""",
        text,
    )


def edit(page: Page, text: str, operation: str, *args: object) -> str:
    return page.evaluate(
        """([text, operation, args]) => {
          let from = 0
          const lines = text.split('\\n').map(line => {
            const item = { from, text: line }
            from += line.length + 1
            return item
          })
          const table = TavoloTables.readTable(lines)
          return applyChanges([text, TavoloTables[operation](table, ...args)])
        }""",
        [text, operation, list(args)],
    )


CELL = st.text(alphabet="ab |\\*_-:", max_size=6)


@st.composite
def tables(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 4))
    header = [draw(CELL.filter(lambda c: "|" not in c and c.strip())) for _ in range(columns)]
    aligns = [draw(st.sampled_from(["---", ":---", "---:", ":---:", "-"])) for _ in range(columns)]
    rows = draw(st.lists(st.lists(CELL, min_size=1, max_size=5), max_size=4))
    outer = draw(st.booleans())

    def line(cells: list[str]) -> str:
        body = " | ".join(cells)
        return f"| {body} |" if outer or not body.strip() else body

    return "\n".join([line(header), line(aligns), *(line(row) for row in rows)])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=tables())
def test_the_grid_shows_the_cells_the_reader_sees(model: Page, text: str) -> None:
    expected = rendered_cells(text)
    if expected is None or len(expected) != len(text.splitlines()) - 1:
        return  # the renderer ends the table early (a line that starts a list, say)
    assert read(model, text) == expected


def test_cells_rows_and_columns_edit_the_markdown_table(model: Page) -> None:
    text = "| Ente | Impegno |\n| :--- | ---: |\n| _[Ente]_ | _[Azione]_ |"
    text = edit(model, text, "setCell", 1, 0, "Regione | Lombardia")
    assert text == "| Ente | Impegno |\n| :--- | ---: |\n| Regione \\| Lombardia | _[Azione]_ |"
    text = edit(model, text, "insertRow", 1)
    text = edit(model, text, "setCell", 2, 1, "riga\nnuova")
    assert text.splitlines()[3] == "|  | riga nuova |"
    text = edit(model, text, "insertColumn", 0)
    assert text.splitlines()[1] == "| :--- | --- | ---: |", "alignment kept, the new column plain"
    text = edit(model, text, "setCell", 0, 1, "Entro")
    text = edit(model, text, "deleteRow", 1)
    text = edit(model, text, "deleteColumn", 2)
    assert text == "| Ente | Entro |\n| :--- | --- |\n|  |  |"
    assert rendered_cells(text) == [["Ente", "Entro"], ["", ""]]


def test_a_cell_edit_is_one_small_change(model: Page) -> None:
    """Only what differs is replaced, so that another person's typing in the same row or
    the same cell is kept around it."""
    changes = model.evaluate(
        """() => {
          const text = '| A | B |\\n| --- | --- |\\n| un testo lungo | altro |'
          let from = 0
          const lines = text.split('\\n').map(line => {
            const item = { from, text: line }
            from += line.length + 1
            return item
          })
          const table = TavoloTables.readTable(lines)
          return TavoloTables.setCell(table, 1, 0, 'un testo più lungo')
        }"""
    )
    assert changes == [{"from": 35, "to": 35, "insert": "più "}]


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("setCell"), st.integers(0, 5), st.integers(0, 5), CELL),
        st.tuples(st.just("insertRow"), st.integers(0, 5)),
        st.tuples(st.just("deleteRow"), st.integers(0, 5)),
        st.tuples(st.just("insertColumn"), st.integers(0, 5)),
        st.tuples(st.just("deleteColumn"), st.integers(0, 5)),
    ),
    max_size=8,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=tables(), operations=OPERATIONS)
def test_any_sequence_of_grid_edits_leaves_the_intended_table(
    model: Page, start: str, operations: list
) -> None:
    cells = rendered_cells(start)
    if cells is None or len(cells) != len(start.splitlines()) - 1:
        return
    text = start
    width = len(cells[0])
    # What each cell should hold, in the renderer's terms (pipes escaped in the source).
    expected = [[*row, *[""] * (width - len(row))][:width] for row in cells]
    for name, *args in operations:
        rows = len(expected)
        if name == "setCell":
            row, column, value = args[0] % rows, args[1] % width, args[2]
            text = edit(model, text, name, row, column, value)
            expected[row][column] = value.replace("\n", " ").strip()
        elif name == "insertRow":
            row = args[0] % rows
            text = edit(model, text, name, row)
            expected.insert(row + 1, [""] * width)
        elif name == "deleteRow":
            row = args[0] % rows
            text = edit(model, text, name, row)
            if row >= 1 and rows > 1:
                expected.pop(row)
        elif name == "insertColumn":
            column = args[0] % width
            text = edit(model, text, name, column)
            for line in expected:
                line.insert(column + 1, "")
            width += 1
        else:
            column = args[0] % width
            text = edit(model, text, name, column)
            if width > 1:
                for line in expected:
                    line.pop(column)
                width -= 1
        assert rendered_cells(text) == expected, text
        assert read(model, text) == expected
