"""The only code that changes a complaint. One function per verb of SPEC §4.

Every verb of the state machine takes the acting person as the keyword `actor`
(`customer.Actor`), runs in one transaction, locks the complaint row first (`select_for_update`;
on SQLite the IMMEDIATE transaction serialises writers instead), checks the guard of
`authority.refusal`, changes the row and appends exactly one timeline event (merge also appends
one to the complaint it merges into). Bad data raises `ComplaintError(INVALID)` before anything
is written. The verbs outside the state machine lock the row too and refuse whom may not see
it, then append one event per file or link; the ladder's take rows their caller (the sweeper,
a time-limit change) has locked, and write a batch at once.

The modules follow a case: `registration`, `investigation`, `plans`, `closing`; then the
verbs outside the state machine: `files` (attachments), `links` (the customer's private
links), `ladder` (the deadline steps and moved time limits, in batches); `frame` is what they
all share. Nothing outside this package writes timeline events (tests/test_one_writer.py).
Callers import this package (`from kesu.complaints import actions`).
"""

from kesu.complaints.actions.closing import (
    appeal,
    close,
    confirm,
    invalidate,
    merge,
    reopen,
    return_visit,
    skip_return_visit,
    withdraw,
)
from kesu.complaints.actions.files import add_attachment, attach_files
from kesu.complaints.actions.frame import Actor, Verb, unannounced
from kesu.complaints.actions.investigation import (
    accept,
    add_info,
    answer,
    assign,
    contact,
    determine,
    escalate,
    note,
    qa_determine,
    reclassify,
    resume,
    visit,
    wait_customer,
)
from kesu.complaints.actions.ladder import (
    move_due_times,
    record_deadline_steps,
    record_past_deadline_steps,
)
from kesu.complaints.actions.links import (
    renew_customer_link,
    revoke_customer_link,
    revoke_customer_links,
    send_customer_link,
)
from kesu.complaints.actions.plans import (
    Measure,
    approve_plan,
    complete,
    progress,
    propose_plan,
    reachable,
    reject_plan,
    resolve_on_spot,
    verify,
)
from kesu.complaints.actions.registration import (
    IMPORTABLE_FINAL_STATES,
    REGISTERING_ROLES,
    NewComplaint,
    archive_imported,
    may_register,
    propose_for,
    register,
    registered_before,
)
from kesu.complaints.choices import Action

ACTIONS: dict[Action, Verb] = {
    fn.action: fn
    for fn in (
        accept,
        assign,
        contact,
        visit,
        determine,
        qa_determine,
        propose_plan,
        approve_plan,
        reject_plan,
        progress,
        complete,
        verify,
        confirm,
        return_visit,
        skip_return_visit,
        close,
        reopen,
        appeal,
        withdraw,
        invalidate,
        merge,
        escalate,
        reclassify,
        resolve_on_spot,
        answer,
        note,
        wait_customer,
        resume,
        add_info,
    )
}
assert set(ACTIONS) == set(Action), "every action of the state machine has its function"

__all__ = [
    "ACTIONS",
    "IMPORTABLE_FINAL_STATES",
    "REGISTERING_ROLES",
    "Actor",
    "Measure",
    "NewComplaint",
    "Verb",
    "accept",
    "add_attachment",
    "add_info",
    "answer",
    "appeal",
    "approve_plan",
    "archive_imported",
    "assign",
    "attach_files",
    "close",
    "complete",
    "confirm",
    "contact",
    "determine",
    "escalate",
    "invalidate",
    "may_register",
    "merge",
    "move_due_times",
    "note",
    "progress",
    "propose_for",
    "propose_plan",
    "qa_determine",
    "reachable",
    "reclassify",
    "record_deadline_steps",
    "record_past_deadline_steps",
    "register",
    "registered_before",
    "reject_plan",
    "renew_customer_link",
    "reopen",
    "resolve_on_spot",
    "resume",
    "return_visit",
    "revoke_customer_link",
    "revoke_customer_links",
    "send_customer_link",
    "skip_return_visit",
    "unannounced",
    "verify",
    "visit",
    "wait_customer",
    "withdraw",
]
