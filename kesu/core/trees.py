"""Trees kept as (id, parent id) rows: departments with their regions, categories."""

from collections.abc import Iterable


def subtree(root: int, edges: Iterable[tuple[int, int | None]]) -> frozenset[int]:
    """`root` and every node below it, given (node, parent) pairs; cycles cannot loop."""
    children: dict[int | None, list[int]] = {}
    for node, parent in edges:
        children.setdefault(parent, []).append(node)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)
