"""A list of ids as one SQL parameter, whatever its length.

`field__in=[…]` sends one parameter per id: a province is 25,000 of them (slow to build, and
past SQLite's 32,766-variable limit at two provinces). As one array (PostgreSQL) or one JSON
text (SQLite's json_each), the query stays one statement with one parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import RawSQL


def id_list(ids: Iterable[int]) -> RawSQL:
    """Use as `.filter(staff_id__in=id_list(ids))`."""
    values = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [values])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])
