"""Train entry (contract: docs/contract.md): all work is in garbage.train_main."""

from garbage.train_main import exit_without_teardown, main

if __name__ == "__main__":
    exit_without_teardown(main())
