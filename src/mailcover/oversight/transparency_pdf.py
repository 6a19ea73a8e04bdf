"""The transparency report as a tagged PDF (PDF/UA-1, web/documents.py): the tables of the
page, with the issuing agency at the top and the period and page number at the foot of
every page, and INTERNAL on every page of the internal version.

A count is drawn as a bar to scale; a band ("0-9") as a dashed outline over the range it
stands for, since a suppressed count is not a quantity and a filled bar would read as one;
in a table with no exact count, where that range would fill the width, in words.

The bytes depend on the report and the agency's name alone (and WeasyPrint's version and
the fonts): the creation date is the day after the period, never the clock, so the same
report prints the same file and two copies can be compared by their hash."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from mailcover.oversight.transparency import TransparencyReport, Version
from mailcover.oversight.transparency_tables import tables, version_statement
from mailcover.web.documents import tagged_pdf

# When no agency of the postal level is on record (a fresh installation): what the report
# is about, rather than a blank.
DEFAULT_ISSUER = "Postal Inspection Service"


def issuing_agency() -> str:
    """The service's own agency (the agency of the postal level first recorded): the
    report speaks of its covers and records requests."""
    from mailcover.accounts.models import Agency
    from mailcover.law.terms import AgencyLevel

    agency = Agency.objects.filter(level=AgencyLevel.POSTAL.value).order_by("pk").first()
    return agency.name if agency is not None else DEFAULT_ISSUER


def title(report: TransparencyReport) -> str:
    return f"Transparency report {report.start} to {report.end} ({report.version.value})"


def render_pdf(report: TransparencyReport, agency: str = DEFAULT_ISSUER) -> bytes:
    created = datetime.combine(report.end + timedelta(days=1), time.min, tzinfo=UTC)
    context = {
        "report": report,
        "tables": tables(report),
        "statement": version_statement(report.version),
        "internal": report.version is Version.INTERNAL,
        "agency": agency,
    }
    return tagged_pdf("oversight/transparency_pdf.html", context, title(report), created)
