"""Carry the audit events of the plain audit trail onto the ledger, oldest first, and
create the head row."""

import hashlib

from django.db import migrations

from mailcover.ledger import entries, merkle

GENESIS_TIP = bytes(32)
FREE_TEXT = {"reason", "reasons"}


def _details(details):
    # Free text never goes on the ledger, only its digest.
    return {
        (f"{key}_sha256" if key in FREE_TEXT else key): (
            entries.digest(value) if key in FREE_TEXT else value
        )
        for key, value in details.items()
        if not isinstance(value, float)
    }


def carry_over(apps, schema_editor):
    AuditEvent = apps.get_model("covers", "AuditEvent")
    Entry = apps.get_model("ledger", "Entry")
    Head = apps.get_model("ledger", "Head")
    User = apps.get_model("accounts", "User")
    usernames = dict(User.objects.values_list("pk", "username"))
    frontier = merkle.MerkleFrontier()
    tip = GENESIS_TIP
    for event in AuditEvent.objects.order_by("at", "pk").iterator():
        actor = None
        if event.actor_id is not None:
            actor = entries.Actor(id=event.actor_id, username=usernames[event.actor_id])
        seq = frontier.size
        data = entries.encode(
            entries.Entry(
                seq=seq,
                at=event.at,
                actor=actor,
                event=event.action,
                refs={"case": event.case_number},
                details=_details(event.details),
            )
        )
        leaf_hash = merkle.hash_leaf(data)
        Entry.objects.create(
            seq=seq,
            data=data,
            leaf_hash=leaf_hash,
            nodes=b"".join(frontier.append(leaf_hash)),
            at=event.at,
            event=event.action,
            case_number=event.case_number,
            actor_ref=event.actor_id,
        )
        tip = hashlib.sha256(tip + leaf_hash).digest()
    Head.objects.create(pk=1, size=frontier.size, tip=tip)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_append_only_triggers"),
        ("covers", "0001_initial"),
        ("accounts", "0001_initial"),
    ]
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
