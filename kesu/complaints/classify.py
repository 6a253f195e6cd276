"""Which category a complaint's words suggest, while the clerk types. Pure: no database."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryWords:
    code: str
    words: tuple[str, ...]  # its name and its keywords
    depth: int  # 0 for a top category; a sub-category that matches as well is more precise


def category_words(code: str, name: str, keywords: str, depth: int) -> CategoryWords:
    words = tuple(dict.fromkeys(w for w in (name, *keywords.replace(",", " ").split()) if w))
    return CategoryWords(code, words, depth)


def suggest_category(categories: Iterable[CategoryWords], texts: Iterable[str]) -> str | None:
    """The category with the most of its words in the texts; the deeper one on a tie, then
    the earlier one. None when no word matches."""
    text = "\n".join(t for t in texts if t).casefold()
    if not text.strip():
        return None
    best: tuple[int, int] = (0, 0)
    chosen = None
    for category in categories:
        hits = sum(1 for word in category.words if word.casefold() in text)
        if hits and (hits, category.depth) > best:
            best, chosen = (hits, category.depth), category.code
    return chosen
