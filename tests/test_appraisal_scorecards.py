"""考核 scorecards over a small history driven through the real verbs (`statistics_history.drive`):
every line checked by hand, the rank, the incidents behind each deduction exactly the failing
complaints, targets edited in the admin changing the score, and a head's scope."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from kesu.appraisal.choices import Level, Measure
from kesu.appraisal.models import Target
from kesu.appraisal.scorecards import Scorecard, incident_list, incidents, scorecards
from kesu.complaints.errors import ComplaintError
from kesu.policies.choices import ClockKind
from kesu.reports.access import scorecard_scope
from kesu.statistics.periods import parse
from tests.statistics_history import SHANGHAI, drive

OCTOBER = parse("2026-10")

# One complaint's script (statistics_history.script): registered, accepted by its owner,
# contacted, determined, treated, confirmed, surveyed and closed, an hour between stages.
BASE = {
    "kind": "complaint",
    "category": 0,  # business_policy: the sales department's
    "severity": 3,
    "phone": 0,
    "model": 2,  # no product model: never a repeat
    "sensitive": False,
    "owner": 0,  # handler_east
    "reach": 40,
    "spot": 5,
    "ends": "",
    "unsatisfied_first": False,
    "skip_visit": 3,
    "reopen": 3,  # neither reopened nor appealed
    "appeal_kind": "policy_or_staff",
    "cause": "customer",
    "returned": False,
    "handler_could": False,
    "scale": 3,
    "answers": [0],  # "satisfied" to every question: full marks
    "delays": [1] * 40,
}


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def history(people):
    return october(people)


def october(people):
    """handler_east (张经理): five complaints in October 2026 —
    clean: accepted and closed in hours, 3/3 satisfied (full marks);
    partial: a 5-option survey with one "neutral" answer (short of full marks);
    repeat: the clean one's customer (same phone) about the same product, and reopened after
      closing (reopen = 0), closed again;
    late: accepted 80 hours after registration (a dispatch breach), then nothing more (open);
    first: the product's first complaint (the repeat's predecessor), clean.
    handler_north (赵经理): one clean complaint, registered on 6 October (the National Day
    holiday: no working hour passes, no working-time limit is missed).
    handler_quality (孙工): nothing at all."""
    scripts = {
        "first": {**BASE, "at": at(5), "model": 0},
        "clean": {**BASE, "at": at(8)},
        "partial": {**BASE, "at": at(9), "scale": 5, "answers": [1, 2, 1]},
        "repeat": {**BASE, "at": at(12), "model": 0, "reopen": 0},
        "late": {**BASE, "at": at(13), "reach": 1, "delays": [80] * 40},
        "north": {**BASE, "at": at(6), "owner": 1, "phone": 1},
    }
    made = drive(people, list(scripts.values()))
    return dict(zip(scripts, made, strict=True))


def card(cards: list[Scorecard], subject_id: int) -> Scorecard:
    return next(c for c in cards if c.subject_id == subject_id)


def lines(c: Scorecard) -> dict[str, tuple[str, str, int, str | None, str]]:
    """measure → (figure as shown, target, weight, points, deduction)."""
    return {
        line.measure: (
            f"{line.figure.numerator}/{line.figure.denominator}"
            + ("" if line.figure.pct is None else f" = {line.figure.pct} %"),
            str(line.target_pct),
            line.weight,
            None if line.points is None else str(line.points),
            str(line.deduction),
        )
        for line in c.lines
    }


def numbers(queryset) -> set[str]:
    return set(queryset.values_list("number", flat=True))


def test_each_person_s_lines_score_and_rank_by_hand(history, people):
    cards = scorecards(OCTOBER, Level.PERSON)
    east = card(cards, people.handler_east.pk)
    # Five registered: four accepted within the hour, "late" after 80 hours (the dispatch
    # limit is 2 working hours): 4/5 = 80 % against 98 %: 15 × 80/98 = 12.2 points.
    # Time limits (first contact, site visit, plan reply, progress; 5 runs each settled):
    # "late" missed first contact and the site visit; the plan reply (1 working hour) was
    # missed by the three registered on working days, met by "first" (registered on 5
    # October, in the National Day holiday: no working hour passes): 15/20 = 75 % against
    # 95 %: 25 × 75/95 = 19.7.
    # Closed in October: first, clean, partial, repeat ("late" is open).
    # Resolution: all four closed with the customer satisfied: 4/4, full 20.
    # Satisfaction (points ÷ maximum, SPEC §8): three 3-option surveys at full marks (9/9)
    # and partial's 5-option survey 5/9: 14/18 = 77.8 % against 85 %: 20 × 77.8/85 = 18.3.
    # Return visits: all four visited: 4/4, full 10. Reopened: repeat, 1/4 = 25 % against a
    # 5 % ceiling: 5 × (100 − 25)/(100 − 5) = 3.9. Repeat: repeat is first's customer and
    # product, 1/5 = 20 % against 5 %: 5 × 80/95 = 4.2.
    got = lines(east)
    assert got == {
        Measure.ACCEPTANCE_ON_TIME: ("4/5 = 80.0 %", "98.0", 15, "12.2", "2.8"),
        Measure.HANDLING_ON_TIME: ("15/20 = 75.0 %", "95.0", 25, "19.7", "5.3"),
        Measure.RESOLUTION: ("4/4 = 100.0 %", "90.0", 20, "20", "0.0"),
        Measure.SATISFACTION: ("14/18 = 77.8 %", "85.0", 20, "18.3", "1.7"),
        Measure.RETURN_VISIT: ("4/4 = 100.0 %", "100.0", 10, "10", "0.0"),
        Measure.REOPEN: ("1/4 = 25.0 %", "5.0", 5, "3.9", "1.1"),
        Measure.REPEAT: ("1/5 = 20.0 %", "5.0", 5, "4.2", "0.8"),
    }
    # 12.2 + 19.7 + 20 + 18.3 + 10 + 3.9 + 4.2 = 88.3 of the 100 weights
    assert east.score == Decimal("88.3") and east.deduction == Decimal("11.7")
    north = card(cards, people.handler_north.pk)
    assert north.score == Decimal(100) and north.deduction == 0
    quality = card(cards, people.handler_quality.pk)
    assert quality.score is None and quality.rank is None
    assert all(line.points is None for line in quality.lines)
    # north first, east second, the one with nothing to score last and unranked
    assert cards[0].subject_id == people.handler_north.pk and cards[0].rank == 1
    assert east.rank == 2 and cards[-1].rank is None


def test_the_incidents_are_exactly_the_failing_complaints(history, people):
    east = people.handler_east.pk

    def behind(measure: Measure) -> set[str]:
        return numbers(incidents(OCTOBER, Level.PERSON, east, measure))

    assert behind(Measure.ACCEPTANCE_ON_TIME) == {history["late"].number}
    assert behind(Measure.REOPEN) == {history["repeat"].number}
    assert behind(Measure.REPEAT) == {history["repeat"].number}
    assert behind(Measure.SATISFACTION) == {history["partial"].number}
    assert behind(Measure.RESOLUTION) == set()
    assert behind(Measure.RETURN_VISIT) == set()
    late_runs = {history[name].number for name in ("clean", "partial", "repeat", "late")}
    assert behind(Measure.HANDLING_ON_TIME) == late_runs
    with translation.override("en"):
        listed = incident_list(OCTOBER, Level.PERSON, east, Measure.HANDLING_ON_TIME)
        reasons = {i.complaint.number: i.reasons for i in listed}
        assert reasons[history["late"].number] == (
            f"Time limit breached: {ClockKind.FIRST_CONTACT.label}",
            f"Time limit breached: {ClockKind.SITE_VISIT.label}",
        )
        assert reasons[history["clean"].number] == (
            f"Time limit breached: {ClockKind.PLAN_REPLY.label}",
        )
        accepted = incident_list(OCTOBER, Level.PERSON, east, Measure.ACCEPTANCE_ON_TIME)
        assert [(i.complaint.number, i.reasons) for i in accepted] == [
            (history["late"].number, ("Accepted late",))
        ]
    # the north handler's clean card has nothing behind it
    for measure in Measure:
        assert not incidents(OCTOBER, Level.PERSON, people.handler_north.pk, measure).exists()


def test_a_department_scorecard_counts_its_complaints(history, people):
    """Accepting a complaint gives it to its owner's department: 华东区域 holds east's five,
    华北区域 north's one; no other department has anything to score."""
    from kesu.accounts.models import Department

    east, north = (Department.objects.get(code=c) for c in ("sales_east", "sales_north"))
    cards = scorecards(OCTOBER, Level.DEPARTMENT)
    person = card(scorecards(OCTOBER, Level.PERSON), people.handler_east.pk)
    assert lines(card(cards, east.pk)) == lines(person)
    assert [(c.subject_id, c.rank) for c in cards[:2]] == [(north.pk, 1), (east.pk, 2)]
    assert all(c.rank is None and c.score is None for c in cards[2:])
    assert numbers(incidents(OCTOBER, Level.DEPARTMENT, east.pk, Measure.REPEAT)) == {
        history["repeat"].number
    }


def test_targets_edited_in_the_admin_change_the_score(history, people, client):
    east = people.handler_east.pk
    before = card(scorecards(OCTOBER, Level.PERSON), east).score
    target = Target.objects.get(level=Level.PERSON, measure=Measure.ACCEPTANCE_ON_TIME)
    client.force_login(people.admin)
    response = client.post(
        f"/admin/appraisal/target/{target.pk}/change/",
        {
            "level": "person",
            "measure": target.measure,
            "target_pct": "80",
            "weight": "15",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = card(scorecards(OCTOBER, Level.PERSON), east)
    assert after.score is not None and before is not None and after.score > before
    assert lines(after)[Measure.ACCEPTANCE_ON_TIME][2:] == (15, "15", "0.0")
    # a weight of 0 takes the line out of the score
    Target.objects.filter(level=Level.PERSON).exclude(measure=Measure.REOPEN).update(weight=0)
    only_reopen = card(scorecards(OCTOBER, Level.PERSON), east)
    assert only_reopen.score == Decimal("78.0")  # 3.9 of 5


def test_a_head_sees_only_their_department_and_its_people(history, people):
    reach = scorecard_scope(people.head_sales)
    cards = scorecards(OCTOBER, Level.PERSON, scope=reach.complaints, only=reach.only(Level.PERSON))
    assert {c.subject_id for c in cards} == {
        people.handler_east.pk,
        people.handler_north.pk,
        people.head_sales.pk,
    }
    quality = scorecard_scope(people.head_quality)
    cards = scorecards(OCTOBER, Level.PERSON, scope=quality.complaints, only=quality.people)
    assert {c.subject_id for c in cards} == {people.handler_quality.pk, people.head_quality.pk}
    departments = scorecards(
        OCTOBER, Level.DEPARTMENT, scope=quality.complaints, only=quality.departments
    )
    assert [c.name for c in departments] == ["质量部"]
    # a handler: their own card only, no department's
    own = scorecard_scope(people.handler_east)
    assert own.people == {people.handler_east.pk} and own.departments == frozenset()
    with pytest.raises(ComplaintError, match="考核评分"):
        scorecard_scope(people.intake)


# ------------------------------------------------------------------------------ the API, the CLI


def test_the_api_gives_every_line_score_and_rank(history, people):
    answer = people.api(people.qa).get("/reports/scorecards", period="2026-10", level="person")
    assert answer.status_code == 200, answer.content.decode()
    body = answer.json()
    assert body["period"]["first"] == "2026-10-01" and body["level"] == "person"
    east = next(s for s in body["subjects"] if s["code"] == "zhang_east")
    assert (east["score"], east["rank"], east["deduction"]) == (88.3, 2, 11.7)
    reopen = next(line for line in east["lines"] if line["measure"] == "reopen")
    assert reopen["figure"] == "1/4 = 25.0 %" and reopen["lower_is_better"]
    assert (reopen["weight"], reopen["points"], reopen["deduction"]) == (5, 3.9, 1.1)
    # the line's link answers the complaints behind its deduction, with why
    link = reopen["incidents"].removeprefix("/api/v1")
    path, query = link.split("?")
    params = dict(pair.split("=") for pair in query.split("&"))
    behind = people.api(people.qa).get(path, **params).json()
    assert [(i["number"], i["reasons"]) for i in behind["incidents"]] == [
        (history["repeat"].number, ["重新打开"])  # in the default language
    ]
    assert behind["incidents"][0]["owner"] == "zhang_east"


def test_the_api_keeps_each_reader_to_their_reach(history, people):
    def subjects(user, level="person"):
        answer = people.api(user).get("/reports/scorecards", period="2026-10", level=level)
        return answer.status_code, [s["code"] for s in answer.json().get("subjects", [])]

    assert subjects(people.handler_east) == (200, ["zhang_east"])
    assert subjects(people.handler_east, "department") == (200, [])
    status, codes = subjects(people.head_quality, "department")
    assert (status, codes) == (200, ["quality"])
    assert subjects(people.intake)[0] == 403
    # another's incidents are out of a handler's reach
    north = people.handler_north.pk
    answer = people.api(people.handler_east).get(
        f"/reports/scorecards/person/{north}/incidents", period="2026-10", measure="reopen"
    )
    assert answer.status_code == 404
    answer = people.api(people.handler_east).get(
        f"/reports/scorecards/person/{people.handler_east.pk}/incidents",
        period="2026-10",
        measure="repeat",
    )
    assert [i["number"] for i in answer.json()["incidents"]] == [history["repeat"].number]
    bad = people.api(people.qa).get("/reports/scorecards", period="2026-13")
    assert bad.status_code == 422


def test_the_api_and_the_cli_write_the_ranked_table(history, people, tmp_path):
    import csv
    import io

    import openpyxl
    from django.core.management import call_command

    answer = people.api(people.executive).get(
        "/reports/scorecards", period="2026-10", level="person", format="xlsx"
    )
    assert answer.status_code == 200
    body = b"".join(answer.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    east = next(row for row in values if "张经理" in row)
    assert east[0] == 2 and float(east[2]) == 88.3
    assert "4/5 = 80.0 %" in east
    answer = people.api(people.executive).get(
        "/reports/scorecards", period="2026-10", level="person", format="csv"
    )
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any(row[:3] == ["1", "赵经理", "100.0"] for row in rows), rows[:6]
    out = io.StringIO()
    call_command("report", "scorecards", "2026-10", stdout=out, stderr=io.StringIO())
    printed = out.getvalue().splitlines()
    assert any("张经理" in line and "88.3" in line for line in printed)
    target = tmp_path / "cards.xlsx"
    call_command(
        "report",
        "scorecards",
        "2026-10",
        "--level",
        "department",
        "--format",
        "xlsx",
        "-o",
        str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    rows = list(openpyxl.load_workbook(target, read_only=True).worksheets[0].values)
    assert any("华北区域" in row and 1 in row for row in rows)
