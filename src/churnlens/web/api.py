"""The JSON API: the pages' results as data, the outreach log, and ingest.

Every route needs an API token (``Authorization: Bearer``) or a session; with a
session, writes also need the ``X-CSRF-Token`` header. ``/api/openapi.json``
describes the routes (and is itself behind sign-in).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    File,
    Form,
    HTTPException,
    Query,
    Response,
    UploadFile,
)
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from churnlens.errors import ChurnlensError
from churnlens.web.app import Dashboard, api_user
from churnlens.web.results import Filters, records

__all__ = ["router"]

Period = Literal["month", "quarter", "year", "week"]
Table = Literal["subscriptions", "customers", "tickets", "activity"]
Segment = Literal[
    "segment", "country", "language", "plan", "billing_period", "currency"
]
Outcome = Literal["saved", "lost", "no_answer", "callback"]
_MAX_UPLOAD = 200 * 1024 * 1024


class Problem(BaseModel):
    detail: Any
    hint: str | None = None


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Problem,
        "description": "The request cannot be answered (a hint says why)",
    },
    401: {"model": Problem, "description": "No session or API token"},
    403: {
        "model": Problem,
        "description": "A session write without the X-CSRF-Token header",
    },
    404: {"model": Problem, "description": "Not found"},
    409: {
        "model": Problem,
        "description": "Not available for this store as served (a hint says why)",
    },
}


class Rows(BaseModel):
    rows: list[dict[str, Any]] = Field(description="One object per result row")


class Overview(BaseModel):
    latest: dict[str, Any] | None = Field(description="The latest full period's churn")
    churn: list[dict[str, Any]]


class Survival(BaseModel):
    summary: list[dict[str, Any]]
    curves: list[dict[str, Any]]
    logrank_p_value: float | None = None


class Customer(BaseModel):
    customer_id: str
    customer: dict[str, Any] | None
    subscriptions: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    outreach: list[dict[str, Any]]
    risk: dict[str, Any] | None


class OutreachIn(BaseModel):
    customer_id: str = Field(min_length=1, max_length=200)
    outcome: Outcome
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="What the customer said, or a reason code",
    )
    offer: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=2000)
    at: dt.datetime | None = Field(
        default=None, description="When the contact happened (default: now)"
    )


class IngestSource(BaseModel):
    source: str
    table: str
    n_read: int
    n_accepted: int
    n_rejected: int
    skipped: bool


class IngestOut(BaseModel):
    sources: list[IngestSource]
    n_read: int
    n_accepted: int
    n_rejected: int
    rejected: list[dict[str, Any]] = Field(description="Rejected rows (at most 500)")


async def _window(
    period: Period = "month",
    start: Annotated[
        dt.date | None, Query(description="First period (YYYY-MM-DD)")
    ] = None,
    end: Annotated[
        dt.date | None, Query(description="Last period (YYYY-MM-DD)")
    ] = None,
) -> Filters:
    return Filters(period, start and start.isoformat(), end and end.isoformat())


Window = Annotated[Filters, Depends(_window)]


def router(dash: Dashboard, app: FastAPI) -> APIRouter:  # noqa: C901 - one small handler per route
    r = APIRouter(prefix="/api", dependencies=[Depends(api_user)], responses=_ERRORS)
    results = dash.results

    def cached(handler: Callable[..., dict[str, Any]]) -> Callable[..., Response]:
        """Answer with JSON made once per store version and arguments."""

        @functools.wraps(handler)
        def answer(**kwargs: Any) -> Response:
            key = (
                "api",
                handler.__name__,
                *sorted((k, _key(v)) for k, v in kwargs.items()),
            )
            body = results.cached(
                key, lambda: json.dumps(handler(**kwargs)).encode("utf-8")
            )
            return Response(body, media_type="application/json")

        return answer

    @r.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        return app.openapi()

    @r.get("/overview", response_model=Overview, summary="Headline churn figures")
    @cached
    def overview(f: Window) -> dict[str, Any]:
        rows = records(results.churn(f))
        return {"latest": rows[-1] if rows else None, "churn": rows}

    @r.get("/churn", response_model=Rows, summary="Churn rate per period (and segment)")
    @cached
    def churn(
        f: Window,
        by: Annotated[Segment | None, Query(description="A segment column")] = None,
    ) -> dict[str, Any]:
        return {
            "rows": records(
                results.churn(Filters(f.period, _iso(f.start), _iso(f.end), by))
            )
        }

    if results.section_available("cohorts"):

        @r.get("/cohorts", response_model=Rows, summary="Retention by signup cohort")
        @cached
        def cohorts(f: Window) -> dict[str, Any]:
            return {"rows": records(results.cohorts(f))}

    @r.get(
        "/survival", response_model=Survival, summary="Kaplan-Meier survival by segment"
    )
    @cached
    def survival(
        by: Annotated[Segment | None, Query(description="A segment column")] = None,
    ) -> dict[str, Any]:
        result = results.survival(Filters(by=by))
        p = result.logrank.p_value if result.logrank is not None else None
        return {
            "summary": records(result.summary),
            "curves": records(result.table),
            "logrank_p_value": None if p is None else float(p),
        }

    @r.get("/reasons", response_model=Rows, summary="Churned customers by reason")
    @cached
    def reasons(f: Window) -> dict[str, Any]:
        return {"rows": records(results.reasons(f))}

    if results.section_available("mrr_waterfall"):

        @r.get("/revenue", response_model=Rows, summary="MRR movements per period")
        @cached
        def revenue(f: Window) -> dict[str, Any]:
            return {"rows": records(results.movements(f))}

    @r.get("/support", response_model=Rows, summary="Support measures per customer")
    @cached
    def support() -> dict[str, Any]:
        return {"rows": records(results.support())}

    if results.has_contacts():

        @r.get(
            "/contacts",
            response_model=Rows,
            summary="The contact list at the end of the data",
        )
        @cached
        def contacts(
            top: Annotated[int | None, Query(ge=1, le=100_000)] = None,
        ) -> dict[str, Any]:
            table = results.contacts()
            if table is None:
                raise HTTPException(404, "no risk model")
            return {"rows": records(table.head(top) if top else table)}

    @r.get(
        "/customers/{customer_id}",
        response_model=Customer,
        summary="One customer's records",
    )
    @cached
    def customer(customer_id: str) -> dict[str, Any]:
        try:
            found = results.customer(customer_id)
        except KeyError:
            raise HTTPException(404, "no such customer") from None
        contacts = results.contacts() if results.has_contacts() else None
        risk = None
        if contacts is not None:
            rows = records(contacts[contacts["customer_id"] == customer_id])
            risk = rows[0] if rows else None
        info = records(found["customers"])
        return {
            "customer_id": customer_id,
            "customer": info[0] if info else None,
            "subscriptions": records(found["subscriptions"]),
            "tickets": records(found["tickets"]),
            "outreach": records(results.outreach(customer_id)),
            "risk": risk,
        }

    if results.has_outreach():

        @r.get("/outreach", response_model=Rows, summary="The outreach log")
        @cached
        def outreach(
            customer_id: Annotated[str | None, Query(max_length=200)] = None,
        ) -> dict[str, Any]:
            return {"rows": records(results.outreach(customer_id or None))}

        @r.post(
            "/outreach",
            response_model=dict[str, Any],
            status_code=201,
            summary="Record an outreach outcome",
        )
        def log_outreach(
            body: OutreachIn, user: Annotated[str, Depends(api_user)]
        ) -> dict[str, Any]:
            try:
                results.customer(body.customer_id)
            except KeyError:
                raise HTTPException(404, "no such customer") from None
            row = results.log_outreach(
                body.customer_id,
                outcome=body.outcome,
                reason=body.reason,
                offer=body.offer,
                note=body.note,
                at=body.at,
                by=user,
            )
            return records_one(row)

    @r.post("/ingest", response_model=IngestOut, summary="Upload files into the store")
    async def ingest(
        files: Annotated[
            list[UploadFile], File(description="CSV, JSON Lines or Parquet files")
        ],
        table: Annotated[
            Table | None,
            Form(description="The table they hold (default: from the file name)"),
        ] = None,
    ) -> dict[str, Any]:
        payload = []
        for item in files:
            content = await item.read()
            if len(content) > _MAX_UPLOAD:
                raise ChurnlensError(
                    "the file is too large", hint="upload at most 200 MB at a time"
                )
            payload.append((item.filename or "upload.csv", content))
        report, rejected = await run_in_threadpool(results.ingest, payload, table=table)
        return {
            "sources": [
                {
                    "source": s.source.rsplit("/", 1)[-1],
                    "table": s.table,
                    "n_read": s.n_read,
                    "n_accepted": s.n_accepted,
                    "n_rejected": s.n_rejected,
                    "skipped": s.skipped,
                }
                for s in report.sources
            ],
            "n_read": report.n_read,
            "n_accepted": report.n_accepted,
            "n_rejected": report.n_rejected,
            "rejected": records(rejected),
        }

    return r


def _key(value: Any) -> Any:
    return value.key() if isinstance(value, Filters) else value


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def records_one(row: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    return records(pd.DataFrame([row]))[0]
