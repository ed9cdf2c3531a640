"""Signing in and out, sessions, tokens, invitations and roles."""

from __future__ import annotations

import httpx

from tests.factories import PASSWORD, bearer, make_board, make_member, make_user, origin, signed_in
from toolbox.board.models import Role
from toolbox.db import Database


async def test_login_wrong_password_is_422_and_right_one_signs_in(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db)
    wrong = await client.post(
        "/login", data={"email": user.email, "password": "nope"}, headers=origin(client)
    )
    assert wrong.status_code == 422
    assert "toolbox_session" not in wrong.cookies
    right = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "/me"},
        headers=origin(client),
    )
    assert right.status_code == 303 and right.headers["location"] == "/me"
    assert user.email in (await client.get("/me")).text


async def test_logout_revokes_the_server_side_session(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db)
    await signed_in(client, user)
    cookie = client.cookies["toolbox_session"]
    assert (await client.post("/logout", headers=origin(client))).status_code == 303
    # The old cookie, replayed, no longer works: the session was revoked, not just forgotten.
    async with httpx.AsyncClient(
        base_url=client.base_url, cookies={"toolbox_session": cookie}
    ) as replay:
        assert (await replay.get("/me")).status_code == 303


async def test_a_tampered_session_cookie_is_refused(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db)
    await signed_in(client, user)
    token, _dot, signature = client.cookies["toolbox_session"].rpartition(".")
    assert (await client.get("/me")).status_code == 200
    forged = f"{token}.{signature[:-4]}0000"
    async with httpx.AsyncClient(
        base_url=client.base_url, cookies={"toolbox_session": forged}
    ) as other:
        assert (await other.get("/me")).status_code == 303
    async with httpx.AsyncClient(
        base_url=client.base_url, cookies={"toolbox_session": token}
    ) as bare:
        assert (await bare.get("/me")).status_code == 303


async def test_next_parameter_never_leaves_the_site(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db)
    response = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "//evil.example/x"},
        headers=origin(client),
    )
    assert response.headers["location"] == "/"


async def test_cross_origin_form_post_is_refused(db: Database, client: httpx.AsyncClient) -> None:
    user = await make_user(db)
    await signed_in(client, user)
    response = await client.post("/logout", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert (await client.get("/me")).status_code == 200  # still signed in


async def test_bearer_token_works_on_pages_and_a_bad_one_is_401(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db)
    page = await client.get("/me", headers=await bearer(db, user))
    assert page.status_code == 200 and user.email in page.text
    bad = await client.get("/api/v1/boards", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"


async def test_invitation_link_makes_a_member_once(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, public=False, facilitator=facilitator)
    await signed_in(client, facilitator)
    manage = await client.post(
        f"/b/{board.slug}/invitations", data={"role": "expert"}, headers=origin(client)
    )
    assert manage.status_code == 200
    link = manage.text.split('class="invitation-link">', 1)[1].split("<", 1)[0]
    path = "/invite/" + link.rsplit("/invite/", 1)[1]
    async with httpx.AsyncClient(base_url=client.base_url) as newcomer:
        form = await newcomer.get(path)
        assert (
            form.status_code == 200 and board.title.replace("’", "&#39;") in form.text
        ) or board.title in form.text
        joined = await newcomer.post(
            path,
            data={
                "name": "Nouvelle experte",
                "email": "nouvelle.experte@example.org",
                "password": "un mot de passe",
            },
            headers={"Origin": str(client.base_url).rstrip("/")},
        )
        assert joined.status_code == 303 and joined.headers["location"] == f"/b/{board.slug}"
        assert (await newcomer.get(f"/b/{board.slug}")).status_code == 200
    async with httpx.AsyncClient(base_url=client.base_url) as second:
        assert (await second.get(path)).status_code == 404  # single use


async def test_facilitator_changes_a_role(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    participant = await make_member(db, board, Role.participant)
    await signed_in(client, facilitator)
    response = await client.post(
        f"/b/{board.slug}/members/{participant.id}/role",
        data={"role": "facilitator"},
        headers=origin(client),
    )
    assert response.status_code == 303
    promoted = await client.get(f"/b/{board.slug}/manage", headers=await bearer(db, participant))
    assert promoted.status_code == 200


async def test_language_follows_user_choice_then_accept_language(
    db: Database, client: httpx.AsyncClient
) -> None:
    english = await client.get("/login", headers={"Accept-Language": "en"})
    assert "Password" in english.text and '<html lang="en">' in english.text
    french = await client.get("/login")
    assert "Mot de passe" in french.text and '<html lang="fr-CA">' in french.text
    user = await make_user(db, locale="en")
    page = await client.get("/me", headers={**await bearer(db, user), "Accept-Language": "fr"})
    assert "API token" in page.text
