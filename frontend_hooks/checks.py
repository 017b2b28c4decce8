"""Start-up checks: the worker's task backend exists and can defer tasks (retries are deferred)."""

from django.core import checks


@checks.register()
def check_task_backend(app_configs=None, **kwargs):
    from django_tasks import task_backends
    from django_tasks.exceptions import InvalidTaskBackendError

    from .tasks import backend_alias

    alias = backend_alias()
    try:
        backend = task_backends[alias]
    except InvalidTaskBackendError:
        return [
            checks.Error(
                f"TASKS has no backend {alias!r} for webhook deliveries and cache purges.",
                hint=f"Add TASKS[{alias!r}] = {{'BACKEND': 'django_tasks_db.DatabaseBackend', "
                "'QUEUES': ['frontend_hooks']} and run `manage.py run_frontend_hooks`, or name another backend "
                "in CMS_FRONTEND_HOOKS_TASK_BACKEND.",
                id="frontend_hooks.E001",
            )
        ]
    if not backend.supports_defer:
        return [
            checks.Error(
                f"The task backend {alias!r} cannot defer tasks; webhook retries need it.",
                hint="Use django_tasks_db.DatabaseBackend (a publish must never wait for a receiver).",
                id="frontend_hooks.E002",
            )
        ]
    return []
