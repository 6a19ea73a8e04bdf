"""SEC-OPERATOR: the facilities an operator account feeds, bound and unbound on the
server's shell (`mailcover operator facilities`); the admin role does the same in the
Django admin (covers.admin). Every change is on the ledger in its own transaction."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from mailcover.accounts.models import User
from mailcover.covers.models import OperatorFacility
from mailcover.law import operators
from mailcover.law.errors import refuse_if
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName


def bound_facilities(operator: User) -> list[str]:
    return list(
        OperatorFacility.objects.filter(operator=operator).values_list("facility", flat=True)
    )


@transaction.atomic
def bind(operator: User, facility: str, now: datetime, actor: User | None = None) -> bool:
    """Bind the account to a facility; False when it already was."""
    refuse_if(operators.check_bindable(operator.role_set))
    refuse_if(operators.check_facility_name(facility))
    name = operators.facility_key(facility)
    _, made = OperatorFacility.objects.get_or_create(operator=operator, facility=name)
    if made:
        ledger.record(
            actor, EventName.OPERATOR_FACILITY_BOUND, now, refs={"user": operator.pk}, facility=name
        )
    return made


@transaction.atomic
def unbind(operator: User, facility: str, now: datetime, actor: User | None = None) -> bool:
    """Unbind the account from a facility; False when it was not bound to it."""
    name = operators.facility_key(facility)
    removed, _ = OperatorFacility.objects.filter(operator=operator, facility=name).delete()
    if removed:
        ledger.record(
            actor,
            EventName.OPERATOR_FACILITY_UNBOUND,
            now,
            refs={"user": operator.pk},
            facility=name,
        )
    return bool(removed)
