"""The import form of the manage page, the page that follows an import, and the exports.

An upload is read and checked whole before the reply (a wrong file gets the form again with a
sentence saying what is wrong, and nothing is written); the import itself runs after the reply,
and its page shows the progress: polled with htmx, refreshed by the browser without JavaScript.
"""

from __future__ import annotations

import asyncio
import json

from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from toolbox.board.access import board_access
from toolbox.board.models import Board
from toolbox.db import utcnow
from toolbox.errors import DomainError, Invalid
from toolbox.i18n import gettext as _
from toolbox.templating import render
from toolbox.transfer import jobs
from toolbox.transfer.backup import consistent_snapshot, export_backup
from toolbox.transfer.csv_io import write_csv
from toolbox.transfer.files import MAX_FILE_BYTES, load_json, too_large
from toolbox.transfer.notes import notes_by_card
from toolbox.transfer.plan import ImportPlan
from toolbox.transfer.trello import plan_from_trello
from toolbox.transfer.trello_format import parse_trello
from toolbox.urls import url_path
from toolbox.web import current_user, database, settings


def read_trello_upload(data: bytes) -> ImportPlan:
    return plan_from_trello(parse_trello(load_json(data)))


async def upload(request: Request) -> Response:
    slug = request.path_params["slug"]
    user = current_user(request)
    async with database(request).read() as session:
        access = await board_access(session, slug, user)
        access.require_facilitator()
    target = "new"
    async with request.form(max_files=1, max_fields=10) as form:
        target = "this" if form.get("target") == "this" else "new"
        file = form.get("file")
        try:
            if not isinstance(file, UploadFile) or not file.filename:
                raise Invalid(_("Choose a Trello export (a .json file)."), field="file")
            data = await file.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise too_large()
            # Parsing megabytes of JSON takes a moment: not on the event loop.
            plan = await asyncio.to_thread(read_trello_upload, data)
        except DomainError as error:
            if error.status not in {413, 422}:
                raise
            return render(
                request,
                "transfer/import.html",
                {"board": access.board, "import_error": error, "target": target},
                status=error.status,
            )
        filename = file.filename
    db = database(request)
    job_id = await jobs.start_job(db, access, filename)
    assert user is not None
    run = BackgroundTask(
        jobs.run_import_job,
        db,
        job_id,
        plan,
        user_id=user.id,
        into_board_id=access.board.id if target == "this" else None,
        timezone=settings(request).timezone,
    )
    return RedirectResponse(
        url_path("import_job", slug=slug, job=job_id), status_code=303, background=run
    )


async def job_page(request: Request) -> Response:
    async with database(request).read() as session:
        job = await jobs.job_for(session, request.path_params["job"], current_user(request))
        board = await session.get(Board, job.board_id)
        result = await session.get(Board, job.result_board_id) if job.result_board_id else None
    context = {"board": board, "job": job, "result": result, "progress": jobs.progress_of(job)}
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render(request, "transfer/_progress.html", context)
    return render(request, "transfer/job.html", context)


async def notes_page(request: Request) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        cards = await notes_by_card(session, access)
        context = {"access": access, "board": access.board, "cards": cards}
        return render(request, "transfer/notes.html", context)


async def export_csv(request: Request) -> Response:
    slug = request.path_params["slug"]
    async with database(request).read() as session:
        access = await board_access(session, slug, current_user(request))
        text = await write_csv(session, access.board)
    # The byte-order mark makes spreadsheets read the file as UTF-8 (accents intact).
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}.csv"'},
    )


async def export_json(request: Request) -> Response:
    slug = request.path_params["slug"]
    async with database(request).read() as session:
        await consistent_snapshot(session)
        access = await board_access(session, slug, current_user(request))
        access.require_facilitator()
        document = await export_backup(session, access.board)
    name = f"{slug}-{utcnow():%Y%m%d-%H%M}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
