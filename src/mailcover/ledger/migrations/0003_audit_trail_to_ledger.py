"""Carry the audit events of the plain audit trail onto the ledger, oldest first."""

from django.db import migrations

from mailcover.ledger import entries, merkle


def carry_over(apps, schema_editor):
    AuditEvent = apps.get_model("covers", "AuditEvent")
    Entry = apps.get_model("ledger", "Entry")
    Node = apps.get_model("ledger", "Node")
    Head = apps.get_model("ledger", "Head")
    User = apps.get_model("accounts", "User")
    usernames = dict(User.objects.values_list("pk", "username"))
    frontier = merkle.MerkleFrontier()
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
                # Free text never goes on the ledger, only its digest.
                details={
                    (f"{key}_sha256" if key in {"reason", "reasons"} else key): (
                        entries.digest(value) if key in {"reason", "reasons"} else value
                    )
                    for key, value in event.details.items()
                    if not isinstance(value, float)
                },
            )
        )
        leaf_hash = merkle.hash_leaf(data)
        completed = frontier.append(leaf_hash)
        Entry.objects.create(
            seq=seq,
            data=data,
            leaf_hash=leaf_hash,
            at=event.at,
            event=event.action,
            case_number=event.case_number,
            actor_ref=event.actor_id,
        )
        for level, node in enumerate(completed, start=1):
            Node.objects.create(key=(level << 48) | (seq >> level), hash=node)
    Head.objects.update_or_create(
        pk=1,
        defaults={"size": frontier.size, "frontier": b"".join(frontier.subtree_roots)},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_append_only_triggers"),
        ("covers", "0001_initial"),
        ("accounts", "0001_initial"),
    ]
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
