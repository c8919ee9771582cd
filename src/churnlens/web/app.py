"""``create_app``: the dashboard as a FastAPI application.

Every route needs a signed-in user: a session cookie from the sign-in page, or an
API token (``Authorization: Bearer ...``). Pages are rendered on the server; the
JSON API under ``/api`` mirrors them and is described by ``/api/openapi.json``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from markupsafe import escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders

import churnlens
from churnlens.errors import ChurnlensError
from churnlens.report.formats import LocaleFormat
from churnlens.report.i18n import LANGUAGES
from churnlens.web.i18n import N_, translations
from churnlens.web.results import Results, Unavailable
from churnlens.web.security import (
    CsrfRejected,
    LoginLimiter,
    SessionMiddleware,
    csrf_ok,
    csrf_token,
    load_secret,
)
from churnlens.web.users import UserFile, users_path

__all__ = ["Dashboard", "create_app"]

log = logging.getLogger("churnlens.web")

_HERE = Path(__file__).parent
TEMPLATES = _HERE / "templates"
STATIC = _HERE / "static"
_bearer = HTTPBearer(
    auto_error=False, description="An API token from 'churnlens user token NAME'."
)


# While a page is rendered for everyone (``Dashboard.cached_page``), the user's
# name and CSRF token are these marks, replaced per request.
_SHARED: ContextVar[bool] = ContextVar("churnlens_shared_page", default=False)
_USER_MARK, _CSRF_MARK = "CHURNLENS-USER-MARK-7f3a", "CHURNLENS-CSRF-MARK-7f3a"


class SignInNeeded(Exception):
    """A page was asked for without a session: go to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class Dashboard:
    """What the routes share: the store's results, users, limits, templates."""

    def __init__(self, results: Results, users: UserFile) -> None:
        self.results = results
        self.users = users
        self.limiter = LoginLimiter()

    # -- who is asking ---------------------------------------------------------------

    def user_of(
        self, request: Request, credentials: HTTPAuthorizationCredentials | None
    ) -> str | None:
        if credentials is not None and credentials.scheme.lower() == "bearer":
            return self.users.token_user(credentials.credentials)
        user = request.session.get("user")
        return str(user) if user else None

    # -- language and pages ---------------------------------------------------

    @staticmethod
    def lang(request: Request) -> str:
        chosen = request.session.get("lang")
        if chosen in LANGUAGES:
            return str(chosen)
        header = request.headers.get("accept-language", "")
        for part in header.split(","):
            code = part.split(";")[0].strip().lower().split("-")[0]
            if code in LANGUAGES:
                return code
        return "en"

    def render(
        self, request: Request, template: str, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        lang = self.lang(request)
        t = translations(lang).gettext
        shared = _SHARED.get()
        html = (
            _environment(lang)
            .get_template(template)
            .render(
                lang=lang,
                languages=[(code, LocaleFormat(code).name) for code in LANGUAGES],
                user=_USER_MARK if shared else request.session.get("user"),
                csrf=_CSRF_MARK if shared else csrf_token(request.session),
                path=request.url.path,
                nav=self.nav(request.url.path),
                t=t,
                **values,
            )
        )
        return HTMLResponse(html, status_code=status_code)

    async def cached_page(
        self, request: Request, build: Callable[[], Response]
    ) -> Response:
        """The page ``build`` makes, rendered once per store version, language
        and URL; only the user's name and CSRF token are filled in per request."""

        def shared() -> tuple[bytes, int]:
            mark = _SHARED.set(True)
            try:
                response = build()
            finally:
                _SHARED.reset(mark)
            return bytes(response.body), response.status_code

        key = ("page", self.lang(request), request.url.path, request.url.query)
        # A hit is served on the event loop; a miss computes in a worker thread.
        found = self.results.peek(key)
        if found is None:
            found = await run_in_threadpool(self.results.cached, key, shared)
        body, status = found
        user = str(escape(request.session.get("user") or "")).encode("utf-8")
        token = csrf_token(request.session).encode("ascii")
        personal = body.replace(_USER_MARK.encode(), user).replace(
            _CSRF_MARK.encode(), token
        )
        return HTMLResponse(personal, status_code=status)

    def nav(self, current: str) -> list[tuple[str, str, bool]]:
        r = self.results
        items = [
            ("/", N_("Overview")),
            ("/churn", N_("Churn by period")),
        ]
        if r.section_available("cohorts"):
            items.append(("/cohorts", N_("Cohorts")))
        items += [("/survival", N_("Survival")), ("/reasons", N_("Reasons"))]
        if r.section_available("mrr_waterfall"):
            items.append(("/revenue", N_("Revenue")))
        if r.has_contacts():
            items.append(("/contacts", N_("Contact list")))
        items.append(("/upload", N_("Upload data")))
        return [(href, label, href == current) for href, label in items]


@lru_cache(maxsize=len(LANGUAGES))
def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=False)  # type: ignore[attr-defined]
    return env


def create_app(
    db: str | Path,
    *,
    users: str | Path | None = None,
    fx: str | Path | None = None,
    currency: str | None = None,
    warm: bool = False,
) -> FastAPI:
    """The dashboard over the store ``db`` (created empty when missing: data can
    be uploaded). ``users`` is the users file (default: next to the store).
    ``fx`` (an FX table file) and ``currency`` convert revenue in several
    currencies, as for ``mrr_movements``; without them such stores show no
    revenue figures.
    ``warm`` computes the main views and the contact list in the background at
    start, so the first visitors do not wait for them."""
    db = Path(db)
    store = churnlens.Store.open(db)
    results = Results(store, fx=fx, currency=currency)
    dash = Dashboard(results, UserFile(Path(users) if users else users_path(db)))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        with dash.results.lock:
            store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="churnlens dashboard",
        version=_version(),
        description="Customer churn, its reasons and the contact list, "
        "over one churnlens store.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.dashboard = dash
    app.add_middleware(
        SessionMiddleware, secret=load_secret(db.with_name(db.name + ".secret"))
    )

    app.add_middleware(_SecurityHeaders)
    _install_errors(app, dash)

    from churnlens.web import api, views

    app.include_router(views.router(dash))
    app.include_router(api.router(dash, app))
    if warm:
        _warm(dash)
    return app


class _SecurityHeaders:
    """Headers every answer carries (a plain ASGI middleware: cheaper than
    Starlette's ``BaseHTTPMiddleware`` on every request)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def page_user(request: Request) -> str:
    """The signed-in user of a page, or off to the sign-in page."""
    dash: Dashboard = request.app.state.dashboard
    user = dash.user_of(request, None)
    if user is None:
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise SignInNeeded(path)
    return user


async def api_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The caller of the API: a token, or a session (whose writes need the
    CSRF header: a cookie alone is sent by any site's forms too)."""
    dash: Dashboard = request.app.state.dashboard
    user = dash.user_of(request, credentials)
    if user is None:
        raise HTTPException(
            401, "sign in or send an API token", headers={"WWW-Authenticate": "Bearer"}
        )
    writes = request.method not in ("GET", "HEAD", "OPTIONS")
    given = request.headers.get("x-csrf-token")
    if credentials is None and writes and not csrf_ok(request.session, given):
        raise HTTPException(403, "missing or wrong X-CSRF-Token header")
    return user


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_errors(app: FastAPI, dash: Dashboard) -> None:
    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(
            "/login?next=" + quote(exc.next_path, safe="/"), status_code=303
        )

    @app.exception_handler(ChurnlensError)
    async def _problem(request: Request, exc: ChurnlensError) -> Response:
        # The problem and its hint only: locations may name server paths.
        status = (
            403
            if isinstance(exc, CsrfRejected)
            else 409
            if isinstance(exc, Unavailable)
            else 400
        )
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.problem, "hint": exc.hint}, status_code=status
            )
        title = translations(dash.lang(request)).gettext("Something went wrong")
        return dash.render(
            request,
            "error.html.j2",
            status,
            title=title,
            problem=exc.problem,
            hint=exc.hint,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": problems}, status_code=422)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # The trace goes to the server's log, never to the client.
        log.exception("error serving %s %s", request.method, request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return HTMLResponse(
            "<!doctype html><title>Error</title><h1>500</h1>", status_code=500
        )


def _warm(dash: Dashboard) -> None:
    import threading

    from churnlens.web.results import Filters

    def work() -> None:
        r = dash.results
        try:
            f = Filters()
            for lang in LANGUAGES:
                t = translations(lang).gettext
                for key in (
                    "headline",
                    "churn_trend",
                    "mrr_waterfall",
                    "survival",
                    "reasons",
                ):
                    r.block(key, f, lang, t)
            r.churn(f)
            r.contacts()
        except Exception:  # noqa: BLE001 - a failed warm-up only costs speed
            log.warning("warming the dashboard's caches failed", exc_info=True)

    threading.Thread(target=work, name="churnlens-warm", daemon=True).start()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("churnlens")
    except PackageNotFoundError:
        return "dev"
