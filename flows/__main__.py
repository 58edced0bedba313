"""`python -m flows` and the `digitise` command."""

import sys

from flows import early_server


def main() -> None:
    early_server.launch(sys.argv[1:2])  # before the imports below, which take seconds
    from flows.cli import app

    app()


if __name__ == "__main__":
    main()
