"""The outbox dispatcher, run by Celery beat every minute and once at each worker's start."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def dispatch() -> int:
    """Hand over what waits in the outbox, after each app's sweep for work a lost worker left."""
    return services.dispatch()
