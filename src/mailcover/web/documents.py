"""The documents the service issues, as tagged PDF (PDF/UA-1, for Section 508): laid out
from a Django template by WeasyPrint, so that the file carries its structure (headings,
paragraphs, tables with their header cells), its language and its title, and a screen
reader reads it in order. The page furniture (the running header, the page numbers) sits
in the page margins, which a tagged PDF leaves out of the structure as artifacts.

The bytes are a function of the template's context alone: the creation and modification
dates are the caller's (`created`), never the clock, and WeasyPrint writes nothing random,
so the same facts give the same file (for the same WeasyPrint and fonts) and a copy can be
compared by its hash.

Nothing is fetched while a document is drawn: the template holds its own style, and a
document that asks for a URL (a name typed as `<img src=...>` is escaped as text, but a
template could still hold one) stops with an error rather than look it up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NoReturn

from django.template.loader import render_to_string

PDF_VARIANT = "pdf/ua-1"
LANGUAGE = "en-US"


class NothingFetched(Exception):
    """A document asked for a resource; the service's documents fetch none."""


def _fetcher() -> Any:
    """A URL fetcher that fetches nothing, and stops the drawing when asked to."""
    from weasyprint.urls import URLFetcher

    class Refuse(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> NoReturn:
            raise NothingFetched(f"a document may not fetch {url[:80]}")

    return Refuse(fail_on_errors=True)


def tagged_pdf(template: str, context: dict[str, Any], title: str, created: datetime) -> bytes:
    """The template, drawn as a tagged PDF titled `title`, dated `created` (UTC)."""
    from weasyprint import HTML  # imported on use: loading Pango takes a moment

    stamp = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    html = render_to_string(
        template, {**context, "document_title": title, "document_created": stamp, "lang": LANGUAGE}
    )
    document = HTML(string=html, url_fetcher=_fetcher())
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
