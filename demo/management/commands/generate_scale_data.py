"""``manage.py generate_scale_data --scale N``: synthetic data for load tests (see demo.scale)."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.scale import ScaleDataError, generate_scale_data


class Command(BaseCommand):
    help = (
        "Load synthetic data at N × (50 hubs, 500 innovations, 5,000 adoptions, 36 months, "
        "5 indicators each, IMD breakdowns on reach) into its own “Scale test programme”. "
        "Does nothing if that scale is already loaded; --replace drops the scale programme's rows first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="N: 1 makes about 1.35 million figures.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the scale programme's synthetic rows (only those) and load again.",
        )

    def handle(self, *args, scale: float, replace: bool, **options):
        started = time.perf_counter()
        try:
            report = generate_scale_data(scale=scale, replace=replace, log=self.stdout.write)
        except ScaleDataError as exc:
            raise CommandError(str(exc)) from exc
        if not report.already_loaded:
            self.stdout.write(f"Loaded scale {scale:g} in {time.perf_counter() - started:.1f} s.")
