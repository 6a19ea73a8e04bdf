"""Seal what captures hold of a person under one key per order (covers.sealing).

The addressee and return address lines and the barcode move from clear columns into
`Capture.sealed`; each stored image is rewritten, sealed, into its order's folder, and the
shared, content-addressed clear files are deleted once the migration commits.
"""

import json
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models, transaction

from mailcover.covers import sealing


def _sealed_image(capture, old_names: set[str]) -> str:
    if not capture.image or capture.image.startswith("captures/order-"):
        return capture.image
    name = f"captures/order-{capture.order_id}/{PurePosixPath(capture.image).name}"
    if not default_storage.exists(name):
        try:
            with default_storage.open(capture.image, "rb") as stored:
                data = stored.read()
        except OSError:
            return capture.image  # already missing: reading it answers 404, as before
        key = sealing.order_key(capture.order_id, create=True)
        sealed = sealing.seal(key, sealing.image_context(capture.order_id, name), data)
        default_storage.save(name, ContentFile(sealed))
    old_names.add(capture.image)
    return name


def seal_existing(apps, schema_editor):
    Capture = apps.get_model("covers", "Capture")
    old_names: set[str] = set()
    for capture in Capture.objects.filter(sealed__isnull=True).iterator():
        exterior = {
            "imb": capture.imb or None,
            "addressee": capture.addressee,
            "return_address": capture.return_address,
        }
        key = sealing.order_key(capture.order_id, create=True)
        capture.sealed = sealing.seal(
            key,
            sealing.exterior_context(capture.order_id, capture.piece_id),
            json.dumps(exterior, separators=(",", ":"), ensure_ascii=False).encode(),
        )
        capture.image = _sealed_image(capture, old_names)
        capture.save(update_fields=["sealed", "image"])

    def delete_clear_files():
        for name in old_names:
            default_storage.delete(name)

    # Deleted only once every row points at its sealed copy.
    transaction.on_commit(delete_clear_files)


def open_existing(apps, schema_editor):
    """Back to clear columns (images stay sealed in their order's folder: the earlier code
    cannot read them, so they are opened back into clear, content-addressed files)."""
    Capture = apps.get_model("covers", "Capture")
    for capture in Capture.objects.iterator():
        key = sealing.order_key(capture.order_id)
        raw = sealing.unseal(
            key,
            sealing.exterior_context(capture.order_id, capture.piece_id),
            bytes(capture.sealed),
        )
        exterior = json.loads(raw)
        capture.imb = exterior["imb"] or ""
        capture.addressee = exterior["addressee"]
        capture.return_address = exterior["return_address"]
        if capture.image:
            with default_storage.open(capture.image, "rb") as stored:
                data = sealing.unseal(
                    key, sealing.image_context(capture.order_id, capture.image), stored.read()
                )
            digest = PurePosixPath(capture.image).name
            name = f"captures/{digest[:2]}/{digest}"
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(data))
            capture.image = name
        capture.save(update_fields=["imb", "addressee", "return_address", "image"])


class Migration(migrations.Migration):
    dependencies = [
        ("covers", "0003_captures"),
    ]

    operations = [
        migrations.AddField(
            model_name="capture",
            name="sealed",
            field=models.BinaryField(null=True),
        ),
        migrations.RunPython(seal_existing, open_existing),
        migrations.RemoveField(model_name="capture", name="imb"),
        migrations.RemoveField(model_name="capture", name="addressee"),
        migrations.RemoveField(model_name="capture", name="return_address"),
        migrations.AlterField(
            model_name="capture",
            name="sealed",
            field=models.BinaryField(),
        ),
    ]
