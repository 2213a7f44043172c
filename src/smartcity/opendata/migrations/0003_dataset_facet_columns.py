"""Facet values on the dataset row and facet counts per organisation, state and visibility (ADR 0071).

Existing datasets are filled from the related tables; from then on ``services.reindex`` keeps both.
"""

from collections import Counter

import django.db.models.deletion
from django.db import migrations, models

PG_FILL = """
UPDATE opendata_dataset d SET
  facet_tags = coalesce((SELECT jsonb_agg(t.name ORDER BY t.name) FROM opendata_dataset_tags dt
                         JOIN opendata_tag t ON t.id = dt.tag_id WHERE dt.dataset_id = d.id), '[]'::jsonb),
  facet_groups = coalesce((SELECT jsonb_agg(g.name ORDER BY g.name) FROM opendata_dataset_groups dg
                           JOIN opendata_group g ON g.id = dg.group_id WHERE dg.dataset_id = d.id), '[]'::jsonb),
  facet_formats = coalesce((SELECT jsonb_agg(DISTINCT r.format ORDER BY r.format) FROM opendata_resource r
                            WHERE r.dataset_id = d.id AND r.state = 'active' AND r.format <> ''), '[]'::jsonb)
"""


def fill(apps, schema_editor):
    Dataset = apps.get_model("opendata", "Dataset")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FILL)
    else:
        for ds in Dataset.objects.prefetch_related("tags", "groups", "resources").iterator(chunk_size=1000):
            ds.facet_tags = sorted(t.name for t in ds.tags.all())
            ds.facet_groups = sorted(g.name for g in ds.groups.all())
            ds.facet_formats = sorted({r.format for r in ds.resources.all() if r.state == "active" and r.format})
            ds.save(update_fields=["facet_tags", "facet_groups", "facet_formats"])
    fill_counts(apps)


def fill_counts(apps):
    """The migration's copy of search.refresh_facet_counts for all organisations."""
    Dataset = apps.get_model("opendata", "Dataset")
    FacetCount = apps.get_model("opendata", "FacetCount")
    counts: Counter = Counter()
    rows = Dataset.objects.values_list("organization_id", "state", "private", "license_id", "facet_tags",
                                       "facet_groups", "facet_formats")
    for org, state, private, license_id, tags, groups, formats in rows.iterator(chunk_size=5000):
        bucket = (org, state, private)
        counts[(*bucket, "organization", str(org))] += 1
        for name, values in (("license_id", [license_id] if license_id else []), ("tags", tags),
                             ("groups", groups), ("res_format", formats)):
            for value in values:
                counts[(*bucket, name, value)] += 1
    FacetCount.objects.all().delete()
    FacetCount.objects.bulk_create(
        [FacetCount(organization_id=org, state=state, private=private, field=name, value=value, n=n)
         for (org, state, private, name, value), n in counts.items()], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("opendata", "0002_themes_and_search_indexes")]

    operations = [
        migrations.AddField("dataset", "facet_tags", models.JSONField(default=list, editable=False)),
        migrations.AddField("dataset", "facet_groups", models.JSONField(default=list, editable=False)),
        migrations.AddField("dataset", "facet_formats", models.JSONField(default=list, editable=False)),
        migrations.CreateModel(
            name="FacetCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("state", models.CharField(max_length=10)),
                ("private", models.BooleanField()),
                ("field", models.CharField(max_length=20)),
                ("value", models.CharField(max_length=500)),
                ("n", models.PositiveIntegerField()),
                ("organization", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                   to="opendata.organization")),
            ],
            options={"constraints": [models.UniqueConstraint(
                fields=("organization", "state", "private", "field", "value"), name="uniq_opendata_facetcount")]},
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
