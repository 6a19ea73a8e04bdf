"""The database refuses UPDATE and DELETE on ledger entries, nodes and checkpoints."""

from django.db import migrations

from mailcover.ledger import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
