"""Process adherence (SPEC §10; requirements row 104): 服务流程执行准确率 and 服务标准达标率.

The seed (《质量服务过程管理办法》 六(一)) names both as service-quality indicators and
defines neither. Kesu defines them from what its timeline records, over the complaints that
ended `closed` in the period (the closing instant places them, as resolution does):

* **Process followed (服务流程执行准确率)** = closed complaints whose handling went as the
  process says ÷ closed complaints. Went as the process says: every run of every time limit
  (SPEC §5) that settled was met on time (no breach, none met late), the case was never
  reopened (no reopen, no appeal, no confirmation the customer was not satisfied with), and
  the return visit was made when one was needed (closed through the return-visit stage and
  the customer reachable). The order of the steps of a complaint's level is not measured: the
  workflow's transitions refuse a step out of its place, so a closed complaint went through
  them; what the figure measures is what can still go wrong on that path.
* **Standard met (服务标准达标率)** = closed complaints whose return-visit survey reached the
  standard ÷ closed complaints with a survey. The standard: a satisfaction of at least
  `STANDARD_PCT` % of the survey's maximum points (SPEC §8: 3 a question; 80 % is, on
  average, better than 满意 on the 5-option scale and than 一般 on the 3-option one).

Both are sums over the per-complaint facts (`models.ComplaintFact`), so they are figures of
`indicators.SPECS` like the others: per company, department and person, frozen with a closed
month, and each side links to the complaints behind it. The conditions are here, the specs in
`indicators.SPECS`.
"""

from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual

from kesu.policies.choices import ClockKind
from kesu.statistics.models import clock_columns

STANDARD_PCT = 80  # a survey's satisfaction that meets the service standard (whole percent)


def _every_clock_on_time() -> Q:
    where = Q()
    for kind in ClockKind:
        settled, on_time, _escalated = clock_columns(kind.value)
        where &= Q(**{settled: F(on_time)})
    return where


# the numerator of 服务流程执行准确率, over closed complaints
PROCESS_FOLLOWED = (
    _every_clock_on_time() & Q(reopens=0) & (Q(visit_needed=False) | Q(visit_done=True))
)
# the denominator of 服务标准达标率: closed complaints with a survey
SURVEYED = Q(survey_max__gt=0)
# its numerator: the survey's points at least STANDARD_PCT % of its maximum (exact integers)
STANDARD_MET = SURVEYED & Q(
    GreaterThanOrEqual(F("survey_points") * 100, F("survey_max") * STANDARD_PCT)
)
