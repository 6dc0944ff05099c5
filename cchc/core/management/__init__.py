"""What the project's periodic commands share."""

import time


def repeat(step, every: int) -> None:
    """Run `step()` once, or, with `every` > 0, every `every` seconds until Ctrl+C (the
    `--every N` of the commands `make run` keeps running in the background)."""
    while True:
        step()
        if not every:
            return
        try:
            time.sleep(every)
        except KeyboardInterrupt:
            return
