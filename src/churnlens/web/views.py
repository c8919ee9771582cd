"""The pages: thin handlers that ask ``Results`` and render a template."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from plotly.offline import get_plotlyjs
from starlette.concurrency import run_in_threadpool

from churnlens.errors import ChurnlensError
from churnlens.report.formats import LocaleFormat
from churnlens.report.i18n import LANGUAGES
from churnlens.web.app import STATIC, Dashboard, page_user
from churnlens.web.i18n import N_, translations
from churnlens.web.results import PERIODS, Filters, Unavailable
from churnlens.web.security import CsrfRejected, csrf_ok, csrf_token
from churnlens.web.tables import OUTCOME_LABELS, PageTable, page_table

__all__ = ["router"]

PERIOD_LABELS = {
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
    "week": N_("Week"),
}
TABLES = ("subscriptions", "customers", "tickets", "activity")
_MAX_UPLOAD = 200 * 1024 * 1024
_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}


def router(dash: Dashboard) -> APIRouter:  # noqa: C901 - one small handler per page
    r = APIRouter(include_in_schema=False)
    results = dash.results

    def filters(request: Request) -> Filters:
        q = request.query_params
        return Filters(
            q.get("period") or "month", q.get("start"), q.get("end"), q.get("by")
        )

    def page(
        request: Request, title: str, f: Filters | None, keys: list[str], **extra: Any
    ) -> HTMLResponse:
        lang = dash.lang(request)
        t = translations(lang).gettext
        blocks, notes = [], []
        for key in keys:
            block, made = results.block(key, f or Filters(), lang, t)
            notes += [n for n in made if n not in notes]
            if block is not None:
                blocks.append(block)
        return dash.render(
            request,
            "view.html.j2",
            title=t(title),
            filters=f,
            periods=[(p, t(PERIOD_LABELS[p])) for p in PERIODS],
            segments=results.segments() if results.has("subscriptions") else [],
            blocks=blocks,
            notes=notes,
            **extra,
        )

    async def form_checked(request: Request) -> Any:
        form = await request.form()
        if not csrf_ok(request.session, str(form.get("csrf_token", ""))):
            raise CsrfRejected(
                "the form expired or did not come from this dashboard",
                hint="reload the page and send it again",
            )
        return form

    # -- signing in ----------------------------------------------------------------

    @r.get("/login")
    def login_page(request: Request) -> Response:
        return dash.render(
            request,
            "login.html.j2",
            next=_local(request.query_params.get("next")),
            css=_css(),
        )

    @r.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        name = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        next_path = _local(str(form.get("next", "")))
        client = request.client.host if request.client else "?"
        t = translations(dash.lang(request)).gettext
        if not csrf_ok(request.session, str(form.get("csrf_token", ""))):
            return dash.render(
                request,
                "login.html.j2",
                403,
                next=next_path,
                css=_css(),
                error=t("The form expired. Please sign in again."),
            )
        if dash.limiter.blocked(client, name):
            return dash.render(
                request,
                "login.html.j2",
                429,
                next=next_path,
                css=_css(),
                error=t("Too many failed attempts. Wait a few minutes and try again."),
            )
        # scrypt takes ~50 ms on purpose: not on the event loop.
        if not await run_in_threadpool(dash.users.check, name, password):
            dash.limiter.failed(client, name)
            return dash.render(
                request,
                "login.html.j2",
                401,
                next=next_path,
                css=_css(),
                error=t("Wrong user name or password."),
            )
        dash.limiter.succeeded(client, name)
        lang = request.session.get("lang")
        # A fresh session on sign-in: nothing from before carries over but the language.
        request.session.clear()
        request.session["user"] = name
        if lang:
            request.session["lang"] = lang
        csrf_token(request.session)
        return RedirectResponse(next_path, status_code=303)

    @r.post("/logout")
    async def logout(request: Request, user: str = Depends(page_user)) -> Response:
        await form_checked(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @r.post("/language")
    async def language(request: Request, user: str = Depends(page_user)) -> Response:
        form = await form_checked(request)
        lang = str(form.get("lang", ""))
        if lang in LANGUAGES:
            request.session["lang"] = lang
        return RedirectResponse(_local(str(form.get("next", "/"))), status_code=303)

    # -- static files ----------------------------------------------------------------

    @r.get("/static/plotly.js")
    def plotly_js(user: str = Depends(page_user)) -> Response:
        return Response(
            _plotly(),
            media_type="text/javascript",
            headers={"Cache-Control": "private, max-age=86400"},
        )

    @r.get("/static/{name}")
    def static(name: str, user: str = Depends(page_user)) -> Response:
        path = STATIC / name
        if (
            path.suffix not in _STATIC_TYPES
            or path.parent != STATIC
            or not path.is_file()
        ):
            return Response(status_code=404)
        return Response(
            path.read_bytes(),
            media_type=_STATIC_TYPES[path.suffix],
            headers={"Cache-Control": "private, max-age=3600"},
        )

    # -- the views ---------------------------------------------------------------------

    @r.get("/", response_class=HTMLResponse)
    async def overview(request: Request, user: str = Depends(page_user)) -> Response:
        return await dash.cached_page(request, lambda: _overview(request))

    def _overview(request: Request) -> Response:
        if not results.has("subscriptions"):
            return dash.render(
                request,
                "empty.html.j2",
                title=translations(dash.lang(request)).gettext("Overview"),
            )
        f = filters(request)
        return page(
            request, N_("Overview"), f, ["headline", "churn_trend", "mrr_waterfall"]
        )

    @r.get("/churn", response_class=HTMLResponse)
    async def churn(request: Request, user: str = Depends(page_user)) -> Response:
        return await dash.cached_page(request, lambda: _churn(request))

    def _churn(request: Request) -> Response:
        f = filters(request)
        lang = dash.lang(request)
        t, fmt = translations(lang).gettext, LocaleFormat(lang)
        table = results.churn(f).sort_values(
            "period_start", ascending=False, kind="stable"
        )
        columns = [
            "period_start",
            "segment",
            "customers_start",
            "new",
            "churned",
            "customers_end",
            "churn_rate",
            "churn_rate_lower",
            "churn_rate_upper",
        ]
        shown = page_table(
            table,
            columns,
            title=t("Churn by period"),
            t=t,
            fmt=fmt,
            period=f.period,
            limit=240,
        )
        return page(
            request,
            N_("Churn by period"),
            f,
            ["churn_trend"],
            tables=[shown],
            segment_filter=True,
        )

    @r.get("/cohorts", response_class=HTMLResponse)
    async def cohorts(request: Request, user: str = Depends(page_user)) -> Response:
        return await dash.cached_page(request, lambda: _cohorts(request))

    def _cohorts(request: Request) -> Response:
        if not results.section_available("cohorts"):
            return Response(status_code=404)
        return page(request, N_("Cohorts"), filters(request), ["cohorts"])

    @r.get("/survival", response_class=HTMLResponse)
    async def survival(request: Request, user: str = Depends(page_user)) -> Response:
        return await dash.cached_page(request, lambda: _survival(request))

    def _survival(request: Request) -> Response:
        f = filters(request)
        lang = dash.lang(request)
        t, fmt = translations(lang).gettext, LocaleFormat(lang)
        summary = results.survival(f).summary
        shown = page_table(
            summary,
            ["segment", "n_customers", "n_churned", "median_lifetime"],
            title=t("Median lifetime"),
            t=t,
            fmt=fmt,
        )
        return page(
            request,
            N_("Survival"),
            f,
            ["survival"],
            tables=[shown],
            segment_filter=True,
            period_filter=False,
        )

    @r.get("/reasons", response_class=HTMLResponse)
    async def reasons(request: Request, user: str = Depends(page_user)) -> Response:
        return await dash.cached_page(request, lambda: _reasons(request))

    def _reasons(request: Request) -> Response:
        f = filters(request)
        lang = dash.lang(request)
        t, fmt = translations(lang).gettext, LocaleFormat(lang)
        table = results.reasons(f)
        total = max(int(table["customers"].sum()), 1) if len(table) else 1
        table = table.assign(share=table["customers"] / total)
        shown = page_table(
            table,
            ["reason", "customers", "share"],
            title=t("Why customers leave"),
            t=t,
            fmt=fmt,
        )
        return page(request, N_("Reasons"), f, ["reasons"], tables=[shown])

    @r.get("/revenue", response_class=HTMLResponse)
    async def revenue(request: Request, user: str = Depends(page_user)) -> Response:
        return await dash.cached_page(request, lambda: _revenue(request))

    def _revenue(request: Request) -> Response:
        if not results.section_available("mrr_waterfall"):
            return Response(status_code=404)
        f = filters(request)
        lang = dash.lang(request)
        t, fmt = translations(lang).gettext, LocaleFormat(lang)
        tables = []
        try:
            moves = results.movements(f).sort_values(
                "period_start", ascending=False, kind="stable"
            )
        except Unavailable:
            moves = None  # the section's note says why
        if moves is not None:
            columns = [
                "period_start",
                "mrr_start",
                "new",
                "expansion",
                "reactivation",
                "contraction",
                "churn",
                "mrr_end",
            ]
            tables.append(
                page_table(
                    moves,
                    columns,
                    title=t("MRR movements"),
                    t=t,
                    fmt=fmt,
                    period=f.period,
                    money_columns=True,
                    limit=120,
                )
            )
        return page(request, N_("Revenue"), f, ["mrr_waterfall"], tables=tables)

    @r.get("/contacts", response_class=HTMLResponse)
    async def contacts(request: Request, user: str = Depends(page_user)) -> Response:
        return await dash.cached_page(request, lambda: _contacts(request))

    def _contacts(request: Request) -> Response:
        lang = dash.lang(request)
        t, fmt = translations(lang).gettext, LocaleFormat(lang)
        table = results.contacts()
        tables: list[PageTable] = []
        if table is not None:
            columns = [
                "rank",
                "customer_id",
                "owner",
                "status",
                "churn_probability",
                "mrr",
                "mrr_at_risk",
                "reasons",
                "suggested_action",
            ]
            tables.append(
                page_table(
                    table, columns, title=t("Contact list"), t=t, fmt=fmt, limit=200
                )
            )
        return dash.render(
            request,
            "contacts.html.j2",
            title=t("Contact list"),
            tables=tables,
            as_of=fmt.date(results.as_of().date()),
        )

    @r.get("/customers/{customer_id}", response_class=HTMLResponse)
    async def customer(
        request: Request, customer_id: str, user: str = Depends(page_user)
    ) -> Response:
        return await dash.cached_page(request, lambda: _customer(request, customer_id))

    def _customer(request: Request, customer_id: str) -> Response:
        lang = dash.lang(request)
        t, fmt = translations(lang).gettext, LocaleFormat(lang)
        try:
            found = results.customer(customer_id)
        except KeyError:
            return dash.render(
                request,
                "error.html.j2",
                404,
                title=t("Not found"),
                problem=t("No such customer."),
                hint=None,
            )
        outreach = results.outreach(customer_id)
        risk = None
        contacts = results.contacts()
        if contacts is not None:
            row = contacts[contacts["customer_id"] == customer_id]
            if len(row):
                risk = {
                    "probability": fmt.percent(float(row["churn_probability"].iloc[0])),
                    "reasons": str(row["reasons"].iloc[0]),
                    "action": str(row["suggested_action"].iloc[0]),
                }
        info = found["customers"]
        return dash.render(
            request,
            "customer.html.j2",
            title=t("Customer {customer}").format(customer=customer_id),
            customer_id=customer_id,
            info=_info(info, t),
            risk=risk,
            timeline=_timeline(found, outreach, t, fmt),
            tables=[
                page_table(
                    found["subscriptions"],
                    [
                        "subscription_id",
                        "plan",
                        "mrr",
                        "billing_period",
                        "started_at",
                        "ended_at",
                        "cancel_reason",
                    ],
                    title=t("Subscriptions"),
                    t=t,
                    fmt=fmt,
                ),
                page_table(
                    found["tickets"],
                    [
                        "ticket_id",
                        "created_at",
                        "resolved_at",
                        "status",
                        "channel",
                        "satisfaction",
                        "subject",
                    ],
                    title=t("Tickets"),
                    t=t,
                    fmt=fmt,
                ),
                page_table(
                    outreach,
                    [
                        "contacted_at",
                        "outcome",
                        "reason",
                        "reason_text",
                        "offer",
                        "contacted_by",
                        "note",
                    ],
                    title=t("Outreach history"),
                    t=t,
                    fmt=fmt,
                ),
            ],
            outcomes=[(o, t(label)) for o, label in OUTCOME_LABELS.items()],
            can_log=results.has_outreach(),
            saved=request.query_params.get("saved") == "1",
        )

    @r.post("/customers/{customer_id}/outreach")
    async def record_outreach(
        request: Request, customer_id: str, user: str = Depends(page_user)
    ) -> Response:
        form = await form_checked(request)
        try:
            await run_in_threadpool(results.customer, customer_id)
        except KeyError:
            return Response(status_code=404)
        await run_in_threadpool(
            results.log_outreach,
            customer_id,
            outcome=str(form.get("outcome", "")),
            reason=_text(form.get("reason")),
            offer=_text(form.get("offer")),
            note=_text(form.get("note")),
            by=user,
            lang=dash.lang(request),
        )
        return RedirectResponse(
            f"/customers/{_quote(customer_id)}?saved=1", status_code=303
        )

    @r.get("/upload", response_class=HTMLResponse)
    def upload_page(request: Request, user: str = Depends(page_user)) -> Response:
        title = translations(dash.lang(request)).gettext("Upload data")
        return dash.render(
            request, "upload.html.j2", title=title, tables_choice=TABLES, report=None
        )

    @r.post("/upload", response_class=HTMLResponse)
    async def upload(request: Request, user: str = Depends(page_user)) -> Response:
        form = await form_checked(request)
        lang = dash.lang(request)
        t, fmt = translations(lang).gettext, LocaleFormat(lang)
        files = []
        for item in form.getlist("files"):
            if hasattr(item, "read") and getattr(item, "filename", None):
                content = await item.read()
                if len(content) > _MAX_UPLOAD:
                    raise ChurnlensError(
                        "the file is too large", hint="upload at most 200 MB at a time"
                    )
                files.append((str(item.filename), content))
        if not files:
            raise ChurnlensError(
                "no file was chosen",
                hint="choose one or more CSV, JSON Lines or Parquet files",
            )
        table = str(form.get("table", "")) or None
        report, rejected = await run_in_threadpool(
            results.ingest, files, table=table if table in TABLES else None
        )
        sources = [
            {
                "source": s.source.rsplit("/", 1)[-1],
                "table": s.table,
                "read": fmt.number(s.n_read),
                "accepted": fmt.number(s.n_accepted),
                "rejected": fmt.number(s.n_rejected),
                "skipped": s.skipped,
            }
            for s in report.sources
        ]
        if len(rejected):
            rejected = rejected.assign(
                source=rejected["source"].astype(str).str.rsplit("/", n=1).str[-1]
            )
        shown = page_table(
            rejected,
            ["source", "table_name", "line", "column", "reason", "value"],
            title=t("Rejected rows"),
            t=t,
            fmt=fmt,
        )
        return dash.render(
            request,
            "upload.html.j2",
            title=t("Upload data"),
            tables_choice=TABLES,
            report=sources,
            rejected=shown,
            n_rejected=report.n_rejected,
        )

    return r


def _local(path: str | None) -> str:
    """Only paths on this site are followed after sign-in (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _text(value: Any) -> str | None:
    text = str(value or "").strip()
    return text or None


_PLOTLY: list[bytes] = []


def _plotly() -> bytes:
    if not _PLOTLY:
        _PLOTLY.append(get_plotlyjs().encode("utf-8"))
    return _PLOTLY[0]


def _css() -> str:
    return (STATIC / "dashboard.css").read_text(encoding="utf-8")


def _info(info: pd.DataFrame, t: Any) -> list[tuple[str, str]]:
    if info is None or info.empty:
        return []
    row = info.iloc[0]
    labels = {
        "name": N_("Name"),
        "segment": N_("Segment"),
        "country": N_("Country"),
        "language": N_("Language"),
        "owner": N_("Owner"),
    }
    return [
        (t(label), str(row[c]))
        for c, label in labels.items()
        if c in info.columns and pd.notna(row[c])
    ]


def _timeline(
    found: dict[str, Any], outreach: pd.DataFrame, t: Any, fmt: LocaleFormat
) -> list[dict[str, str]]:
    """Subscriptions, tickets and outreach as one list of events, newest first."""
    events: list[tuple[dt.datetime, str, str]] = []
    for s in found["subscriptions"].to_dict(orient="records"):
        plan = str(s.get("plan") or "")
        if pd.notna(s.get("started_at")):
            events.append(
                (
                    s["started_at"],
                    "subscription",
                    t("Subscribed: {plan}").format(plan=plan),
                )
            )
        if pd.notna(s.get("ended_at")):
            events.append(
                (
                    s["ended_at"],
                    "churn",
                    t("Subscription ended: {plan}").format(plan=plan),
                )
            )
    for k in found["tickets"].to_dict(orient="records"):
        if pd.notna(k.get("created_at")):
            events.append(
                (
                    k["created_at"],
                    "ticket",
                    t("Ticket: {subject}").format(subject=str(k.get("subject") or "")),
                )
            )
    if len(outreach):
        for o in outreach.to_dict(orient="records"):
            label = t(OUTCOME_LABELS.get(str(o["outcome"]), str(o["outcome"])))
            events.append(
                (
                    o["contacted_at"],
                    "outreach",
                    t("Contacted: {outcome}").format(outcome=label),
                )
            )
    events.sort(key=lambda e: pd.Timestamp(e[0]), reverse=True)
    return [
        {"date": fmt.date(pd.Timestamp(d).date()), "kind": kind, "text": text}
        for d, kind, text in events
    ]
