"""Trees kept as (id, parent id) rows: departments with their regions, categories."""

from collections.abc import Iterable, Mapping


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


def path_up(node: int, parent_of: Mapping[int, int | None]) -> list[int]:
    """`node`, its parent, its parent's parent … to the root; cycles cannot loop."""
    path: list[int] = []
    current: int | None = node
    while current is not None and current not in path:
        path.append(current)
        current = parent_of.get(current)
    return path
