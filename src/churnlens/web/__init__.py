"""The dashboard: ``churnlens serve`` runs ``create_app`` over a store."""

from __future__ import annotations

from churnlens.web.app import create_app

__all__ = ["create_app"]
