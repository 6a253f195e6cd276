"""The Chinese font of every PDF Kesu writes: Noto Sans CJK SC, as the `mplfonts` package ships
it (SIL Open Font License), embedded and subset into each document by fpdf2 — never a system
font, never a download.

The font file is 16 MiB with 65,535 glyphs: reading its character map and widths takes about
0.6 s, so it is read once per process (`_prototype`) and each document gets a copy that shares
those tables. The copy gets a fresh fontTools handle on the file, because fpdf2 subsets that
handle in place when it writes the document; the handle is lazy (a table is read from the file
when it is first asked for) and is told to forget the OpenType layout tables (GSUB, GPOS, …):
fpdf2 drops them from what it embeds anyway (it does not shape text here), but the subsetter
would decode them first, which is most of its time. Nothing of the file is held in memory
between documents beyond the prototype's tables; the file itself stays in the page cache that
all worker processes share.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
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
def _prototype() -> TTFFont:
    """The font read once: its character map, widths and descriptor, shared by the copies."""
    font = TTFFont(FPDF(), font_path(), FAMILY, "")
    # What it read is kept in its own tables now; its font handle, with every table it
    # decoded (the CFF's among them), is never used again: each document opens its own.
    font.ttfont.close()
    font.ttfont = None
    return font


def _handle() -> ttLib.TTFont:
    """A lazy handle on the file without the layout tables (forgetting them reads nothing)."""
    font = ttLib.TTFont(font_path(), lazy=True, recalcTimestamp=False)
    for tag in _LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    return font


def warm_up() -> None:
    """Read the font now (a web worker may call this when it starts)."""
    with _lock:
        _prototype()


def install(pdf: FPDF) -> None:
    """Make `FAMILY` available in `pdf`, as `pdf.add_font` would, without reading the file
    again. `release(pdf)` closes the file once the document is written."""
    warm_up()
    proto = _prototype()
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(proto, name):
            setattr(font, name, getattr(proto, name))
    font.i = len(pdf.fonts) + 1
    font.ttfont = _handle()
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    pdf.fonts[FAMILY] = font
    pdf._set_min_pdf_version("1.6")  # a CID-keyed CFF font, as add_font sets it


def release(pdf: FPDF) -> None:
    """Close the document's handle on the font file."""
    font = pdf.fonts.get(FAMILY)
    if isinstance(font, TTFFont) and font.ttfont is not None:
        font.ttfont.close()
