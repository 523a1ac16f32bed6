"""Formerly filled the pre-aggregated counts by calling the application's code.

A migration must not import live code (a later change of that code would break a fresh
`migrate`), so the fill is now the deploy step `manage.py recount_results`, which the nightly
recount also does. On a database created empty, there is nothing to fill.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0003_resultcount"),
        ("surveys", "0001_initial"),
    ]

    operations = []
