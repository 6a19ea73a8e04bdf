"""Pages for proposed changes to power over cases (SEC-TWO-PERSON), and the one-time link
that lets a person set their own password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mailcover.accounts import grants, resets
from mailcover.accounts.forms import ProposalForm, RefusalForm
from mailcover.accounts.models import AccountChange, User
from mailcover.law import grants as law
from mailcover.law.errors import RuleBroken
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName
from mailcover.web import listing


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _refusal(broken: RuleBroken) -> str:
    return "; ".join(f"{v.message} ({v.rule})" for v in broken.violations)


def _require_part(user: User) -> None:
    if not law.takes_part(grants.person(user).roles):
        raise PermissionDenied(
            "changes to power over cases are proposed by an admin and confirmed by the chief "
            "or the head of oversight; your roles do not take part (SEC-TWO-PERSON)"
        )


def _rows(user: User, changes: Any) -> list[dict[str, Any]]:
    acting = grants.person(user)
    rows = []
    for change in changes:
        asked = grants.law_change(change)
        rows.append(
            {
                "change": change,
                "what": grants.WHAT[change.change_kind],
                "confirmer": law.confirming_role(asked).value,
                "may_confirm": change.pending
                and not law.check_confirmer(acting, change.proposed_by_id, asked),
                "may_refuse": change.pending
                and (
                    change.proposed_by_id == user.pk or law.confirming_role(asked) in acting.roles
                ),
            }
        )
    return rows


def _page(request: HttpRequest, form: ProposalForm, status: int = 200) -> HttpResponse:
    """The proposal form and one page of the changes, newest first (USWDS pagination)."""
    user = _user(request)
    found = AccountChange.objects.select_related(
        "account__agency", "agency", "delegation__holder__agency", "proposed_by", "decided_by"
    )
    query, page = listing.page_only(found, request.GET)
    page.rooted(reverse("accounts:changes"))
    context = {
        "form": form,
        "rows": _rows(user, page.rows),
        "page": page,
        "query": query,
        "refusal_form": RefusalForm(),
    }
    if query.problems and status == 200:
        status = 400
    return render(request, "accounts/changes.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def changes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_part(user)
    form = ProposalForm(request.POST or None)
    if request.method != "POST":
        return _page(request, form)
    if form.is_valid():
        try:
            made = grants.propose(
                user, form.to_proposal(), timezone.now(), settings.MAILCOVER_POLICY
            )
        except grants.NotAllowed as denied:
            raise PermissionDenied(_refusal(denied)) from None
        except RuleBroken as broken:
            for violation in broken.violations:
                field = violation.field if violation.field in form.fields else None
                form.add_error(field, f"{violation.message} ({violation.rule})")
        else:
            messages.success(
                request, f"Change #{made.pk} proposed; it takes effect when it is confirmed."
            )
            return redirect("accounts:changes")
    return _page(request, form, status=422)


def _decide(request: HttpRequest, change_id: int, act: Any) -> HttpResponse:
    user = _user(request)
    _require_part(user)
    try:
        change = act(user)
    except grants.NoSuchChange as missing:
        raise Http404(str(missing)) from None
    except grants.NotAllowed as denied:
        raise PermissionDenied(_refusal(denied)) from None
    except RuleBroken as broken:
        messages.error(request, f"Change #{change_id} was not made: {_refusal(broken)}")
        return _page(request, ProposalForm(), status=422)
    messages.success(request, f"Change #{change.pk} {change.outcome}.")
    return redirect("accounts:changes")


@login_required
@require_POST
def confirm(request: HttpRequest, change_id: int) -> HttpResponse:
    return _decide(
        request,
        change_id,
        lambda user: grants.confirm(
            user,
            change_id,
            timezone.now(),
            settings.MAILCOVER_POLICY,
            request.build_absolute_uri("/"),
        ),
    )


@login_required
@require_POST
def refuse(request: HttpRequest, change_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _decide(
        request, change_id, lambda user: grants.refuse(user, change_id, reason, timezone.now())
    )


@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest) -> HttpResponse:
    """The one-time link: the person, and only they, choose their new password. The link's
    code travels after the '#', which a browser never sends: it reaches no access log, no
    proxy and no Referer, and a page fetched by a mail scanner does nothing with it. The
    page's script (or the person, pasting it) puts it in the form, which is POSTed."""
    link = request.POST.get("link", "")
    uidb64, _, token = link.strip().partition(".")
    user = resets.user_for_link(uidb64, token) if request.method == "POST" else None
    if request.method == "POST" and user is None:
        return render(request, "accounts/set_password.html", {"invalid": True}, status=400)
    form = SetPasswordForm(user, request.POST or None)  # type: ignore[type-var]
    if user is not None and form.is_valid():
        with transaction.atomic():
            form.save()  # SEC-TOKENS: a new password ends every API token of the person
            ledger.record(
                user,
                EventName.ACCOUNT_PASSWORD_SET,
                timezone.now(),
                refs={"account": user.pk},
                by="link",
            )
        messages.success(request, "Your password is set. Sign in with it.")
        return redirect("web:sign-in")
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "usa-input")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "link": link}
    return render(request, "accounts/set_password.html", context, status=status)
