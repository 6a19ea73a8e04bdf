"""Pages of the transparency part of oversight (filled in below)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
