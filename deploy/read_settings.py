"""The settings deploy/backup.sh and deploy/restore.sh need, as shell assignments: the database to dump or
restore into (engine, name, libpq environment) and the media directory. Read through Django, so that the
scripts see exactly what the site uses. ``purpose``: backup or restore."""

import os
import shlex
import sys

# Run as a file from deploy/: the project (config.settings) is its parent directory.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import dj_database_url  # noqa: E402
from django.conf import settings  # noqa: E402

purpose = sys.argv[1]
action = {"backup": "copied", "restore": "restored"}[purpose]


def emit(name, value):
    print(f"{name}={shlex.quote(str(value))}")


database = dict(settings.DATABASES["default"])
if os.environ.get("CMS_BACKUP_DATABASE_URL"):
    database = dj_database_url.parse(os.environ["CMS_BACKUP_DATABASE_URL"])
engine = database["ENGINE"]
if engine.endswith("sqlite3"):
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        sys.exit(f"the SQLite database {name!r} is not a file that can be {action}")
    emit("DB_ENGINE", "sqlite")
    emit("DB_NAME", os.path.abspath(name))
    emit("DB_LABEL", "SQLite " + os.path.abspath(name))
elif engine.endswith(("postgresql", "postgis")):
    libpq = {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "sslcrl": "PGSSLCRL",
        "connect_timeout": "PGCONNECT_TIMEOUT",
        "options": "PGOPTIONS",
        "target_session_attrs": "PGTARGETSESSIONATTRS",
        "passfile": "PGPASSFILE",
        "service": "PGSERVICE",
    }
    pg = {
        "PGDATABASE": database.get("NAME"),
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGAPPNAME": f"novads-cms-{purpose}",
    }
    for key, value in (database.get("OPTIONS") or {}).items():
        if key in libpq:
            pg[libpq[key]] = value
    if not pg["PGDATABASE"]:
        sys.exit("the database URL names no database")
    emit("DB_ENGINE", "postgresql")
    emit("DB_NAME", pg["PGDATABASE"])
    where = f"{pg['PGHOST'] or 'local socket'}{':' + str(pg['PGPORT']) if pg['PGPORT'] else ''}"
    emit("DB_LABEL", f"PostgreSQL {pg['PGDATABASE']} on {where}")
    print("PG_ENV=(" + " ".join(shlex.quote(f"{k}={v}") for k, v in pg.items() if v not in (None, "")) + ")")
else:
    sys.exit(f"unsupported database engine {engine}")
emit("MEDIA_ROOT", os.path.abspath(str(settings.MEDIA_ROOT)))
