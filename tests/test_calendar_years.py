"""Years with and without a published notice: the company calendar, its admin page and
`GET /api/v1/calendar/{year}` say which years are provisional (issue #13, point 23)."""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.utils import timezone, translation

from kesu.deadlines import years
from kesu.deadlines.holiday_sources import published_years
from kesu.deadlines.models import CalendarDay, WorkCalendar
from kesu.deadlines.queries import company_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAST = max(published_years())  # the last year whose notice the installed package carries


def at(year: int, month: int, day: int):
    return time_machine.travel(datetime(year, month, day, 10, tzinfo=SHANGHAI), tick=False)


def test_the_api_gives_a_published_year_with_its_adjusted_working_days(people):
    api = people.api(people.intake)
    body = api.get("/calendar/2026").json()
    assert body["statutory"] == "published" and body["provisional"] is False
    assert body["warning"] == ""
    on = {d["date"]: d for d in body["days_on"]}
    assert on["2026-02-14"]["origin"] == "statutory"
    assert {"2026-02-16", "2026-10-01"} <= {d["date"] for d in body["days_off"]}


def test_the_api_marks_the_year_after_the_last_notice_provisional_with_the_company_days(people):
    calendar = WorkCalendar.current()
    year = LAST + 1
    CalendarDay.objects.create(calendar=calendar, date=date(year, 2, 20), name="厂休")
    CalendarDay.objects.create(calendar=calendar, date=date(year, 10, 1), working=True, name="值班")
    body = people.api(people.intake).get(f"/calendar/{year}").json()
    assert body["statutory"] == "provisional" and body["provisional"] is True
    # in the product's default language (the request's)
    assert f"{year} 年为暂定" in body["warning"] and "已录入 2 天" in body["warning"]
    assert body["days_on"] == [{"date": f"{year}-10-01", "name": "值班", "origin": "company"}]
    off = {d["date"]: d["origin"] for d in body["days_off"]}
    assert off[f"{year}-02-20"] == "company"
    assert off[f"{year}-01-01"] == "statutory"  # estimated by rule, but there


def test_years_beyond_what_kesu_loads_are_missing_and_said_so(people):
    api = people.api(people.intake)
    with at(2026, 6, 1):
        body = api.get("/calendar/2037").json()
        assert body["statutory"] == "missing" and body["provisional"] is True
        assert body["days_off"] == [] and "没有任何法定节假日" in body["warning"]
        assert api.get("/calendar/1999").json()["statutory"] == "missing"
        assert api.get("/calendar/2300").status_code == 422


def test_a_calendar_without_a_statutory_source_is_not_provisional(people):
    WorkCalendar.objects.filter(pk=WorkCalendar.current().pk).update(holiday_source="none")
    body = people.api(people.intake).get(f"/calendar/{LAST + 1}").json()
    assert body["statutory"] == "not_used" and body["provisional"] is False
    assert body["days_off"] == []


def test_deadlines_three_years_ahead_still_skip_the_statutory_days(defaults):
    """Kesu used to load statutory days two years ahead only: from the third year on, National
    Day was an ordinary week."""
    year = timezone.localdate().year + 3
    calendar = company_calendar()
    assert not any(calendar.is_working_day(date(year, 10, day)) for day in (1, 2, 3))


def _calendar_page(client: Client):
    calendar = WorkCalendar.current()
    return client.get(f"/admin/deadlines/workcalendar/{calendar.pk}/change/")


def _warnings(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_the_calendar_admin_warns_while_this_year_or_the_next_is_provisional(people):
    client = Client()
    client.force_login(people.admin)
    with at(LAST, 11, 20):  # the next notice is not in the installed data yet
        page = _calendar_page(client)
        assert page.status_code == 200
        (warning,) = _warnings(page)
        assert f"{LAST + 1} 年为暂定" in warning
        assert f"{LAST + 1}–" in page.content.decode()  # the years are listed by status
        (listed,) = _warnings(client.get("/admin/deadlines/workcalendar/"))
        assert f"{LAST + 1} 年为暂定" in listed
    with at(LAST, 3, 1):  # this year is published and the next is still far
        assert _warnings(_calendar_page(client)) == []


def test_the_worker_logs_a_provisional_year_once(defaults, caplog):
    years.forget_warnings()
    with (
        translation.override("en"),
        caplog.at_level(logging.WARNING, logger="kesu.deadlines.years"),
    ):
        years.warn_once(date(LAST, 12, 1))
        years.warn_once(date(LAST, 12, 1))
    assert [r.getMessage().count(f"{LAST + 1} is provisional") for r in caplog.records] == [1]


def test_the_worker_reads_the_years_again_only_when_another_comes_near(defaults, monkeypatch):
    years.forget_warnings()
    read = []
    monkeypatch.setattr(years, "calendar_year", lambda year: read.append(year) or _published(year))
    for _minute in range(3):  # the sweep, every minute of a day
        years.warn_once(date(LAST, 6, 1))
    assert read == [LAST]
    years.warn_once(date(LAST, 12, 1))  # the next year is near now
    years.warn_once(date(LAST, 12, 2))
    assert read == [LAST, LAST, LAST + 1]


def _published(year: int) -> years.CalendarYear:
    return years.CalendarYear(
        year=year,
        time_zone="Asia/Shanghai",
        holiday_source="cn",
        status=years.YearStatus.PUBLISHED,
        days_off=(),
        days_on=(),
        company_days=0,
    )


def test_a_calendar_that_cannot_be_read_is_logged_not_raised_by_the_worker(defaults, caplog):
    WorkCalendar.objects.filter(pk=WorkCalendar.current().pk).update(
        holiday_source="kesu.deadlines.nowhere.source"
    )
    years.forget_warnings()
    with caplog.at_level(logging.ERROR, logger="kesu.deadlines.years"):
        years.warn_once(date(LAST, 12, 1))
    assert "cannot tell which years are provisional" in caplog.text
