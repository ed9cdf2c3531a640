"""Registering on a board that takes registrations (`/register/{slug}`): a participant whose
address is confirmed by a mailed link before they may book or suggest; nothing in the answers
tells whether an address already had an account."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from tests.factories import PASSWORD, make_board, make_member, make_slot, make_user, origin
from tests.mailing import MailingServer, link_in
from tests.names import unique
from toolbox.accounts.models import OneTimeToken, User
from toolbox.board.models import Membership, Registration, Role
from toolbox.db import utcnow

NEW_PASSWORD = "une phrase de passe"


async def _open_board_with_a_slot(mailing: MailingServer):  # type: ignore[no-untyped-def]
    facilitator = await make_user(mailing.db)
    board = await make_board(mailing.db, facilitator=facilitator, registration=Registration.open)
    expert = await make_member(mailing.db, board, Role.expert)
    slot = await make_slot(mailing.db, board, facilitator, expert=expert, capacity=3)
    return board, slot


async def _register(client: httpx.AsyncClient, slug: str, email: str, **headers: str):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/register/{slug}",
        data={"email": email, "name": "Alex Inscrit", "password": NEW_PASSWORD},
        headers={**origin(client), **headers},
    )


async def _sign_in(client: httpx.AsyncClient, email: str, password: str = NEW_PASSWORD) -> None:
    response = await client.post(
        "/login", data={"email": email, "password": password}, headers=origin(client)
    )
    assert response.status_code == 303, response.text


async def test_registering_confirming_then_booking(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board, slot = await _open_board_with_a_slot(mailing)
    page = await visitor.get(f"/register/{board.slug}")
    assert page.status_code == 200 and 'name="password"' in page.text
    email = f"{unique('inscrit')}@example.org"

    registered = await _register(visitor, board.slug, email)
    assert registered.status_code == 200
    assert "toolbox_session" not in registered.cookies  # signed in by nobody but themself
    assert email in registered.text

    mail = await mailing.mail_to(email)
    link = link_in(mail, mailing.url)
    assert link.startswith("/confirm/") and f"next=/b/{board.slug}" in link
    async with mailing.db.read() as session:
        person = await session.scalar(select(User).where(User.email == email))
        assert person is not None and person.email_confirmed_at is None
        role = await session.scalar(
            select(Membership.role).where(
                Membership.board_id == board.id, Membership.user_id == person.id
            )
        )
        assert role == Role.participant
        stored = await session.scalar(
            select(OneTimeToken.token_hash).where(OneTimeToken.user_id == person.id)
        )
        token = link.split("/confirm/", 1)[1].split("?", 1)[0]
        assert stored is not None and token not in stored  # only its hash is kept

    await _sign_in(visitor, email)
    booking = {"need": "Un site plus accessible", "organisation": unique("Théâtre")}
    # Not yet: the same sentence on the page and in the API, in their language (French here,
    # as they registered; English below).
    refused = await visitor.post(
        f"/api/v1/slots/{slot.id}/bookings", json=booking, headers=origin(visitor)
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "email_unconfirmed"
    assert "Confirmez votre adresse courriel" in refused.json()["error"]["message"]
    # The session's page says so instead of offering a form that would be refused.
    slot_page = (await visitor.get(f"/b/{board.slug}/brigade/slots/{slot.id}")).text
    assert 'id="confirm-to-book"' in slot_page and 'name="need"' not in slot_page
    form = await visitor.post(
        f"/b/{board.slug}/brigade/slots/{slot.id}/book", data=booking, headers=origin(visitor)
    )
    assert form.status_code == 403
    assert "Confirmez votre adresse courriel" in form.text
    assert 'action="/confirm"' in form.text  # the way to have the link sent again
    suggestion = await visitor.post(
        f"/api/v1/boards/{board.slug}/suggestions",
        json={"title": "Un guide"},
        headers=origin(visitor),
    )
    assert suggestion.status_code == 403
    assert suggestion.json()["error"]["code"] == "email_unconfirmed"

    # The link: a GET changes nothing (mail scanners open links), the button confirms.
    assert (await visitor.get(link)).status_code == 200
    async with mailing.db.read() as session:
        assert (await session.get(User, person.id)).email_confirmed_at is None  # type: ignore[union-attr]
    path = link.split("?", 1)[0]
    confirmed = await visitor.post(path, data={"next": f"/b/{board.slug}"}, headers=origin(visitor))
    assert confirmed.status_code == 303 and confirmed.headers["location"] == f"/b/{board.slug}"

    slot_page = (await visitor.get(f"/b/{board.slug}/brigade/slots/{slot.id}")).text
    assert 'id="confirm-to-book"' not in slot_page and 'name="need"' in slot_page
    booked = await visitor.post(
        f"/api/v1/slots/{slot.id}/bookings", json=booking, headers=origin(visitor)
    )
    assert booked.status_code == 201, booked.text
    suggested = await visitor.post(
        f"/api/v1/boards/{board.slug}/suggestions",
        json={"title": "Un guide"},
        headers=origin(visitor),
    )
    assert suggested.status_code == 201

    # Single use: the same link again is refused with a sentence, and changes nothing.
    again = await visitor.post(path, data={"next": "/"}, headers=origin(visitor))
    assert again.status_code == 410
    assert "Ce lien a expiré ou a déjà servi" in again.text
    assert (await visitor.get(path)).status_code == 410


async def test_the_refusal_speaks_english_to_someone_who_registered_in_english(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board, slot = await _open_board_with_a_slot(mailing)
    email = f"{unique('english')}@example.org"
    english = {"Accept-Language": "en"}
    assert (await _register(visitor, board.slug, email, **english)).status_code == 200
    assert "Confirm your e-mail address" in (await mailing.mail_to(email))["Subject"]
    await _sign_in(visitor, email)
    booking = {"need": "An accessible website", "organisation": unique("Theatre")}
    refused = await visitor.post(
        f"/api/v1/slots/{slot.id}/bookings", json=booking, headers=origin(visitor)
    )
    assert refused.status_code == 403
    assert "Confirm your e-mail address first" in refused.json()["error"]["message"]
    page = await visitor.post(
        f"/b/{board.slug}/suggestions", data={"title": "A guide"}, headers=origin(visitor)
    )
    assert page.status_code == 403
    assert "Confirm your e-mail address first" in page.text
    assert "Send the link again" in page.text


async def test_an_expired_confirmation_link_is_refused_and_changes_nothing(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board, _slot = await _open_board_with_a_slot(mailing)
    email = f"{unique('tardif')}@example.org"
    assert (await _register(visitor, board.slug, email)).status_code == 200
    path = link_in(await mailing.mail_to(email), mailing.url).split("?", 1)[0]
    async with mailing.db.write() as session:
        person = await session.scalar(select(User).where(User.email == email))
        assert person is not None
        created = await session.scalar(
            select(OneTimeToken.created_at).where(OneTimeToken.user_id == person.id)
        )
        expires = await session.scalar(
            select(OneTimeToken.expires_at).where(OneTimeToken.user_id == person.id)
        )
        assert created is not None and expires is not None
        assert abs(expires - created - timedelta(hours=48)) < timedelta(seconds=1)
        # Two days later, as far as the link knows.
        await session.execute(
            update(OneTimeToken)
            .where(OneTimeToken.user_id == person.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    refused = await visitor.post(
        path, data={"next": "/"}, headers={**origin(visitor), "Accept-Language": "en"}
    )
    assert refused.status_code == 410
    assert "This link has expired or was already used" in refused.text
    async with mailing.db.read() as session:
        again = await session.get(User, person.id)
        assert again is not None and again.email_confirmed_at is None
        used = await session.scalar(
            select(OneTimeToken.used_at).where(OneTimeToken.user_id == person.id)
        )
        assert used is None


async def test_resending_the_link_from_the_refusal(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board, _slot = await _open_board_with_a_slot(mailing)
    email = f"{unique('renvoi')}@example.org"
    assert (await _register(visitor, board.slug, email)).status_code == 200
    await mailing.mail_to(email)
    await _sign_in(visitor, email)
    resent = await visitor.post("/confirm", headers=origin(visitor))
    assert resent.status_code == 303 and resent.headers["location"] == "/me?resent=1"
    second = await mailing.mail_to(email, count=2)
    path = link_in(second, mailing.url).split("?", 1)[0]
    assert (await visitor.post(path, data={}, headers=origin(visitor))).status_code == 303
    me = await visitor.get("/me")
    assert 'action="/confirm"' not in me.text  # nothing left to confirm


async def test_a_board_without_registration_says_so(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    facilitator = await make_user(mailing.db)
    public = await make_board(mailing.db, facilitator=facilitator)
    members_only = await make_board(mailing.db, public=False, facilitator=facilitator)
    email = f"{unique('refus')}@example.org"
    page = await visitor.get(f"/register/{public.slug}", headers={"Accept-Language": "en"})
    assert page.status_code == 403
    assert "This board does not take registrations" in page.text
    posted = await _register(visitor, public.slug, email)
    assert posted.status_code == 403
    assert "Ce tableau n’accepte pas d’inscriptions" in posted.text
    # A members-only board that takes none answers as its other pages do: sign in first.
    for answer in (
        await visitor.get(f"/register/{members_only.slug}"),
        await _register(visitor, members_only.slug, email),
    ):
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert (await visitor.get("/register/no-such-board")).status_code == 404
    async with mailing.db.read() as session:
        assert await session.scalar(select(User).where(User.email == email)) is None
    assert mailing.mails_to(email) == []


async def test_registering_with_an_address_that_has_an_account_looks_the_same(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board, _slot = await _open_board_with_a_slot(mailing)
    existing = await make_user(mailing.db)
    fresh = f"{unique('nouveau')}@example.org"
    first = await _register(visitor, board.slug, fresh)
    second = await _register(visitor, board.slug, existing.email)
    assert first.status_code == second.status_code == 200
    assert first.text.replace(fresh, "ADDRESS") == second.text.replace(existing.email, "ADDRESS")
    assert first.headers.keys() == second.headers.keys()
    assert "set-cookie" not in first.headers and "set-cookie" not in second.headers
    # Each address gets a mail: the link to confirm, or a word to sign in or reset.
    told = await mailing.mail_to(existing.email)
    assert "/login" in told.get_content() and "/reset" in told.get_content()
    assert "/confirm/" not in told.get_content()
    assert "/confirm/" in (await mailing.mail_to(fresh)).get_content()
    # The account is left as it was: same password, no new membership.
    await _sign_in(visitor, existing.email, PASSWORD)
    async with mailing.db.read() as session:
        member = await session.scalar(
            select(Membership).where(
                Membership.board_id == board.id, Membership.user_id == existing.id
            )
        )
        assert member is None


async def test_bad_registration_input_is_a_sentence(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board, _slot = await _open_board_with_a_slot(mailing)
    short = await visitor.post(
        f"/register/{board.slug}",
        data={"email": f"{unique('court')}@example.org", "password": "court"},
        headers={**origin(visitor), "Accept-Language": "en"},
    )
    assert short.status_code == 422
    assert "at least 8 characters" in short.text
    malformed = await visitor.post(
        f"/register/{board.slug}",
        data={"email": "pas une adresse", "password": NEW_PASSWORD},
        headers=origin(visitor),
    )
    assert malformed.status_code == 422


async def test_a_facilitator_opens_registration_and_the_brigade_offers_it(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    facilitator = await make_user(mailing.db)
    board = await make_board(mailing.db, facilitator=facilitator)
    participant = await make_member(mailing.db, board, Role.participant)
    brigade = f"/b/{board.slug}/brigade"
    closed = await visitor.get(brigade)
    assert "Connectez-vous pour réserver" in closed.text
    assert f"/register/{board.slug}" not in closed.text
    async with httpx.AsyncClient(base_url=mailing.url) as theirs:
        await _sign_in(theirs, participant.email, PASSWORD)
        refused = await theirs.post(
            f"/b/{board.slug}/registration", data={"open": "1"}, headers=origin(theirs)
        )
        assert refused.status_code == 403
        await _sign_in(theirs, facilitator.email, PASSWORD)
        manage = await theirs.get(f"/b/{board.slug}/manage")
        assert 'name="open" value="1"' in manage.text
        opened = await theirs.post(
            f"/b/{board.slug}/registration", data={"open": "1"}, headers=origin(theirs)
        )
        assert opened.status_code == 303
        manage = await theirs.get(f"/b/{board.slug}/manage")
        assert f"<code>{mailing.url}/register/{board.slug}</code>" in manage.text
    # The page kept for visitors is made again: it now offers to register.
    offered = await visitor.get(brigade)
    assert "inscrivez-vous</a> pour réserver" in offered.text
    assert f'href="/register/{board.slug}"' in offered.text
    assert (await visitor.get(f"/register/{board.slug}")).status_code == 200


async def test_an_unconfirmed_suggestion_from_the_board_page_leads_to_the_resend_button(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board, _slot = await _open_board_with_a_slot(mailing)
    email = f"{unique('htmx')}@example.org"
    assert (await _register(visitor, board.slug, email)).status_code == 200
    await mailing.mail_to(email)
    await _sign_in(visitor, email)
    answer = await visitor.post(
        f"/b/{board.slug}/suggestions",
        data={"title": "Un guide"},
        headers={**origin(visitor), "HX-Request": "true"},
    )
    assert answer.status_code == 403 and answer.headers["HX-Redirect"] == "/me#confirm"
    me = await visitor.get("/me")
    assert 'id="confirm"' in me.text and 'action="/confirm"' in me.text
