"""Exporters of the contact list: files, a webhook, and helpdesk tickets."""

from __future__ import annotations

from churnlens.actions.exporters._http import ExportError
from churnlens.actions.exporters.files import CONTACT_LIST_SCHEMA, write_contact_list
from churnlens.actions.exporters.liveagent import export_liveagent
from churnlens.actions.exporters.webhook import post_webhook
from churnlens.actions.exporters.zendesk import export_zendesk

__all__ = [
    "CONTACT_LIST_SCHEMA",
    "ExportError",
    "export_liveagent",
    "export_zendesk",
    "post_webhook",
    "write_contact_list",
]
