"""The `kesu` command: Django's management commands under the product's name.

kesu serve [--port N] [--demo]    kesu user create ...    kesu token create USERNAME
kesu import FILE.xlsx|csv         kesu export [FILE]      kesu migrate / shell / ...
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    from django.core.management import execute_from_command_line

    from kesu.envconfig import ConfigError

    args = list(sys.argv if argv is None else argv)
    args[0] = "kesu"
    try:
        execute_from_command_line(args)
    except ConfigError as error:  # names the variable or file: a traceback would add nothing
        print(f"kesu: configuration error: {error}", file=sys.stderr)
        return 2
    return 0
