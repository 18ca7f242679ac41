"""Reading figures back out of the report pages (stdlib html.parser only)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.figures: dict[str, str] = {}
        self.by_class: dict[str, list[str]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._capture: list[tuple[str, str, list[str]]] = []  # (tag, key, text)
        self._depth: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        if "data-figure" in a:
            self._capture.append((tag, "figure:" + a["data-figure"], []))
        for cls in (a.get("class") or "").split():
            if cls in ("lop-name", "lop-native"):
                self._capture.append((tag, "class:" + cls, []))
        if tag == "h2":
            self._capture.append((tag, "class:h2", []))

    def handle_endtag(self, tag):
        if self._capture and self._capture[-1][0] == tag:
            _, key, text = self._capture.pop()
            value = " ".join("".join(text).split())
            kind, name = key.split(":", 1)
            if kind == "figure":
                self.figures[name] = value
            else:
                self.by_class.setdefault(name, []).append(value)
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for _, _, text in self._capture:
            text.append(data)


def parse(page: bytes | str) -> _Collector:
    c = _Collector()
    c.feed(page.decode() if isinstance(page, bytes) else page)
    return c


def table_counts(page: _Collector, table_id: str, column: int = -1) -> dict[str, int]:
    """First column → `column` (default the last) as int, header row skipped."""
    return {row[0]: int(row[column]) for row in page.tables[table_id][1:]}
