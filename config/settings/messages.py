"""``make messages`` only: makemessages writes the strings of every package (cms, blocks, api, frontend_hooks)
into the one catalogue the plugin ships, cms/locale. It files a source file under the nearest ``locale``
directory of its package and everything else under ``LOCALE_PATHS[0]``; at run time the catalogue is the cms
app's and LOCALE_PATHS stays empty (base.py)."""

from .dev import *  # noqa: F403
from .dev import BASE_DIR

LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
