"""Writes of the awards app: verdicts recorded at acceptance.

(Restored by its author after an accidental overwrite; the reconstruction matched. The
catalogue's writes are in awards/catalogue_services.py, the quota services in
awards/quota_services.py.)
"""

from __future__ import annotations

from django.db import transaction

from awards.models import RecordedVerdict


@transaction.atomic
def verdicts_record(*, verdicts: list, school_year, user) -> int:
    """Keep the verdicts the Sở accepted a dossier on (RecordedVerdict); already recorded ones stay."""
    from awards.verdicts import verdict_json

    new = [
        RecordedVerdict(registration=v.registration, status=v.verdict.status, verdict=verdict_json(v.verdict),
                        title_revision=v.registration.title.revision, regime_code=v.verdict.regime,
                        recorded_by=user)
        for v in verdicts if getattr(v, "recorded", None) is None
    ]
    RecordedVerdict.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
