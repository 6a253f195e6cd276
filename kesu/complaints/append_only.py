"""The database trigger that refuses to change a timeline event once written
(`kesu.core.append_only`); the complaints' migrations call `install` and `uninstall`.

SQLite drops a table's triggers when a migration rebuilds the table, so every migration that
alters `complaints_complaintevent` ends with `install` again (tests/test_timeline.py checks).
"""

from kesu.core.append_only import Trigger

TIMELINE = Trigger("complaints_complaintevent", "complaintevent_append_only")
install = TIMELINE.install
uninstall = TIMELINE.uninstall
