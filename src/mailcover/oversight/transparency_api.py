"""API calls of the transparency part of oversight (filled in below)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["oversight"])
