"""Mapping presets: helpdesk ticket exports (and the public RavenStack tickets)
read into the ``tickets`` table as they come, with no column mapped by hand.

A preset names, for each canonical column, the export columns that may hold it
(the first one present is used; names match ignoring case, spaces and
punctuation), how to turn the export's labels into canonical values (a
satisfaction "good" into 5, a channel "Web form" into ``web``), which durations
give a timestamp (Zendesk's "First reply time in minutes" after "Created at"),
and which counts to keep (``reopens``). The sources of each vendor's column list,
and the assumptions where the documentation is thin, are in docs/support.md.

``read_table(path, preset="zendesk")`` and ``churnlens ingest --preset zendesk``
apply one; an explicit ``mapping`` still overrides the preset column by column.
A ``Preset`` object may be passed instead of a name, for an export of one's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from churnlens.errors import ConfigError

__all__ = [
    "CHANNELS",
    "PRESETS",
    "SATISFACTION_SCALE",
    "Duration",
    "Labels",
    "Preset",
    "preset_named",
]

# Satisfaction is stored on the 1-5 CSAT scale of churnlens' demo and most
# surveys; a binary good/bad rating takes the ends of it.
SATISFACTION_SCALE = (1.0, 5.0)
# The channel names presets produce; an export's other values are kept, lowercased.
CHANNELS = ("email", "web", "chat", "phone", "social", "api", "other")


@dataclass(frozen=True)
class Duration:
    """A timestamp given as a duration after another canonical timestamp: the
    first of ``columns`` present, in units of ``unit_seconds``, after ``start``."""

    columns: tuple[str, ...]
    unit_seconds: float
    start: str = "created_at"

    @property
    def unit(self) -> str:
        return {60.0: "minutes", 3600.0: "hours"}.get(
            float(self.unit_seconds), f"units of {self.unit_seconds:g} seconds"
        )


@dataclass(frozen=True)
class Labels:
    """Export labels (compared lowercased) and the canonical text each means;
    None means "no value" (an offered but unanswered survey). A label not listed
    is kept lowercased (``other="keep"``), kept if it is a number (``"number"``),
    or rejected (``"reject"``)."""

    values: Mapping[str, str | None]
    other: Literal["keep", "number", "reject"] = "keep"


@dataclass(frozen=True)
class Preset:
    """How one helpdesk's ticket export maps onto the ``tickets`` table."""

    name: str
    columns: Mapping[str, tuple[str, ...]]
    durations: Mapping[str, tuple[Duration, ...]] = field(default_factory=dict)
    labels: Mapping[str, Labels] = field(default_factory=dict)
    # Whole counts kept as extra columns: output name -> candidate export columns.
    counts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    table: str = "tickets"


_CHANNEL_WORDS: dict[str, str | None] = {
    # e-mail
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "outbound email": "email",
    "forwarded email": "email",
    # forms, portals, widgets
    "web": "web",
    "web form": "web",
    "web widget": "web",
    "portal": "web",
    "contact form": "web",
    "feedback widget": "web",
    "help center": "web",
    "forum": "web",
    "suggestion": "web",
    # live chat and messaging
    "chat": "chat",
    "live chat": "chat",
    "messaging": "chat",
    "native messaging": "chat",
    "chat button": "chat",
    "contact button": "chat",
    "invitation": "chat",
    "whatsapp": "chat",
    "sms": "chat",
    "text": "chat",
    # voice
    "phone": "phone",
    "voice": "phone",
    "call": "phone",
    "call button": "phone",
    "phone call (incoming)": "phone",
    "phone call (outgoing)": "phone",
    "voicemail": "phone",
    # social networks
    "twitter": "social",
    "x": "social",
    "facebook": "social",
    "facebook post": "social",
    "facebook message": "social",
    "facebook private message": "social",
    "instagram": "social",
    "instagram direct": "social",
    "social": "social",
    # machines
    "api": "api",
    "web service": "api",
    "web service (api)": "api",
    "mobile sdk": "api",
    "mobihelp": "api",
    "e-commerce": "api",
    "closed ticket": "other",
    "ticket sharing": "other",
    "rule": "other",
    "automation": "other",
}

ZENDESK = Preset(
    "zendesk",
    columns={
        "ticket_id": ("Id",),
        # An e-mail address is what billing systems (Stripe) know a customer by.
        "customer_id": (
            "Requester email",
            "Requester external id",
            "Requester id",
            "Requester",
        ),
        "created_at": ("Created at",),
        "resolved_at": ("Solved at",),
        "status": ("Status",),
        "channel": ("Via",),
        "satisfaction": ("Satisfaction Score", "Satisfaction"),
        "subject": ("Subject",),
        "text": ("Description",),
    },
    durations={
        "first_response_at": (Duration(("First reply time in minutes",), 60),),
        "resolved_at": (Duration(("Full resolution time in minutes",), 60),),
    },
    labels={
        "satisfaction": Labels(
            {
                "good": "5",
                "good with comment": "5",
                "bad": "1",
                "bad with comment": "1",
                "offered": None,
                "not offered": None,
                "unoffered": None,
            },
            other="number",
        ),
        "channel": Labels(_CHANNEL_WORDS),
        "status": Labels({}),
    },
    counts={"reopens": ("Reopens",)},
)

FRESHDESK = Preset(
    "freshdesk",
    columns={
        "ticket_id": ("Ticket ID",),
        "customer_id": (
            "Email",
            "Requester email",
            "Contact ID",
            "Unique External ID",
            "Requester",
            "Full name",
            "Requester name",
        ),
        "created_at": ("Created time",),
        # The timestamp of the first agent response (the "(in hrs)" columns count
        # business hours only, so they do not give the instant).
        "first_response_at": ("Initial response time",),
        "resolved_at": ("Resolved time", "Closed time"),
        "status": ("Status",),
        "channel": ("Source",),
        "satisfaction": ("Survey results", "Survey result", "Customer satisfaction"),
        "subject": ("Subject",),
        "text": ("Description",),
    },
    labels={
        "satisfaction": Labels(
            {
                # Freshdesk's classic three-point survey
                "awesome": "5",
                "just okay": "3",
                "just ok": "3",
                "not good": "1",
                # its five- and seven-point happiness scales, read on 1-5
                "extremely happy": "5",
                "very happy": "5",
                "happy": "4",
                "neutral": "3",
                "unhappy": "2",
                "very unhappy": "1",
                "extremely unhappy": "1",
            },
            other="number",
        ),
        "channel": Labels(_CHANNEL_WORDS),
        "status": Labels({}),
    },
)

LIVEAGENT = Preset(
    "liveagent",
    columns={
        "ticket_id": ("Code", "Ticket code", "Ticket ID", "Id"),
        "customer_id": (
            "Owner email",
            "Customer email",
            "Contact email",
            "Owner contactid",
            "Owner contact id",
            "Owner name",
        ),
        "created_at": ("Date created", "Created"),
        "first_response_at": ("Date first response", "First response date"),
        "resolved_at": ("Date resolved", "Resolved"),
        "status": ("Status",),
        "channel": ("Channel type", "Channel", "Source"),
        "satisfaction": ("Rating", "Satisfaction"),
        "subject": ("Subject",),
        "text": ("Message", "Preview", "Description"),
    },
    labels={
        # The one-letter codes of LiveAgent's CSV export and API (the two agree).
        "status": Labels(
            {
                "i": "init",
                "n": "new",
                "t": "chatting",
                "p": "calling",
                "r": "resolved",
                "x": "deleted",
                "b": "spam",
                "a": "answered",
                "c": "open",
                "w": "postponed",
                "l": "closed",
            }
        ),
        "channel": Labels(
            {
                **_CHANNEL_WORDS,
                "e": "email",
                "b": "chat",
                "m": "web",
                "i": "chat",
                "c": "phone",
                "w": "phone",
                "f": "social",
                "a": "social",
                "t": "social",
                "h": "social",
                "j": "social",
                "d": "social",
                "n": "social",
                "q": "web",
                "s": "web",
            }
        ),
        # Ratings, where an export has them, as thumbs: + good, - bad.
        "satisfaction": Labels(
            {
                "+": "5",
                "-": "1",
                "good": "5",
                "bad": "1",
                "positive": "5",
                "negative": "1",
            },
            other="number",
        ),
    },
)

# RavenStack's synthetic support tickets (ravenstack_saas_synthetic, SOURCE.md):
# its accounts are the customers, and the first response is given in minutes
# after the submission. Its churn events are read by ``churn_events``.
RAVENSTACK = Preset(
    "ravenstack",
    columns={
        "ticket_id": ("ticket_id",),
        "customer_id": ("account_id",),
        "created_at": ("submitted_at",),
        "resolved_at": ("closed_at",),
        "satisfaction": ("satisfaction_score",),
    },
    durations={
        "first_response_at": (Duration(("first_response_time_minutes",), 60),),
    },
)

PRESETS: dict[str, Preset] = {
    p.name: p for p in (LIVEAGENT, ZENDESK, FRESHDESK, RAVENSTACK)
}


def preset_named(preset: str | Preset) -> Preset:
    """The preset of that name (any case), or the ``Preset`` itself."""
    if isinstance(preset, Preset):
        return preset
    found = PRESETS.get(str(preset).strip().lower())
    if found is None:
        raise ConfigError(
            f"unknown preset '{preset}'",
            hint=f"use one of: {', '.join(PRESETS)} (or map the columns with --map)",
        )
    return found
