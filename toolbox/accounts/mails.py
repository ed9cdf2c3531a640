"""The accounts' mails: the link confirming an address, the one resetting a password, and the
word to someone who registers again with an address that already has an account.

Each goes through the outbox, in the transaction of what it tells of (`toolbox.mail.outbox`),
in the recipient's language. A link is the whole of the secret: the mail says nothing else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox import i18n
from toolbox.accounts.models import User
from toolbox.i18n import gettext as _
from toolbox.mail.outbox import enqueue
from toolbox.mail.text import environment
from toolbox.urls import absolute_url


async def _queue(
    session: AsyncSession,
    person: User,
    template: str,
    subject: Callable[[], str],
    default_locale: str,
    **values: str,
) -> None:
    with i18n.use_locale(person.locale or default_locale):
        body = environment.get_template(f"mail/{template}.txt").render(
            recipient_name=person.display_name, **values
        )
        title = subject()  # in the recipient's language, as the body
    await enqueue(session, to=person.email, subject=title, body=body)


async def queue_confirmation(
    session: AsyncSession,
    person: User,
    *,
    token: str,
    base_url: str,
    default_locale: str,
    next_path: str,
) -> None:
    link = absolute_url(base_url, "confirm", token=token) + f"?next={quote(next_path)}"
    await _queue(
        session,
        person,
        "account_confirm",
        lambda: _("Confirm your e-mail address"),
        default_locale,
        link=link,
    )


async def queue_already_registered(
    session: AsyncSession,
    person: User,
    *,
    base_url: str,
    default_locale: str,
    board_title: str,
) -> None:
    await _queue(
        session,
        person,
        "account_exists",
        lambda: _("You already have an account"),
        default_locale,
        board_title=board_title,
        login_url=absolute_url(base_url, "login"),
        reset_url=absolute_url(base_url, "reset"),
    )


async def queue_reset(
    session: AsyncSession, person: User, *, token: str, base_url: str, default_locale: str
) -> None:
    await _queue(
        session,
        person,
        "account_reset",
        lambda: _("Reset your password"),
        default_locale,
        link=absolute_url(base_url, "reset_password", token=token),
    )
