"""JSON as stored in the database: no padding, Chinese as itself (3 bytes, not 6 as \\uXXXX)."""

from django.core.serializers.json import DjangoJSONEncoder


class CompactJSONEncoder(DjangoJSONEncoder):
    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        kwargs["separators"] = (",", ":")
        super().__init__(*args, **kwargs)
