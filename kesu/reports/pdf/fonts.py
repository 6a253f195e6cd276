"""The Chinese font of every PDF Kesu writes: Noto Sans CJK SC, as the `mplfonts` package ships
it (SIL Open Font License), embedded and subset into each document by fpdf2 — never a system
font, never a download.

The font file is 16 MiB with 65,535 glyphs: reading its character map and widths takes about
0.8 s, so it is read once per process (`_prototype`) and each document gets a copy that shares
those tables. The copy gets a fresh fontTools handle on the same bytes, because fpdf2 subsets
that handle in place when it writes the document. The bytes are kept without the OpenType
layout tables (GSUB, GPOS, …): fpdf2 drops them from what it embeds anyway (it does not shape
text here), but the subsetter would first decode them, which is most of its time.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from io import BytesIO
from pathlib import Path
from threading import Lock

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FAMILY = "noto-sans-cjk"
PACKAGE, FILE = "mplfonts", "fonts/NotoSansCJKsc-Regular.otf"
# Read by fpdf2 only to shape text with HarfBuzz, which Kesu does not turn on.
_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH")
_lock = Lock()


def font_path() -> Path:
    """Where the installed `mplfonts` package keeps the font (a wheel installs it as a file)."""
    return Path(str(resources.files(PACKAGE).joinpath(FILE)))


@cache
def font_bytes() -> bytes:
    """The font without its layout tables; every other table exactly as shipped."""
    font = ttLib.TTFont(BytesIO(font_path().read_bytes()), lazy=True, recalcTimestamp=False)
    for tag in _LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    out = BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def _prototype() -> TTFFont:
    """The font read once: its character map, widths and descriptor, shared by the copies."""
    return TTFFont(FPDF(), BytesIO(font_bytes()), FAMILY, "")  # type: ignore[arg-type]


def warm_up() -> None:
    """Read the font now (a web worker may call this when it starts)."""
    with _lock:
        _prototype()


def install(pdf: FPDF) -> None:
    """Make `FAMILY` available in `pdf`, as `pdf.add_font` would, without reading the file."""
    warm_up()
    proto = _prototype()
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(proto, name):
            setattr(font, name, getattr(proto, name))
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(BytesIO(font_bytes()), lazy=True, recalcTimestamp=False)
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    pdf.fonts[FAMILY] = font
    pdf._set_min_pdf_version("1.6")  # a CID-keyed CFF font, as add_font sets it
