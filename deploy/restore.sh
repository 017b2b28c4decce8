#!/usr/bin/env bash
# Restore a backup of deploy/backup.sh into the database and media directory of the settings.
#
#   deploy/restore.sh [--yes] [--env-file FILE] [--allow-unknown-migrations] BACKUP_DIR
#
# Steps, stopping at the first problem:
#   1. checks the backup: every file against SHA256SUMS and the manifest; a damaged backup touches nothing;
#   2. refuses when the target database or media directory is not empty, unless --yes is given;
#   3. refuses a backup with migrations this code does not know (it comes from a newer release: deploy that
#      release first), unless --allow-unknown-migrations;
#   4. the database. PostgreSQL: a database that does not exist is created (createdb; the role needs CREATEDB);
#      an existing one is emptied (every table, view, sequence, routine, type and text search configuration of
#      its public schema, where Django keeps its tables; extensions stay) and loaded from the dump (pg_restore
#      --no-owner --no-privileges), both in ONE transaction: when anything fails, the database is left as it was.
#      SQLite: the file is overwritten through SQLite's backup API (sqlite3 .restore, or Python's sqlite3).
#   5. the media directory: the archive is unpacked beside the old files, which are then replaced;
#   6. manage.py migrate --noinput: a backup of an older release is brought up to this code's schema;
#   7. the caches: every key of the cache aliases (with Redis: only under their own key prefixes) is deleted
#      and the API cache's generations are bumped, so no response cached before the restore is served;
# and says what it did.
#
# Stop the web server, the workers and the timers first (docs/deployment.md, "Restore from backup"), and
# run it as the service user, with the service's environment: --env-file /etc/novads-cms/novads-cms.env.
# DJANGO_SETTINGS_MODULE defaults to config.settings.production. CMS_BACKUP_DATABASE_URL, when set, is used
# instead of DATABASE_URL by the PostgreSQL tools (PostgreSQL itself where DATABASE_URL names a pooler).
#
# Exit status: 0 restored, 1 failed, 2 refused (not empty without --yes; unknown migrations), 3 backup damaged.
set -euo pipefail
# The restored media files: readable by the service's group (the proxy serving /media/), as the service
# itself writes them (UMask=0027 in the units).
umask 027

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=${0##*/}

usage() { sed -n '2,/^[^#]/{/^#/!d;s/^# \{0,1\}//;p}' "$0"; }
die() {
  echo "$PROG: $*" >&2
  exit 1
}
refuse() {
  echo "$PROG: refused: $*" >&2
  exit 2
}
damaged() {
  echo "$PROG: the backup is damaged: $*" >&2
  exit 3
}
say() { echo "==> $*"; }

yes=
allow_unknown=
env_file=
backup=
while [ $# -gt 0 ]; do
  case $1 in
    --yes) yes=1; shift ;;
    --allow-unknown-migrations) allow_unknown=1; shift ;;
    --env-file) env_file=${2:?--env-file needs a file}; shift 2 ;;
    --env-file=*) env_file=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
      [ -z "$backup" ] || die "one backup directory only (see --help)"
      backup=$1
      shift
      ;;
  esac
done
[ -n "$backup" ] || { usage >&2; exit 64; }
[ -d "$backup" ] || die "no backup directory at $backup"
backup=$(cd "$backup" && pwd)
if [ -n "$env_file" ]; then
  [ -r "$env_file" ] || die "cannot read $env_file"
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
fi
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.production}
# The metrics directory is the long-running services' (deploy/systemd): a short command would only leave files
# there for every scrape to read, or fail where the directory is missing or not writable by whoever runs this.
unset PROMETHEUS_MULTIPROC_DIR
PYTHON=${CMS_PYTHON:-$ROOT/.venv/bin/python}
SQLITE3=${CMS_SQLITE3-sqlite3}
[ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null || die "no Python at $PYTHON (set CMS_PYTHON)"
for tool in tar sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

# --- 1. the backup is whole ------------------------------------------------------------------------------------
[ -f "$backup/SHA256SUMS" ] || damaged "no SHA256SUMS in $backup"
# Only plain file names: a checksum list must not send sha256sum (or this script) elsewhere.
if awk '{ sub(/^[^ ]+ [ *]/, ""); if ($0 ~ /\// || $0 ~ /^\.\.?$/) bad = 1 } END { exit !bad }' "$backup/SHA256SUMS"; then
  damaged "SHA256SUMS names files outside the backup directory"
fi
(cd "$backup" && sha256sum --check --strict --quiet SHA256SUMS) || damaged "checksums do not match (see above)"
manifest=$(cd "$backup" && "$PYTHON" - <<'PY'
import hashlib
import json
import shlex
import sys

listed = {}
with open("SHA256SUMS") as file:
    for line in file:
        digest, name = line.rstrip("\n").split(None, 1)
        listed[name.lstrip("*")] = digest
manifest = json.load(open("manifest.json"))
database_file = manifest["database"]["file"]
expected = {database_file, "media.tar", "migrations.txt", "manifest.json"}
if set(listed) != expected:
    sys.exit(f"SHA256SUMS lists {sorted(listed)}, expected {sorted(expected)}")
for name, info in manifest["files"].items():
    if name not in listed or listed[name] != info["sha256"]:
        sys.exit(f"manifest.json and SHA256SUMS disagree about {name}")
if manifest.get("format") != 1:
    sys.exit(f"unknown backup format {manifest.get('format')!r}")


def emit(name, value):
    print(f"{name}={shlex.quote(str(value))}")


emit("BK_ENGINE", manifest["database"]["engine"])
emit("BK_DB_FILE", database_file)
emit("BK_CREATED_AT", manifest["created_at"])
emit("BK_HOST", manifest.get("host", "?"))
emit("BK_SOURCE", manifest["database"].get("source", "?"))
emit("BK_COMMIT", (manifest["code"].get("commit") or "unknown")[:12])
emit("BK_MIGRATIONS", manifest["migrations"]["count"])
emit("BK_MEDIA_FILES", manifest["media"]["files"])
PY
) || damaged "manifest.json does not match the files (see above)"
eval "$manifest"
say "backup $(basename "$backup"): made $BK_CREATED_AT on $BK_HOST from $BK_SOURCE (code $BK_COMMIT), checksums OK"

# --- the target: the settings' database and media directory -----------------------------------------------------
PG_ENV=()
settings=$(cd "$ROOT" && "$PYTHON" "$ROOT/deploy/read_settings.py" restore) || die "could not read the settings ($DJANGO_SETTINGS_MODULE); is the environment set (--env-file)?"
eval "$settings"
[ "$DB_ENGINE" = "$BK_ENGINE" ] ||
  refuse "the backup is of a $BK_ENGINE database and the settings name a $DB_ENGINE one ($DB_LABEL)"

pg() { (export "${PG_ENV[@]}"; exec "$@"); }
psql_quiet() { pg psql --no-psqlrc --no-password --quiet --tuples-only --no-align "$@"; }
sqlite_has_cli() { [ -n "$SQLITE3" ] && command -v "$SQLITE3" >/dev/null; }
sqlite_query() {
  if sqlite_has_cli; then
    "$SQLITE3" -batch -noheader "$1" "$2"
  else
    "$PYTHON" -c 'import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    for row in db.execute(sys.argv[2]):
        print(*row, sep="|")' "$1" "$2"
  fi
}

# What makes a database "not empty": tables and views of the public schema that no extension owns.
RELATIONS="FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"

# --- 2. is there anything to overwrite? -------------------------------------------------------------------------
db_state=
db_objects=0
if [ "$DB_ENGINE" = postgresql ]; then
  for tool in pg_restore psql createdb; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install postgresql-client)"
  done
  if db_objects=$(psql_quiet -c "SELECT count(*) $RELATIONS" 2>/dev/null); then
    db_state=exists
  else
    # Is it missing, or unreachable? Ask the server's maintenance database.
    found=$(printf '%s\n' "SELECT count(*) FROM pg_database WHERE datname = :'target';" |
      pg env PGDATABASE=postgres psql --no-psqlrc --no-password --quiet --tuples-only --no-align \
        --set ON_ERROR_STOP=1 --set target="$DB_NAME") ||
      die "cannot connect to $DB_LABEL nor to its server's postgres database"
    [ "$found" = 0 ] || die "cannot connect to $DB_LABEL: $(psql_quiet -c 'SELECT 1' 2>&1 | head -n 1)"
    db_state=missing
    db_objects=0
  fi
else
  if [ -f "$DB_NAME" ]; then
    db_state=exists
    db_objects=$(sqlite_query "$DB_NAME" "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
  else
    db_state=missing
  fi
fi
media_entries=0
if [ -d "$MEDIA_ROOT" ]; then
  media_entries=$(find -H "$MEDIA_ROOT" -mindepth 1 ! -type d | wc -l)
fi
if [ "$db_objects" -gt 0 ] || [ "$media_entries" -gt 0 ]; then
  what="$DB_LABEL has $db_objects table(s) and view(s); $MEDIA_ROOT has $media_entries file(s)"
  [ -n "$yes" ] || refuse "$what. They would be replaced: run again with --yes to do so."
  say "replacing what is there (--yes): $what"
fi

# --- 3. can this code run on that database? ---------------------------------------------------------------------
unknown=$(cd "$ROOT" && "$PYTHON" - "$backup/migrations.txt" <<'PY'
import sys

import django

django.setup()
from django.db.migrations.loader import MigrationLoader  # noqa: E402

loader = MigrationLoader(None, ignore_no_migrations=True)
known = set(loader.disk_migrations)
for migration in loader.disk_migrations.values():
    known.update(migration.replaces)  # a squashed migration stands for the ones it replaces
with open(sys.argv[1]) as file:
    for line in file:
        app, _sep, name = line.strip().partition(".")
        if (app, name) not in known:
            print(f"{app}.{name}")
PY
) || die "could not load this code's migrations"
if [ -n "$unknown" ]; then
  count=$(printf '%s\n' "$unknown" | wc -l)
  list=$(printf '%s\n' "$unknown" | head -n 5 | paste -sd, -)
  if [ -z "$allow_unknown" ]; then
    refuse "the backup has $count migration(s) this code does not know ($list...): it comes from a newer release. Deploy that release, then restore (or --allow-unknown-migrations)."
  fi
  say "warning: $count migration(s) unknown to this code ($list...), restoring anyway (--allow-unknown-migrations)"
fi

# --- 4. the database ---------------------------------------------------------------------------------------------
t0=$(date +%s)
if [ "$DB_ENGINE" = postgresql ]; then
  if [ "$db_state" = missing ]; then
    pg createdb --no-password --template=template0 --encoding=UTF8 "$DB_NAME" ||
      die "could not create $DB_LABEL (the role needs CREATEDB, or create it empty first)"
    db_action="created database $DB_NAME"
  else
    others=$(psql_quiet -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    if [ "$others" -gt 0 ]; then
      say "warning: $others other session(s) are connected to $DB_NAME: they should be stopped (web server, workers, timers)"
    fi
    db_action="emptied $DB_NAME (its $db_objects table(s) and view(s) dropped)"
  fi
  # One transaction: the old contents go and the backup's come in, or nothing changes. Another session holding
  # a lock (a web server still running) makes it fail after a minute instead of stalling the site behind it.
  {
    cat <<'SQL'
SET client_min_messages = warning;
SET lock_timeout = '60s';
DO $restore$
DECLARE
  statement text;
BEGIN
  FOR statement IN
    SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                 WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                  n.nspname, c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      -- identity and serial sequences belong to their column and go with its table
      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                                           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
    ORDER BY c.relkind IN ('v', 'm') DESC, c.relkind = 'S'
  LOOP
    EXECUTE statement;
  END LOOP;
  FOR statement IN
    SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
                  pg_get_function_identity_arguments(p.oid))
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE statement;
  END LOOP;
  FOR statement IN
    SELECT format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_class c ON c.oid = t.typrelid
    WHERE n.nspname = 'public' AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE statement;
  END LOOP;
  -- Text search configurations of its own (cms migration 0012's simple_unaccent), not an extension's.
  FOR statement IN
    SELECT format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %I.%I CASCADE', n.nspname, c.cfgname)
    FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_ts_config'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE statement;
  END LOOP;
END
$restore$;
SQL
    # Owned by whoever restores (the application's role), without the source's grants: roles of the machine
    # the backup came from need not exist here.
    pg_restore --no-owner --no-privileges --no-publications --no-subscriptions --file=- "$backup/$BK_DB_FILE"
  } | pg psql --no-psqlrc --no-password --quiet --single-transaction --set ON_ERROR_STOP=1 --output=/dev/null ||
    die "the restore into $DB_LABEL failed and was rolled back: the database is as it was (media untouched)"
else
  mkdir -p "$(dirname "$DB_NAME")"
  if sqlite_has_cli; then
    # From inside the backup directory, so that no path has to be quoted for a dot-command.
    (cd "$backup" && "$SQLITE3" -batch -cmd ".timeout 20000" "$DB_NAME" ".restore $BK_DB_FILE")
  else
    "$PYTHON" -c 'import sqlite3, sys
source = sqlite3.connect(sys.argv[1])
target = sqlite3.connect(sys.argv[2], timeout=20)
with target:
    source.backup(target)
target.close()
source.close()' "$backup/$BK_DB_FILE" "$DB_NAME"
  fi
  integrity=$(sqlite_query "$DB_NAME" 'PRAGMA integrity_check')
  [ "$integrity" = ok ] || die "$DB_NAME fails its integrity check after the restore: $integrity"
  if [ "$db_state" = missing ]; then db_action="created $DB_NAME"; else db_action="overwrote $DB_NAME"; fi
fi
say "database: $db_action and loaded $BK_DB_FILE ($(($(date +%s) - t0)) s)"

# --- 5. the media files ------------------------------------------------------------------------------------------
# Unpacked into a directory inside the media root first (same file system: the moves below are renames, and
# the media root itself may be a mount point that cannot be replaced), then the old entries go and the new
# ones move up.
mkdir -p "$MEDIA_ROOT"
MEDIA_ROOT=$(cd "$MEDIA_ROOT" && pwd -P) # a symlinked media root: work in the directory it points to
staging=$(mktemp -d "$MEDIA_ROOT/.novads-cms-restore.XXXXXX")
tar --extract --file="$backup/media.tar" --directory="$staging" || die "could not unpack media.tar into $staging"
find "$MEDIA_ROOT" -mindepth 1 -maxdepth 1 ! -path "$staging" -exec rm -rf -- {} +
find "$staging" -mindepth 1 -maxdepth 1 -exec mv -- {} "$MEDIA_ROOT/" \;
rmdir "$staging"
restored_files=$(find "$MEDIA_ROOT" -mindepth 1 ! -type d | wc -l)
[ "$restored_files" -eq "$BK_MEDIA_FILES" ] ||
  die "media: $restored_files file(s) in $MEDIA_ROOT after unpacking, the backup has $BK_MEDIA_FILES"
say "media: $restored_files file(s) in $MEDIA_ROOT (replaced $media_entries)"

# --- 6. and 7. this code's schema, and no cached answer from before ----------------------------------------------
say "manage.py migrate --noinput, then the caches"
(cd "$ROOT" && "$PYTHON" manage.py shell --no-imports -c '
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=1)

for alias in settings.CACHES:
    cache = caches[alias]
    if hasattr(cache, "delete_pattern"):
        # django-redis: its own KEY_PREFIX only (clear() would FLUSHDB the whole Redis database).
        deleted = cache.delete_pattern("*")
        print(f"cache {alias}: {deleted} key(s) deleted")
    else:
        cache.clear()
        print(f"cache {alias}: cleared ({type(cache).__name__}: each server process has its own, restart them)")

# Fresh generations, announced to running server processes over Redis pub/sub (api.generations): their
# in-process copies of responses are stamped with the old ones.
from api import cache as api_cache  # noqa: E402

api_cache.bump(api_cache.EVERYTHING, api_cache.PRIVACY)
print("API cache: every generation bumped")
') || die "migrate or the cache clean-up failed (the database and media are restored): fix it, then run manage.py migrate"

say "restored $(basename "$backup") ($BK_MIGRATIONS migrations, $BK_MEDIA_FILES media files) into $DB_LABEL and $MEDIA_ROOT"
cat <<EOF
Next:
  - start the web server, the workers and the timers;
  - tell the front-end team: the change feed is back at $BK_CREATED_AT, and the ids of the events written
    after it will be given out again; a front-end that stored a cursor must resync from the listings.
EOF
