"""The dashboard in process: sign-in, sessions, CSRF, every page and API route,
refusals without auth, caching per store version, and no traces to clients."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import churnlens
from churnlens.web import create_app
from churnlens.web.security import COOKIE
from web._web import PASSWORD, USER, csrf_of, sign_in, test_client

PAGES = [
    "/",
    "/churn",
    "/survival",
    "/reasons",
    "/upload",
    "/contacts",
    "/revenue",
    "/cohorts",
]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _schema(client: Any, token: str) -> dict[str, Any]:
    response = client.get("/api/openapi.json", headers=_bearer(token))
    assert response.status_code == 200
    return dict(response.json())


def _operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _concrete(path: str) -> str:
    return path.replace("{customer_id}", "C00001")


# -- access --------------------------------------------------------------------------


def test_openapi_covers_the_views_and_the_outreach_log(client: Any, token: str) -> None:
    paths = set(_schema(client, token)["paths"])
    expected = {
        "/api/overview",
        "/api/churn",
        "/api/survival",
        "/api/reasons",
        "/api/support",
        "/api/contacts",
        "/api/customers/{customer_id}",
        "/api/outreach",
        "/api/ingest",
    }
    if hasattr(churnlens, "cohort_table"):
        expected.add("/api/cohorts")
    if hasattr(churnlens, "mrr_movements"):
        expected.add("/api/revenue")
    assert expected <= paths
    schemes = _schema(client, token)["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_every_api_route_refuses_anonymous_and_bad_tokens(
    client: Any, token: str
) -> None:
    operations = _operations(_schema(client, token))
    assert len(operations) >= 10
    for method, path in operations:
        for headers in (
            {},
            _bearer("cl_not-a-token"),
            {"Authorization": "Basic YW5uOng="},
        ):
            response = client.request(method, _concrete(path), headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/openapi.json").status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        *PAGES,
        "/customers/C00001",
        "/static/plotly.js",
        "/static/dashboard.css",
        "/nope",
    ],
)
def test_pages_send_anonymous_visitors_to_sign_in(client: Any, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    if path == "/nope":
        assert response.status_code == 404
        return
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert "churn" not in response.text.lower()


@pytest.mark.parametrize(
    "path", ["/language", "/logout", "/upload", "/customers/C00001/outreach"]
)
def test_anonymous_posts_are_refused(client: Any, path: str) -> None:
    response = client.post(path, data={"lang": "pl"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_sign_in_sets_a_safe_session_cookie(client: Any) -> None:
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would be dropped
    assert client.get("/").status_code == 200


def test_cookie_is_secure_over_https(app: Any) -> None:
    client = test_client(app, base_url="https://testserver")
    response = sign_in(client)
    assert "; Secure" in response.headers["set-cookie"]


def test_wrong_password_and_forged_cookie(client: Any) -> None:
    assert sign_in(client, password="wrong password").status_code == 401
    assert sign_in(client, user="nobody").status_code == 401
    client.cookies.set(COOKIE, "eyJ1c2VyIjoiYW5uIn0.forged.signature")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_is_rate_limited(store: Path) -> None:
    # An app of its own: its limiter then blocks no other test.
    app = create_app(store)
    client = test_client(app)
    codes = [sign_in(client, password=f"guess {i}").status_code for i in range(5)]
    assert codes == [401] * 5
    blocked = sign_in(client)  # even the right password, for a while
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text


def test_sign_in_needs_its_csrf_token(client: Any) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": USER, "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_sign_in_does_not_redirect_off_site(client: Any) -> None:
    token = csrf_of(client.get("/login").text)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil"):
        response = client.post(
            "/login",
            data={
                "username": USER,
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"
        token = csrf_of(client.get("/login").text)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/language", {"lang": "pl", "next": "/"}),
        ("/logout", {}),
        ("/customers/C00001/outreach", {"outcome": "saved"}),
    ],
)
def test_forms_without_csrf_token_are_rejected(
    signed_in: Any, path: str, data: dict[str, str]
) -> None:
    for token in (None, "forged"):
        body = dict(data) if token is None else {**data, "csrf_token": token}
        response = signed_in.post(path, data=body, follow_redirects=False)
        assert response.status_code == 403, (path, token)
    assert signed_in.get("/").status_code == 200  # still signed in, nothing changed


def test_upload_without_csrf_token_is_rejected(signed_in: Any) -> None:
    response = signed_in.post(
        "/upload", files={"files": ("subscriptions.csv", b"subscription_id\n")}
    )
    assert response.status_code == 403


def test_session_api_writes_need_the_csrf_header(signed_in: Any) -> None:
    body = {"customer_id": "C00001", "outcome": "callback"}
    assert signed_in.post("/api/outreach", json=body).status_code == 403
    assert (
        signed_in.post(
            "/api/outreach", json=body, headers={"X-CSRF-Token": "x"}
        ).status_code
        == 403
    )
    token = csrf_of(signed_in.get("/upload").text)
    response = signed_in.post(
        "/api/outreach", json=body, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 201
    assert response.json()["contacted_by"] == USER
    # Reading with the session needs no header.
    assert signed_in.get("/api/outreach").status_code == 200


def test_sign_out_ends_the_session(signed_in: Any) -> None:
    token = csrf_of(signed_in.get("/").text)
    response = signed_in.post(
        "/logout", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert signed_in.get("/", follow_redirects=False).status_code == 303


# -- pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_render(signed_in: Any, path: str) -> None:
    response = signed_in.get(path)
    assert response.status_code == 200, response.text[:500]
    assert 'name="csrf_token"' in response.text
    assert "Traceback" not in response.text


def test_overview_shows_headline_and_trend_chart(signed_in: Any) -> None:
    html = signed_in.get("/").text
    assert 'id="block-headline"' in html and 'class="card-value"' in html
    assert 'id="chart-churn_trend"' in html and "data-figure=" in html
    assert '<script src="/static/plotly.js">' in html  # served here, no CDN
    assert "cdn" not in html.lower()


def test_churn_filters(signed_in: Any, store: Path) -> None:
    html = signed_in.get("/churn?period=quarter&by=segment&start=2025-01-01").text
    assert '<option value="quarter" selected>' in html
    assert '<option value="segment" selected>' in html
    assert "enterprise" in html and "smb" in html
    assert "Q1 2025" in html
    assert signed_in.get("/churn?period=fortnight").status_code == 400
    assert signed_in.get("/churn?by=nope").status_code == 400
    bad = signed_in.get("/churn?start=yesterday")
    assert bad.status_code == 400 and "is not a date" in bad.text


def test_language_switch_is_kept_in_the_session(signed_in: Any) -> None:
    token = csrf_of(signed_in.get("/").text)
    for lang, word in [
        ("pl", "Przegląd"),
        ("lt", "Apžvalga"),
        ("da", "Overblik"),
        ("vi", "Tổng quan"),
        ("sl", "Pregled"),
        ("en", "Overview"),
    ]:
        response = signed_in.post(
            "/language",
            data={"lang": lang, "next": "/churn", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"] == "/churn"
        html = signed_in.get("/").text
        assert f'<html lang="{lang}">' in html and word in html
    signed_in.post("/language", data={"lang": "pl", "csrf_token": token})
    html = signed_in.get("/churn").text
    assert "Wskaźnik rezygnacji" in html  # the report's catalogue, reused
    signed_in.post("/language", data={"lang": "en", "csrf_token": token})


def test_customer_page_and_recording_an_outcome(signed_in: Any) -> None:
    html = signed_in.get("/customers/C00002").text
    assert "Timeline" in html and "Subscriptions" in html and "Outreach history" in html
    token = csrf_of(html)
    response = signed_in.post(
        "/customers/C00002/outreach",
        data={
            "csrf_token": token,
            "outcome": "saved",
            "reason": "too expensive",
            "offer": "20% off",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = signed_in.get(response.headers["location"]).text
    assert "The outcome was recorded." in page
    assert "20% off" in page and "too expensive" in page
    bad = signed_in.post(
        "/customers/C00002/outreach", data={"csrf_token": token, "outcome": "maybe"}
    )
    assert bad.status_code == 400
    assert signed_in.get("/customers/NOBODY").status_code == 404


def test_contact_list_links_to_customers(signed_in: Any) -> None:
    html = signed_in.get("/contacts").text
    assert 'class="customer-link" href="/customers/C' in html


def test_upload_shows_summary_and_rejected_rows(tmp_path: Path, demo_dir: Path) -> None:
    from churnlens.web.users import UserFile, users_path

    db = tmp_path / "new.duckdb"
    UserFile(users_path(db)).add(USER, PASSWORD)
    app = create_app(db)  # a new, empty store
    with test_client(app) as client:
        sign_in(client)
        assert "no subscriptions yet" in client.get("/").text
        subs = (demo_dir / "subscriptions.csv").read_text().splitlines()
        broken = (
            subs[0]
            + "\n"
            + "\n".join(subs[1:50])
            + "\nS_BAD,C00001,not a date,,,,,,,,,\n"
        )
        token = csrf_of(client.get("/upload").text)
        response = client.post(
            "/upload",
            data={"csrf_token": token, "table": ""},
            files=[
                ("files", ("customers.csv", (demo_dir / "customers.csv").read_bytes())),
                ("files", ("../../subscriptions.csv", broken.encode())),
            ],
        )
        assert response.status_code == 200, response.text[:800]
        html = response.text
        assert 'id="ingest-summary"' in html
        assert "Rejected rows" in html and "started_at" in html
        assert "../" not in html
        assert client.get("/").status_code == 200
        assert 'id="chart-churn_trend"' in client.get("/").text
        again = client.post(
            "/upload",
            data={"csrf_token": token},
            files=[
                ("files", ("customers.csv", (demo_dir / "customers.csv").read_bytes()))
            ],
        )
        assert "Already ingested" in again.text


# -- the API -------------------------------------------------------------------------


def test_api_views_match_the_public_functions(
    client: Any, token: str, store: Path
) -> None:
    auth = _bearer(token)
    churn = client.get("/api/churn?period=quarter", headers=auth).json()["rows"]
    with churnlens.Store.open(store) as st:  # the app's own connection is shared
        expected = churnlens.churn_rate(st, period="quarter")
    assert len(churn) == len(expected)
    assert [r["churned"] for r in churn] == expected["churned"].tolist()
    overview = client.get("/api/overview", headers=auth).json()
    assert overview["latest"]["churn_rate"] == pytest.approx(
        overview["churn"][-1]["churn_rate"]
    )
    survival = client.get("/api/survival?by=plan", headers=auth).json()
    assert survival["logrank_p_value"] is not None and len(survival["summary"]) >= 2
    reasons = client.get("/api/reasons", headers=auth).json()["rows"]
    assert sum(r["customers"] for r in reasons) > 0
    support = client.get("/api/support", headers=auth).json()["rows"]
    assert len(support) > 0
    contacts = client.get("/api/contacts?top=5", headers=auth).json()["rows"]
    assert [r["rank"] for r in contacts] == [1, 2, 3, 4, 5]
    customer = client.get(
        f"/api/customers/{contacts[0]['customer_id']}", headers=auth
    ).json()
    assert customer["subscriptions"] and customer["risk"]["rank"] == 1
    assert client.get("/api/customers/NOBODY", headers=auth).status_code == 404
    assert client.get("/api/churn?by=nope", headers=auth).status_code == 422
    assert client.get("/api/churn?period=decade", headers=auth).status_code == 422


@pytest.mark.skipif(
    not hasattr(churnlens, "mrr_movements"), reason="no mrr_movements yet"
)
def test_revenue_needs_fx_for_several_currencies(
    client: Any, token: str, store: Path, demo_dir: Path
) -> None:
    # The demo bills in five currencies; this app was started without --fx.
    response = client.get("/api/revenue", headers=_bearer(token))
    assert response.status_code == 409
    assert "--fx" in response.json()["hint"]
    with_fx = create_app(store, fx=demo_dir / "fx_rates.csv", currency="EUR")
    rows = (
        test_client(with_fx).get("/api/revenue", headers=_bearer(token)).json()["rows"]
    )
    with churnlens.Store.open(store) as st:
        expected = churnlens.mrr_movements(
            st, fx=demo_dir / "fx_rates.csv", currency="EUR"
        )
    assert [r["churn"] for r in rows] == pytest.approx(expected["churn"].tolist())


def test_api_outreach_round_trip(client: Any, token: str) -> None:
    auth = _bearer(token)
    body = {
        "customer_id": "C00005",
        "outcome": "lost",
        "reason": "switched to a competitor",
    }
    created = client.post("/api/outreach", json=body, headers=auth)
    assert created.status_code == 201
    row = created.json()
    assert row["outcome"] == "lost" and row["contacted_by"] == USER
    log = client.get("/api/outreach?customer_id=C00005", headers=auth).json()["rows"]
    assert row["outreach_id"] in [r["outreach_id"] for r in log]
    detail = client.get("/api/customers/C00005", headers=auth).json()
    assert any(o["outreach_id"] == row["outreach_id"] for o in detail["outreach"])
    unknown = client.post(
        "/api/outreach", json={**body, "customer_id": "NOBODY"}, headers=auth
    )
    assert unknown.status_code == 404


def test_api_ingest(client: Any, token: str, demo_dir: Path) -> None:
    content = (demo_dir / "customers.csv").read_bytes()
    response = client.post(
        "/api/ingest",
        headers=_bearer(token),
        files=[("files", ("customers.csv", content))],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["sources"][0]["table"] == "customers"
    # The same file again: every key already stored is rejected, or it is skipped.
    assert body["sources"][0]["skipped"] or body["n_rejected"] == body["n_read"]


# -- caching and errors ----------------------------------------------------------------


def test_results_are_cached_per_store_version(
    app: Any, client: Any, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = churnlens.churn_rate

    def counting(*args: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(churnlens, "churn_rate", counting)
    auth = _bearer(token)
    for _ in range(3):
        assert client.get("/api/churn?period=year", headers=auth).status_code == 200
    assert len(calls) == 1
    version = app.state.dashboard.results.version
    client.post(
        "/api/outreach",
        json={"customer_id": "C00001", "outcome": "no_answer"},
        headers=auth,
    )
    assert app.state.dashboard.results.version == version + 1
    client.get("/api/churn?period=year", headers=auth)
    assert len(calls) == 2


def test_no_stack_traces_reach_the_client(
    app: Any, client: Any, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals at /srv/private")

    # Arguments no other test asks for: nothing cached answers instead.
    monkeypatch.setattr(app.state.dashboard.results, "survival", broken)
    response = client.get("/api/survival?by=country", headers=_bearer(token))
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    sign_in(client)
    monkeypatch.setattr(app.state.dashboard.results, "churn", broken)
    page = client.get("/churn?period=week&by=language")
    assert page.status_code == 500
    assert "secret" not in page.text and "Traceback" not in page.text


def test_pages_are_cached_but_personal(app: Any, store: Path) -> None:
    from churnlens.web.users import UserFile, users_path

    UserFile(users_path(store)).add("bo", "another password")
    ann, bo = test_client(app), test_client(app)
    sign_in(ann)
    sign_in(bo, user="bo", password="another password")
    first, second = ann.get("/reasons").text, bo.get("/reasons").text
    assert csrf_of(first) != csrf_of(second)
    assert (
        '<span class="who">ann</span>' in first
        and '<span class="who">bo</span>' in second
    )
    assert "MARK" not in first and "MARK" not in second

    def common(html: str, name: str) -> str:
        return html.replace(csrf_of(html), "").replace(
            f'<span class="who">{name}</span>', ""
        )

    assert common(first, "ann") == common(second, "bo")


def test_security_headers(signed_in: Any) -> None:
    response = signed_in.get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
