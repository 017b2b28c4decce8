"""Cache purges (placeholder: filled in below)."""


def record_purge(event, now=None):
    return None


def attempt(job_id, now=None):
    return "skipped"


def sweep(now=None, grace=None):
    return []
