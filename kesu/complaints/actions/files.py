"""Adding files to a complaint: the only writer of attachments (the complaint page, the API,
registration, the portal and mail all come here). What a file may be is `attachments`'."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kesu.complaints.actions.frame import append, lock, visible
from kesu.complaints.attachments import JudgedFile, judge_upload, may_attach, shortened
from kesu.complaints.choices import EventType, Visibility
from kesu.complaints.customer import Actor, acting_user
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Attachment, Complaint
from kesu.core import clock


def attach_files(
    complaint: Complaint | str,
    files: Sequence[UploadedFile],
    *,
    actor: Actor,
    visibility: Visibility = Visibility.INTERNAL,
) -> list[Attachment]:
    """Store files on the complaint. All or none: every file is judged before anything is
    written, and a failure removes what was stored of the earlier ones. One transaction on the
    locked row; one timeline event per file; each raises the complaint's version, so whoever
    has the complaint open is told (the workspace's freshness poll)."""
    judged = [judge_upload(upload) for upload in files]
    if not judged:
        return []
    stored: list[str] = []  # the names written to storage
    attached: list[Attachment] = []
    try:
        with transaction.atomic():
            c = lock(complaint)
            visible(c, actor)
            if not may_attach(c):
                raise ComplaintError(
                    ErrorCode.WRONG_STATE,
                    _("The complaint is %(state)s; its record is archived and takes no new files.")
                    % {"state": c.get_state_display()},
                )
            for one in judged:
                attached.append(_store(c, one, stored, actor=actor, visibility=visibility))
    except BaseException:
        storage = Attachment.file.field.storage
        for name in stored:  # the rows are gone with the transaction; the files go too
            storage.delete(name)
        raise
    return attached


def add_attachment(
    complaint: Complaint | str,
    upload: UploadedFile,
    *,
    actor: Actor,
    visibility: Visibility = Visibility.INTERNAL,
) -> Attachment:
    """Store one file on the complaint and record it in the timeline (`attach_files`)."""
    return attach_files(complaint, [upload], actor=actor, visibility=visibility)[0]


def _store(
    c: Complaint, one: JudgedFile, stored: list[str], *, actor: Actor, visibility: Visibility
) -> Attachment:
    """On the locked row: the file, its row, its event (which raises the version)."""
    now = clock.now()
    attachment = Attachment(
        complaint=c,
        name=shortened(one.accepted.name),
        content_type=one.accepted.content_type,
        size=one.size,
        sha256=one.sha256,
        visibility=visibility,
        uploaded_by=acting_user(actor),
        uploaded_at=now,
    )
    attachment.file.save(one.sha256, one.upload, save=False)
    if attachment.file.name:  # the name storage chose, to remove it if a later file fails
        stored.append(attachment.file.name)
    attachment.save()
    # Nobody is told of a file: a customer's comes with the registration or message that
    # tells the owner (announced, it would tell them twice), and no rule asks for staff's.
    append(
        c,
        EventType.ATTACH,
        actor,
        at=now,
        visibility=visibility,
        data={"attachment": attachment.pk, "name": attachment.name, "size": one.size},
    )
    return attachment
