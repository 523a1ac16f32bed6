from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.backoffice.tasks import apply_edition_schedule
from surveys.models import Edition

pytestmark = pytest.mark.worker


def test_a_real_worker_opens_and_closes_waves_at_their_set_times(celery_worker):
    now = timezone.now()
    due = Edition.objects.create(
        year=2031, title="A", opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(1)
    )
    over = Edition.objects.create(
        year=2030, title="B", status="open", closes_at=now - timedelta(minutes=1)
    )
    later = Edition.objects.create(year=2032, title="C", opens_at=now + timedelta(hours=1))

    assert apply_edition_schedule.delay().get(timeout=30) == {"opened": [2031], "closed": [2030]}
    assert [
        e.status
        for e in Edition.objects.filter(pk__in=[due.pk, over.pk, later.pk]).order_by("year")
    ] == [
        "closed",
        "open",
        "draft",
    ]
    assert due.events.get().actor == "automatique"
