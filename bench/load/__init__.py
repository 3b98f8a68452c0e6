"""``make load``: a bounded Locust scenario against gunicorn, PostgreSQL, Redis and Celery (bench/README.md)."""
