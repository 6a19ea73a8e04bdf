"""HTTP hardening, written as the attacks it stops: the script injected into a page, the
listener on the network between the browser and the TLS proxy, the site that posts a form
in a signed-in person's name, the unattended desk, and the operator who mistypes a proxy
setting (docs/security.md, HTTP)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from tests.conftest import signed_in

from mailcover.config.env import proxy_ssl_header, trusted_origins
from mailcover.web.http import BACKGROUND_HEADER, EXPIRES_IN_HEADER

SRC = Path(__file__).resolve().parents[2] / "src" / "mailcover"
PUBLIC = "mailcover.example"
BACKEND = "10.0.0.5:8000"  # the application server, on another host than the proxy
FROM_PROXY = {"X-Forwarded-Proto": "https", "Origin": f"https://{PUBLIC}"}


def _directive(policy: str, name: str) -> list[str]:
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


def _pages() -> list[str]:
    """Every page path without a parameter in it, under every URL module of the site."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if "<" in route or "(?P" in route or "^" in route:
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                found.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


# --- Content-Security-Policy: an injected script does not run -----------------------------


@pytest.mark.django_db
def test_sec_http_every_page_forbids_inline_script_for_every_visitor(people: Any) -> None:
    pages = _pages()
    assert {"/sign-in", "/", "/transparency", "/records", "/admin/login/"} <= set(pages)
    visitors = [
        Client(),
        signed_in(people.requester),
        signed_in(people.approver),
        signed_in(people.oversight),
        signed_in(people.admin),
    ]
    checked = 0
    for client in visitors:
        for path in pages:
            response = client.get(path, follow=True)
            policy = response.headers.get("Content-Security-Policy", "")
            assert policy, f"{path}: no Content-Security-Policy"
            scripts = _directive(policy, "script-src") or _directive(policy, "default-src")
            assert scripts == ["'self'"], f"{path}: script-src {scripts}"
            assert "'unsafe-inline'" not in policy
            assert "'unsafe-eval'" not in policy
            assert _directive(policy, "object-src") == ["'none'"]
            assert _directive(policy, "frame-ancestors") == ["'none'"]
            if response.headers.get("Content-Type", "").startswith("text/html"):
                _assert_no_inline_script(path, response.content.decode())
                checked += 1
    assert checked > 20


def _assert_no_inline_script(where: str, html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert " src=" in tag or 'type="application/json"' in tag, f"{where}: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), where
    assert "javascript:" not in html.lower(), where


def _templates() -> list[Path]:
    return sorted(SRC.glob("*/templates/**/*.html"))


def _pdf_only(template: Path, text: str) -> bool:
    return template.name == "document.html" or text.startswith('{% extends "web/document.html" %}')


def test_pdf_only_templates_are_drawn_by_the_pdf_writer_alone() -> None:
    # The exemption above holds only while no view renders them as a page.
    names = [
        str(t.relative_to(t.parents[1]))
        for t in _templates()
        if _pdf_only(t, t.read_text()) and t.name != "document.html"
    ]
    assert names
    for source in SRC.rglob("*.py"):
        code = source.read_text()
        for name in names:
            if name in code:
                assert "tagged_pdf(" in code, f"{source}: renders {name} otherwise than as a PDF"


def test_sec_http_no_template_holds_an_inline_script_handler_or_style() -> None:
    templates = _templates()
    assert len(templates) > 20
    for template in templates:
        text = template.read_text()
        where = str(template.relative_to(SRC))
        _assert_no_inline_script(where, text)
        # A document drawn into a PDF by WeasyPrint (web/documents.py) is never served to a
        # browser, so the Content-Security-Policy does not reach it: its bars take widths.
        if not _pdf_only(template, text):
            assert not re.search(r"\sstyle\s*=", text), f"{where}: a style attribute"
        # The report's stand-alone HTML is a file the command line writes, never a page.
        if template.name != "transparency_document.html" and not _pdf_only(template, text):
            assert "<style" not in text, f"{where}: a style element"


def test_sec_http_htmx_runs_no_script_and_injects_no_style_under_the_policy() -> None:
    base = (SRC / "web" / "templates" / "base.html").read_text()
    config = re.search(r'name="htmx-config" content=\'([^\']*)\'', base)
    assert config is not None
    assert '"allowEval":false' in config.group(1)
    assert '"allowScriptTags":false' in config.group(1)
    assert '"includeIndicatorStyles":false' in config.group(1)


# --- HSTS and Secure cookies: nothing travels in clear once https is known -----------------


@pytest.fixture
def behind_proxy(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The service as docs/operations.md sets it up behind a TLS proxy on another host."""
    monkeypatch.setenv("MAILCOVER_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    monkeypatch.setenv("MAILCOVER_TRUSTED_ORIGINS", f"https://{PUBLIC}")
    settings.SECURE_PROXY_SSL_HEADER = proxy_ssl_header()
    settings.CSRF_TRUSTED_ORIGINS = trusted_origins()
    settings.ALLOWED_HOSTS = [PUBLIC, BACKEND.split(":")[0], "testserver"]
    return settings


@pytest.mark.django_db
def test_sec_http_over_https_through_the_proxy_pages_carry_hsts_and_secure_cookies(
    behind_proxy: Any, people: Any
) -> None:
    client = signed_in(people.requester)

    answer = client.get("/", headers={"X-Forwarded-Proto": "https"}, HTTP_HOST=PUBLIC)

    assert answer.status_code == 200
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert {"sessionid", "csrftoken"} <= set(answer.cookies)
    for name, cookie in answer.cookies.items():
        assert cookie["secure"] is True, name
    sign_in_page = Client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert sign_in_page.cookies["csrftoken"]["secure"] is True


@pytest.mark.django_db
def test_sec_http_over_plain_http_there_is_no_hsts_and_cookies_are_not_marked_secure(
    behind_proxy: Any, people: Any
) -> None:
    client = signed_in(people.requester)

    answer = client.get("/")  # no proxy header: the request did not come over https

    assert answer.status_code == 200
    assert "Strict-Transport-Security" not in answer.headers
    assert answer.cookies["sessionid"]["secure"] == ""


@pytest.mark.django_db
def test_sec_http_a_client_cannot_pass_for_https_with_a_lookalike_header(
    behind_proxy: Any, people: Any
) -> None:
    client = signed_in(people.requester)

    answer = client.get("/", headers={"X-Forwarded-Proto": "http", "X-Forwarded-Ssl": "on"})

    assert "Strict-Transport-Security" not in answer.headers


# --- CSRF behind the proxy: the pages work, a foreign site's form does not ------------------


def _sign_out_form_post(client: Client, origin: str, host: str) -> Any:
    page = client.get("/", headers={"X-Forwarded-Proto": "https"}, HTTP_HOST=host)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    return client.post(
        "/sign-out",
        {"csrfmiddlewaretoken": token.group(1)},
        headers={"X-Forwarded-Proto": "https", "Origin": origin, "Referer": f"{origin}/"},
        HTTP_HOST=host,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("host", [PUBLIC, BACKEND], ids=["host-kept", "host-rewritten"])
def test_sec_http_a_form_posted_through_the_tls_proxy_passes_csrf(
    behind_proxy: Any, people: Any, host: str
) -> None:
    client = signed_in(people.requester)
    client.handler.enforce_csrf_checks = True

    answer = _sign_out_form_post(client, f"https://{PUBLIC}", host)

    assert answer.status_code == 302
    assert answer.url.endswith("/sign-in")


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://evil.example", f"http://{PUBLIC}", "null"])
def test_sec_http_a_form_posted_from_a_foreign_origin_fails_csrf(
    behind_proxy: Any, people: Any, origin: str
) -> None:
    client = signed_in(people.requester)
    client.handler.enforce_csrf_checks = True

    answer = _sign_out_form_post(client, origin, BACKEND)

    assert answer.status_code == 403
    assert client.get("/", HTTP_HOST=BACKEND).status_code == 200  # still signed in


# --- Sessions: the unattended desk ---------------------------------------------------------


class Clock:
    """timezone.now() under the test's control: sessions expire by it."""

    def __init__(self) -> None:
        self.now: datetime = timezone.now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def _signed_out(answer: Any) -> bool:
    return answer.status_code == 302 and "/sign-in" in answer.url


@pytest.mark.django_db
def test_sec_session_an_unattended_session_ends_after_the_idle_time(
    people: Any, clock: Clock
) -> None:
    client = signed_in(people.requester)
    assert client.get("/").status_code == 200

    clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # activity: the 30 minutes start again
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)

    assert _signed_out(client.get("/"))
    assert _signed_out(client.get("/"))  # and it stays ended


@pytest.mark.django_db
def test_sec_session_a_page_polling_by_itself_does_not_keep_the_session_alive(
    people: Any, clock: Clock
) -> None:
    client = signed_in(people.approver)
    assert client.get("/").status_code == 200

    for _ in range(3):
        clock.advance(minutes=9)
        poll = client.get("/fragments/approval-queue", headers={BACKGROUND_HEADER: "poll"})
        assert poll.status_code == 200
    clock.advance(minutes=4)

    assert _signed_out(client.get("/"))


@pytest.mark.django_db
def test_sec_session_a_poll_after_the_end_sends_the_whole_page_to_sign_in(
    people: Any, clock: Clock
) -> None:
    client = signed_in(people.approver)
    clock.advance(minutes=31)

    poll = client.get(
        "/fragments/approval-queue", headers={BACKGROUND_HEADER: "poll", "HX-Request": "true"}
    )

    assert poll.status_code == 204
    assert poll.headers["HX-Redirect"].startswith("/sign-in?next=")
    assert b"approval-queue" not in poll.content


@pytest.mark.django_db
def test_sec_session_ends_after_the_absolute_limit_however_active(
    people: Any, clock: Clock
) -> None:
    client = signed_in(people.requester)
    for _ in range(int(12 * 60 / 25)):
        clock.advance(minutes=25)
        assert client.get("/").status_code == 200
    clock.advance(minutes=25)

    assert _signed_out(client.get("/"))


@pytest.mark.django_db
def test_sec_session_the_idle_time_is_the_setting(people: Any, clock: Clock, settings: Any) -> None:
    settings.MAILCOVER_SESSION_IDLE_MINUTES = 5
    settings.SESSION_COOKIE_AGE = 5 * 60
    client = signed_in(people.requester)
    assert client.get("/").status_code == 200
    clock.advance(minutes=6)

    assert _signed_out(client.get("/"))


@pytest.mark.django_db
def test_sec_session_the_page_is_told_when_to_warn_and_how_long_is_left(
    people: Any, clock: Clock
) -> None:
    client = signed_in(people.requester)

    page = client.get("/")

    html = page.content.decode()
    assert 'data-session-expires-in="1800"' in html
    assert 'data-session-warn-before="300"' in html
    assert 'id="session-timeout"' in html  # the USWDS modal
    assert "Stay signed in" in html
    assert "mailcover/session-timeout.js" in html
    assert page.headers[EXPIRES_IN_HEADER] == "1800"
    clock.advance(minutes=10)
    extended = client.post("/session/extend")
    assert extended.json() == {"expires_in": 1800}
    assert Client().post("/session/extend").status_code == 401


@pytest.mark.django_db
def test_sec_session_the_cookie_dies_with_the_browser(people: Any) -> None:
    client = signed_in(people.requester)

    cookie = client.get("/").cookies["sessionid"]

    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"] is True


# --- The system-use notice -----------------------------------------------------------------


@pytest.mark.django_db
def test_sec_http_the_sign_in_page_shows_the_system_use_notice_first() -> None:
    html = Client().get("/sign-in").content.decode()

    notice = html.index('data-testid="system-use-notice"')
    assert notice < html.index('name="password"')
    for words in [
        "U.S. Government information system",
        "U.S. Government-authorized use only",
        "Unauthorized or improper use of this system is prohibited",
        "civil and criminal penalties",
        "no reasonable expectation of privacy",
        "monitor, record, intercept, search and seize",
    ]:
        assert words in html, words


# --- Bad settings stop start-up naming the variable ----------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAILCOVER_TRUSTED_ORIGINS", "mailcover.example"),
        ("MAILCOVER_PROXY_SSL_HEADER", "X_Forwarded_Proto"),
        ("MAILCOVER_SESSION_IDLE_MINUTES", "0"),
        ("MAILCOVER_SESSION_MAX_HOURS", "twelve"),
        ("MAILCOVER_HSTS_SECONDS", "-1"),
    ],
)
def test_sec_http_a_bad_setting_stops_the_mailcover_command_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    environment = {
        key: val
        for key, val in os.environ.items()
        if not key.startswith("MAILCOVER_") and key != "DATABASE_URL"
    }
    environment.update({"MAILCOVER_VAR_DIR": str(tmp_path / "var"), variable: value})

    started = subprocess.run(
        [sys.executable, "-m", "mailcover.cli", "manage", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert started.returncode == 2
    assert started.stderr.startswith(f"mailcover: {variable} ")
