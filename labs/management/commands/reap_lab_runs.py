"""Recover lab runs whose worker died or that never reached the broker: requeue once, then
fail with the reason. Runs beside the workers (`make run`, the Procfile's `reaper`); several
copies are safe, since every change is a conditional update."""

import logging
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from labs.services import reap_stale_runs

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Requeue or fail lab runs whose worker stopped responding (every 15 s, or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--every", type=float, default=15.0, help="Seconds between passes (default 15)."
        )

    def handle(self, *args, once: bool = False, every: float = 15.0, **options) -> None:
        if once:
            self.stdout.write(f"{reap_stale_runs()} run(s) recovered")
            return
        self.stdout.write(f"Recovering stale lab runs every {every:g} s (Ctrl-C stops)")
        while True:
            try:
                close_old_connections()
                touched = reap_stale_runs()
                if touched:
                    log.info("recovered %s lab run(s)", touched)
            except Exception:  # a database hiccup must not stop the reaper
                log.exception("recovering stale lab runs failed")
            time.sleep(every)
