"""The `srg` command (and `python -m srg_graph`).

`srg serve` first starts again with huge pages asked for (`runtime/huge_pages.py`), before the
command line's modules are imported: they take half a second, which the second start would
spend again.
"""

from __future__ import annotations

import sys

from .runtime.huge_pages import start_again_with_huge_pages


def main() -> int:
    if sys.argv[1:2] == ["serve"]:
        try:
            start_again_with_huge_pages()
        except ValueError as error:  # a setting it reads is not one of its values
            sys.stderr.write(f"srg: {error}\n")
            return 2
    from .cli import main as command

    return command()


if __name__ == "__main__":
    sys.exit(main())
