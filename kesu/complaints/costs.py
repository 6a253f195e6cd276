"""Cost responsibility (SPEC §6): the proposed split from the determination. Pure."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

from kesu.complaints.choices import CostBearer, CostItem, Determination, RepairScope


@dataclass(frozen=True)
class CostLine:
    item: str  # CostItem
    bearer: str  # CostBearer
    share_pct: int
    rule: str  # which rule of §6 produced the line (machine-readable)
    penalty: bool = False


@dataclass(frozen=True)
class CostFacts:
    determination: str  # the effective determination (QA's when it had to decide)
    returned_to_company: bool = False  # the product went back to the company
    initially_undeterminable: bool = False
    repair_scope: str = ""  # RepairScope, for misuse
    in_warranty: bool | None = None
    handler_could_determine: bool = False
    handler_penalty_pct: int = 50


def propose_cost_split(facts: CostFacts) -> list[CostLine]:
    C, U, H = CostBearer.COMPANY, CostBearer.CUSTOMER, CostBearer.HANDLER
    lines: list[CostLine] = []
    if facts.returned_to_company or facts.initially_undeterminable:
        if facts.handler_could_determine:
            pct = facts.handler_penalty_pct
            lines += [
                CostLine(CostItem.RETURN_TRANSPORT, H, pct, "avoidable_return", penalty=True),
                CostLine(CostItem.RETURN_TRANSPORT, C, 100 - pct, "avoidable_return"),
            ]
        else:
            lines.append(CostLine(CostItem.RETURN_TRANSPORT, C, 100, "undeterminable_return"))

    d = facts.determination
    if d in (Determination.DEFECT, Determination.COMPANY):
        lines += [
            CostLine(CostItem.REPLACEMENT_OR_REPAIR, C, 100, "defect_free_replacement"),
            CostLine(CostItem.TRANSPORT, C, 100, "defect_company_transport"),
        ]
    elif d in (Determination.MISUSE, Determination.CUSTOMER):
        if facts.initially_undeterminable and facts.in_warranty:
            lines += [
                CostLine(CostItem.LABOUR, C, 100, "warranty_labour_free"),
                CostLine(CostItem.PARTS, U, 100, "warranty_parts_at_cost"),
            ]
        elif facts.repair_scope == RepairScope.SIMPLE_ON_SITE:
            lines.append(CostLine(CostItem.LABOUR, C, 100, "misuse_simple_on_site"))
        elif facts.repair_scope == RepairScope.PART_REPLACEMENT:
            lines += [
                CostLine(CostItem.LABOUR, C, 100, "misuse_part_labour_free"),
                CostLine(CostItem.PARTS, U, 100, "misuse_part_customer_pays"),
            ]
        else:  # complex work or parts, and the default when the scope is not yet known
            lines += [
                CostLine(CostItem.LABOUR, C, 100, "misuse_complex_labour_free"),
                CostLine(CostItem.PARTS, U, 100, "misuse_complex_parts"),
                CostLine(CostItem.TRANSPORT, U, 100, "misuse_complex_transport"),
            ]
    elif d == Determination.THIRD_PARTY:
        lines.append(CostLine(CostItem.REPLACEMENT_OR_REPAIR, C, 100, "third_party_company_first"))
    return lines


def as_json(lines: list[CostLine]) -> list[dict]:
    return [asdict(line) for line in lines]


def validate_split(lines: list[dict]) -> dict[str, str]:
    """Problems with a hand-adjusted split, by field: unknown items or bearers, shares that
    are not 0–100, or an item whose shares do not add up to 100 %."""
    problems: dict[str, str] = {}
    totals: dict[str, int] = {}
    for index, line in enumerate(lines):
        item = line.get("item", "")
        if item not in CostItem.values:
            problems[f"{index}.item"] = str(_("Unknown cost item."))
        if line.get("bearer") not in CostBearer.values:
            problems[f"{index}.bearer"] = str(_("Unknown bearer: company, customer or handler."))
        share = line.get("share_pct")
        if not isinstance(share, int) or not 0 <= share <= 100:
            problems[f"{index}.share_pct"] = str(_("A share is a whole percentage, 0 to 100."))
            continue
        totals[item] = totals.get(item, 0) + share
    for index, line in enumerate(lines):
        item = line.get("item", "")
        if item in totals and totals[item] != 100 and f"{index}.share_pct" not in problems:
            problems[f"{index}.share_pct"] = str(
                _("The shares of “%(item)s” add up to %(total)s %%, not 100 %%.")
                % {"item": item, "total": totals[item]}
            )
    return problems
