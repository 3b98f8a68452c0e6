"""Running a piece of work in two threads at once, each on its own database connection (PostgreSQL tests)."""

import threading


def at_once(work, *, times: int = 2, timeout: float = 30) -> list:
    """Run ``work()`` in ``times`` threads started together; return what each returned, raising the first error."""
    from django.db import connection

    start = threading.Barrier(times, timeout=10)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(work())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return results
