"""Imports started from the manage page: they run after the upload is answered, and a page
follows them until they are done.

The job's row says how it ended, so whichever app process answers the page can tell; how far a
running import has got is known only to the process doing it (`_progress`), because on SQLite
nothing else can be written while the import's one transaction holds the database. A page asking
another process sees "importing" without a count until the end.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess
from toolbox.board.models import Board
from toolbox.db import Database, utcnow
from toolbox.errors import DomainError, NotFound, NotSignedIn
from toolbox.i18n import gettext as _
from toolbox.principal import Actor
from toolbox.transfer.importer import import_plan
from toolbox.transfer.models import ImportJob, JobStatus
from toolbox.transfer.plan import ImportPlan

log = logging.getLogger(__name__)

#: An import takes seconds: one still running after this died with the process running it.
ABANDONED_AFTER = timedelta(minutes=10)

_progress: dict[str, tuple[int, int]] = {}


@dataclass(frozen=True)
class JobProgress:
    status: str  # a JobStatus, or "abandoned"
    done: int = 0
    total: int = 0  # 0: not known here (another process is doing it)


def progress_of(job: ImportJob) -> JobProgress:
    if job.status != JobStatus.running:
        return JobProgress(job.status.value)
    live = _progress.get(job.id)
    if live is None and utcnow() - job.created_at > ABANDONED_AFTER:
        return JobProgress("abandoned")
    done, total = live or (0, 0)
    return JobProgress(JobStatus.running.value, done, total)


async def start_job(db: Database, access: BoardAccess, filename: str) -> str:
    access.require_facilitator()
    assert access.user is not None, "facilitators are signed in"
    job_id = secrets.token_hex(16)
    async with db.write() as session:
        session.add(
            ImportJob(
                id=job_id,
                board_id=access.board.id,
                user_id=access.user.id,
                filename=filename[:200],
                status=JobStatus.running,
            )
        )
    _progress[job_id] = (0, 0)
    return job_id


async def run_import_job(
    db: Database,
    job_id: str,
    plan: ImportPlan,
    *,
    user_id: int,
    into_board_id: int | None,
    timezone: str,
) -> None:
    """Import `plan` for the person who uploaded it, then record how it went on the job."""

    def progress(done: int, total: int) -> None:
        _progress[job_id] = (done, total)

    status, result_board_id, report, error = JobStatus.failed, None, [], None
    try:
        async with db.write() as session:
            user = await session.get(User, user_id)
            into = await session.get(Board, into_board_id) if into_board_id else None
            outcome = await import_plan(
                session,
                plan,
                into=into,
                user=user,
                facilitator=user,
                timezone=timezone,
                progress=progress,
            )
        status, result_board_id, report = JobStatus.done, outcome.board_id, outcome.lines()
    except DomainError as failure:
        error = failure.message
    except Exception:
        # The transaction rolled back: nothing was written. The person gets a sentence, the
        # log gets the detail.
        log.exception("import job %s failed", job_id)
        error = _("The import failed and nothing was written. The server's log says why.")
    finally:
        try:
            async with db.write() as session:
                job = await session.get(ImportJob, job_id)
                if job is not None:
                    job.status = status
                    job.result_board_id = result_board_id
                    job.report = report
                    job.error = error
                    job.finished_at = utcnow()
        finally:
            _progress.pop(job_id, None)


async def job_for(session: AsyncSession, job_id: str, user: Actor | None) -> ImportJob:
    """A job, for the person who started it only."""
    if user is None:
        raise NotSignedIn(_("Sign in to do this."))
    job = await session.get(ImportJob, job_id[:32])
    if job is None or job.user_id != user.id:
        raise NotFound(_("There is nothing at this address."))
    return job
