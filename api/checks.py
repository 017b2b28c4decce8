"""System checks of the delivery API's wiring."""

from django.conf import settings
from django.core import checks

MIDDLEWARE = "api.middleware.CachedApiResponseMiddleware"


@checks.register()
def check_cache_middleware_is_last(app_configs=None, **kwargs):
    """The response cache stores what the views build and answers hits from the last middleware: without it
    nothing is cached; anywhere but last, a hit would skip the middleware below it and differ from a miss."""
    middleware = list(settings.MIDDLEWARE)
    if middleware and middleware[-1] == MIDDLEWARE:
        return []
    return [
        checks.Error(
            f"{MIDDLEWARE} must be the last entry of MIDDLEWARE.",
            hint="It answers cached API responses and stores new ones; every other middleware must run around it "
            "so that cached and fresh responses are the same.",
            id="api.E001",
        )
    ]
