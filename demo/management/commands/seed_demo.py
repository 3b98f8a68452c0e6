"""``manage.py seed_demo``: load the demo data (idempotent): the files in demo/data/, written by demo.loader."""

from django.core.management.base import BaseCommand, CommandError

from demo.loader import DemoDataError, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo programme, hubs, accounts, catalogue, adoptions, synthetic figures and "
        "learning notes. Safe to run again: it only adds what is missing."
    )

    def handle(self, *args, **options):
        try:
            seeder = seed_demo()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(seeder.summary())
