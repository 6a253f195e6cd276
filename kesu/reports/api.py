"""`/api/v1/reports/…`: the statistics and the documents as JSON and as files."""

from ninja import Router

router = Router(tags=["reports"])
