"""Load Indonesian administrative regions from the CSV files of idn-area-data (clients/data)."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "regions"


def _rows(name: str):
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load_regions(apps=None, batch_size: int = 5000) -> int:
    """Insert every province, regency, district and village that is not there yet."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Province = apps.get_model("clients", "Province")
    Regency = apps.get_model("clients", "Regency")
    District = apps.get_model("clients", "District")
    Village = apps.get_model("clients", "Village")
    created = 0
    for model, name, parent_field, parent_key in (
        (Province, "provinces", None, None),
        (Regency, "regencies", "province_id", "province_code"),
        (District, "districts", "regency_id", "regency_code"),
        (Village, "villages", "district_id", "district_code"),
    ):
        existing = set(model.objects.values_list("code", flat=True))
        objects = []
        for row in _rows(name):
            if row["code"] in existing:
                continue
            fields = {"code": row["code"], "name": row["name"]}
            if parent_field:
                fields[parent_field] = row[parent_key]
            objects.append(model(**fields))
        model.objects.bulk_create(objects, batch_size=batch_size)
        created += len(objects)
    return created
