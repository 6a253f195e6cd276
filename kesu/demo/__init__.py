"""Demo data: staff with Chinese names and a few hundred realistic complaints (`kesu demo`).

Every complaint is registered with `actions.register` and then driven by the real action
functions (accept, contact, visit, determine, …) to a target state, so the rows, timelines,
plans, return visits and attachments are exactly what people would have produced by hand;
no row is written around the workflow. Together the complaints reach every state, category,
channel, kind and severity, and the side paths of SPEC §4: rejected plans, failed
verifications, not-satisfied confirmations, appeals, reopening by QA, escalations, QA
determinations of undeterminable products, resolution on the spot, answered inquiries and
suggestions, skipped return visits (anonymous or sensitive), withdrawals, invalid complaints
and duplicates merged into an open complaint.

Time: registration lies in the past (`register(registered_at=...)`); every later step runs
under `kesu.core.clock.as_of` a few hours after the one before (never in the future), so the
timelines read as they would have happened. Finished complaints are registered over the last
six months; complaints still open in the last days or weeks, so that their clocks stay
plausible.

The content is chosen by a seeded random generator: the same seed and count give the same
complaints (only the timestamps move with the day of loading). Loading is idempotent: when
the demo staff have already registered `count` complaints nothing is added; when they have
registered fewer, only the difference is added.

The app's modules: `cast` (the staff), `texts` and `handling_texts` (the corpus: what the
complaints are about and what staff write), `plan` (which complaint ends where), `compose`
(the record as the clerk writes it, and its photos), `story` (one complaint driven through the
real actions) and `loader` (`load_demo`).
"""
