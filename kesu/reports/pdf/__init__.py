"""PDF building blocks: a paper-form document (`Document`), charts drawn with PDF primitives
(`charts`), and the embedded Chinese font (`fonts`)."""

from kesu.reports.pdf.document import Document

__all__ = ["Document"]
