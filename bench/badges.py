"""Benchmark badge rendering against a minimal reportlab "floor".

    cd /work/main && .venv/bin/python bench/badges.py [--counts 100 1000 5000] [--layout a6x4]

For each count: CPU seconds (time.process_time), peak Python memory (tracemalloc,
a separate pass) and PDF size, for ``render_badges`` and for the floor, which draws
the same elements with the same fonts and the same QR encoder (segno, mask 0)
but with fixed sizes and one known font per string: no fitting, fallback, shaping
or vertical merging of QR runs.  Every case runs in a
fresh subprocess so font caches and memory do not leak between cases.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAMILY = {
    "latin": ["Smith", "O'Brien-Smith", "Ñúñez", "Fernández", "Tan", "Wilson", "Santos"],
    "vi": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"],
    "zh": ["李", "王", "張", "陳", "黃"],
    "ja": ["髙橋", "佐藤", "鈴木", "田中", "渡辺"],
    "ko": ["김", "이", "박", "최", "정"],
    "th": ["ใจดี", "สุขสวัสดิ์", "ศรีสุข", "ผู้ใหญ่"],
    "ru": ["Петров", "Иванова", "Смирнов", "Кузнецова"],
}
GIVEN = {
    "latin": ["Alice", "José", "Zoë", "Michael", "Siti", "Juan Carlos"],
    "vi": ["Thị Minh Khai", "Văn An", "Đức Thắng"],
    "zh": ["小龍", "偉", "秀英", "建國"],
    "ja": ["太郎", "花子", "健一"],
    "ko": ["민준", "서연", "지훈"],
    "th": ["สมชาย", "สมหญิง", "ประยุทธ"],
    "ru": ["Иван", "Анна", "Сергей"],
}
ORDER_FAMILY_FIRST = {"vi", "zh", "ja", "ko"}
ECONOMIES = {
    "latin": "Australia", "vi": "Viet Nam", "zh": "Hong Kong, China", "ja": "Japan",
    "ko": "Republic of Korea", "th": "Thailand", "ru": "Russia",
}
SCRIPTS = list(FAMILY)
CATS = ["delegate", "head_of_delegation", "speaker", "observer", "secretariat", "media"]


def sample(n: int):
    """n mixed-script badge records as plain tuples (script, name, native, economy, cat, qr)."""
    out = []
    for i in range(n):
        s = SCRIPTS[i % len(SCRIPTS)]
        fam = FAMILY[s][(i // 7) % len(FAMILY[s])]
        giv = GIVEN[s][(i // 3) % len(GIVEN[s])]
        sep = "" if s in {"zh", "ja", "ko"} else " "
        native = f"{fam}{sep}{giv}" if s in ORDER_FAMILY_FIRST else f"{giv}{sep}{fam}"
        roman = f"{GIVEN['latin'][i % 6]} {FAMILY['latin'][i % 7]}"
        if s in {"latin", "vi"} or i % 2:  # name as wanted: native script half the time
            name, second = native, None
        else:
            name, second = roman, native
        out.append((s, name, second, ECONOMIES[s],
                    CATS[i % 6], f"https://events.example.org/c/{i:06d}-kq8ZtW3vR2mP9xLc"))
    return out


TITLE = "APEC Counter-Terrorism Working Group Plenary 2026"
DATES = "3–5 March 2026 · Kuala Lumpur"


def run_ours(n: int, layout: str) -> bytes:
    from eventsapp.badges import BadgeData, render_badges

    badges = (BadgeData(name, native, econ, cat, TITLE, DATES, qr)
              for _s, name, native, econ, cat, qr in sample(n))
    buf = io.BytesIO()
    render_badges(badges, layout, buf)
    return buf.getvalue()


def run_floor(n: int, layout: str, raw_path: bool = False) -> bytes:
    """Minimal reportlab: fixed sizes, one known font per string, segno QR as one path.

    ``raw_path=False`` builds the path with ``beginPath``/``rect``/``drawPath``;
    ``raw_path=True`` writes the same ``re`` operators with ``addLiteral`` (as
    render.py does), avoiding reportlab's pure-Python number formatting.
    """
    import segno
    from reportlab.lib.colors import HexColor
    from reportlab.pdfgen.canvas import Canvas

    from eventsapp.badges.layouts import LAYOUTS
    from eventsapp.badges.render import CATEGORY_STYLES

    sheet = LAYOUTS[layout]
    bw, bh = sheet.badge_size
    font_for = {"th": "EventsApp-NotoSansThai", "zh": "EventsApp-WQYZenHei",
                "ja": "EventsApp-WQYZenHei", "ko": "EventsApp-WQYZenHei"}
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=sheet.page_size, pageCompression=1,
               initialFontName="EventsApp-NotoSans")
    pos = list(sheet.positions())
    for i, (s, name, native, econ, cat, qr) in enumerate(sample(n)):
        if i and i % len(pos) == 0:
            c.showPage()
        x, y = pos[i % len(pos)]
        st = CATEGORY_STYLES[cat]
        c.setFillColor(HexColor(st.fill))
        c.rect(x, y, bw, 0.11 * bh, stroke=0, fill=1)
        c.setFillColor(HexColor(st.text))
        c.setFont("EventsApp-NotoSans-Bold", 16)
        c.drawCentredString(x + bw / 2, y + 0.04 * bh, st.label)
        c.setFillGray(0)
        c.setFont("EventsApp-NotoSans-Bold", 11)
        c.drawCentredString(x + bw / 2, y + 0.85 * bh, TITLE)
        c.setFont("EventsApp-NotoSans", 9)
        c.drawCentredString(x + bw / 2, y + 0.81 * bh, DATES)
        c.setFont("EventsApp-NotoSans-Bold" if s in {"latin", "vi", "ru"} or not native
                  and s not in font_for else font_for.get(s, "EventsApp-NotoSans-Bold"), 24)
        c.drawCentredString(x + bw / 2, y + 0.6 * bh, name)
        if native:
            c.setFont(font_for.get(s, "EventsApp-NotoSans"), 16)
            c.drawString(x + 14, y + 0.4 * bh, native)
        c.setFont("EventsApp-NotoSans", 12)
        c.drawString(x + 14, y + 0.3 * bh, econ)
        m = segno.make(qr, error="m", mask=0, micro=False).matrix
        mod = 72 / (len(m) + 8)
        c.saveState()
        c.translate(x + bw - 100 + 4 * mod, y + 0.13 * bh + 85 - 4 * mod)
        c.scale(mod, -mod)
        runs = []  # one rect per horizontal run of dark modules
        for r, row in enumerate(m):
            col, n_ = 0, len(row)
            while col < n_:
                if row[col]:
                    start = col
                    while col < n_ and row[col]:
                        col += 1
                    runs.append((start, r, col - start, 1))
                else:
                    col += 1
        if raw_path:
            c.addLiteral(" ".join([f"{a} {b} {w} {h} re" for a, b, w, h in runs]) + " f")
        else:
            p = c.beginPath()
            for a, b, w, h in runs:
                p.rect(a, b, w, h)
            c.drawPath(p, stroke=0, fill=1)
        c.restoreState()
    c.save()
    return buf.getvalue()


def one_case(which: str, n: int, layout: str) -> dict:
    from eventsapp.badges.fonts import register_fonts

    register_fonts()
    fn = {
        "ours": run_ours,
        "floor": run_floor,
        "floor-raw": lambda n, lay: run_floor(n, lay, raw_path=True),
    }[which]
    fn(10, layout)  # warm up: shaping tables, font subsets machinery
    t0 = time.process_time()
    pdf = fn(n, layout)
    cpu = time.process_time() - t0
    tracemalloc.start()
    fn(n, layout)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"cpu": cpu, "peak": peak, "size": len(pdf)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--layout", default="a6x4")
    ap.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(json.dumps(one_case(args.case[0], int(args.case[1]), args.layout)))
        return

    def sub(which: str, n: int) -> dict:
        out = subprocess.run(
            [sys.executable, __file__, "--layout", args.layout, "--case", which, str(n)],
            check=True, capture_output=True, text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    print(f"layout {args.layout}: render_badges vs floor (beginPath/drawPath QR)"
          " and floor-raw (QR path via addLiteral)")
    print(f"{'badges':>7} {'case':>10} {'CPU s':>7} {'ratio':>6} {'peak MB':>8} {'PDF KB':>7}")
    for n in args.counts:
        res = {w: sub(w, n) for w in ("ours", "floor", "floor-raw")}
        for w, r in res.items():
            ratio = res["ours"]["cpu"] / r["cpu"]
            print(f"{n:>7} {w:>10} {r['cpu']:>7.2f} {ratio:>6.2f} {r['peak'] / 1e6:>8.1f}"
                  f" {r['size'] / 1e3:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
