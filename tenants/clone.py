"""A partner schema cloned from the template at a flat cost: one prepared DDL script, one round trip.

django-tenants' `clone_schema()` SQL function reads catalog views (`information_schema`, `pg_indexes`, …)
filtered by schema name; each read scans the catalog rows of every schema, so the N-th partner's clone costs
O(N) and provisioning N partners O(N²) (1.34 s a partner for the first 100, 1.99 s for the next 100).

Here the template's DDL is read once per migration state with queries that start from the template's own
namespace and reach its catalog rows through indexes only: the objects that depend on the namespace in
`pg_depend`, then `pg_index.indrelid`, `attrelid`, `conrelid`, `tgrelid` (cost of the template's ~220 relations,
not of the database: pg_class has no index on `relnamespace`, and a filter on it read every partner's rows, 5 s
for one read at 500 partners, 0.15 s now). Every name is schema-qualified (`search_path` = `pg_catalog` while
reading), and the script is kept in this process with the template's schema name replaced. Provisioning a partner
runs that script in one statement batch (on Citus one statement at a time: it sends each DDL to the node holding
the schema): `CREATE SCHEMA`, the tables, the template's rows (`django_migrations`, `django_content_type`), the
sequences' positions, then constraints, indexes, foreign keys and last the change-capture triggers (so copying
rows marks nothing dirty). The script is keyed by the template's fingerprint (its objects, relations, columns,
constraints, triggers, anything the reader refuses, and its recorded migrations), read before every clone through
the same indexes, so any change of the template makes the next clone read it again.

A template holding objects this reader does not copy (views, functions, types, partitions, policies, grants,
comments, storage options, any object in the schema but a table, sequence or index) is cloned with
django-tenants' function instead: same result, old cost.
tests/tenants/test_clone.py compares a clone with the template through information_schema and pg_catalog.
"""

import re
import threading

from django.db import connection

from .citus import citus_present

_CACHE: dict[tuple, str] = {}
_LOCK = threading.Lock()
PLACEHOLDER = "__clone_target_schema__"

# Every query starts from the template's namespace and reaches its catalog rows through indexes only: pg_class has
# no index on relnamespace (nor pg_constraint a usable one on connamespace), so a filter on it reads the rows of
# every partner's ~280 relations, a cost that grows with each partner (docs/scaling.md "Provisioning at a flat
# cost"). The objects that depend on the namespace (pg_depend: every relation but indexes, TOAST tables and
# composite types, and every type, function and other object created in the schema) are the starting point;
# indexes are found through their table (pg_index.indrelid), columns, constraints and triggers by relation.
OBJECTS = """
WITH objects AS (
    SELECT d.classid, d.objid FROM pg_namespace n
    JOIN pg_depend d ON d.refclassid = 'pg_namespace'::regclass AND d.refobjid = n.oid
    WHERE n.nspname = %s
), relations AS (
    SELECT objid AS oid FROM objects WHERE classid = 'pg_class'::regclass
    UNION ALL
    SELECT i.indexrelid FROM objects o, LATERAL (SELECT indexrelid FROM pg_index WHERE indrelid = o.objid) i
    WHERE o.classid = 'pg_class'::regclass
)
"""

# Anything counted here makes the template too rich for this reader: django-tenants' clone is used instead. Any
# object in the schema but a relation (functions, types, collations, statistics, …; a table's row type depends on
# its table, not on the schema), any relation but a table, sequence or index, or with grants, options, row
# security, inheritance or partitions, a comment on a relation or a column, a column with non-default storage.
UNSUPPORTED_COUNT = """
       (SELECT count(*) FROM objects WHERE classid <> 'pg_class'::regclass)
     + (SELECT count(*) FROM relations r JOIN pg_class c ON c.oid = r.oid
          WHERE c.relkind NOT IN ('r', 'S', 'i') OR c.relacl IS NOT NULL OR c.reloptions IS NOT NULL
                OR c.relrowsecurity OR c.relpersistence <> 'p' OR c.relispartition)
     + (SELECT count(*) FROM relations r JOIN pg_inherits i ON i.inhrelid = r.oid)
     + (SELECT count(*) FROM relations r JOIN pg_inherits i ON i.inhparent = r.oid)
     + (SELECT count(*) FROM relations r JOIN pg_description d ON d.objoid = r.oid
          AND d.classoid = 'pg_class'::regclass)
     + (SELECT count(*) FROM relations r JOIN pg_attribute a ON a.attrelid = r.oid
          WHERE a.attnum > 0 AND NOT a.attisdropped
            AND (a.attstattarget <> -1 OR a.attcompression <> ''
                 OR a.attstorage <> (SELECT typstorage FROM pg_type WHERE oid = a.atttypid)))
"""

UNSUPPORTED = OBJECTS + "SELECT" + UNSUPPORTED_COUNT

# Read before every clone (the cache key): changes with any object, relation, column, constraint or trigger of
# the template, and with anything UNSUPPORTED_COUNT counts (so a template made too rich is read again, refused).
FINGERPRINT = (
    OBJECTS  # noqa: S608 -- constant text
    + """
SELECT (SELECT count(*) FROM objects),
       (SELECT max(objid::bigint) FROM objects),
       (SELECT count(*) FROM relations),
       (SELECT max(oid::bigint) FROM relations),
       (SELECT sum((SELECT count(*) FROM pg_attribute WHERE attrelid = r.oid)) FROM relations r),
       (SELECT sum((SELECT count(*) FROM pg_constraint WHERE conrelid = r.oid)) FROM relations r),
       (SELECT sum((SELECT count(*) FROM pg_trigger WHERE tgrelid = r.oid)) FROM relations r),"""
    + UNSUPPORTED_COUNT
)

TABLES = (
    OBJECTS
    + """
SELECT c.oid, quote_ident(c.relname) FROM objects o JOIN pg_class c ON c.oid = o.objid
WHERE o.classid = 'pg_class'::regclass AND c.relkind = 'r' ORDER BY c.oid
"""
)

COLUMNS = """
SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
       CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END,
       a.attnotnull, a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
       s.seqrelid::regclass::text, s.seqtypid::regtype::text, s.seqincrement, s.seqmin, s.seqmax, s.seqstart,
       s.seqcache, s.seqcycle
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refclassid = 'pg_class'::regclass
     AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
     AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'i'
LEFT JOIN pg_sequence s ON s.seqrelid = dep.objid
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

SEQUENCES = (
    OBJECTS
    + """
SELECT c.oid::regclass::text, s.seqtypid::regtype::text, s.seqincrement, s.seqmin, s.seqmax, s.seqstart,
       s.seqcache, s.seqcycle, owner.refobjid::regclass::text, quote_ident(a.attname),
       EXISTS (SELECT FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = c.oid
               AND i.deptype = 'i')
FROM objects o JOIN pg_class c ON c.oid = o.objid JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_depend owner ON owner.classid = 'pg_class'::regclass AND owner.objid = c.oid AND owner.deptype = 'a'
LEFT JOIN pg_attribute a ON a.attrelid = owner.refobjid AND a.attnum = owner.refobjsubid
WHERE o.classid = 'pg_class'::regclass AND c.relkind = 'S' ORDER BY c.oid
"""
)

CONSTRAINTS = (
    OBJECTS
    + """
SELECT con.conrelid::regclass::text, quote_ident(con.conname), pg_get_constraintdef(con.oid), con.contype
FROM objects o JOIN pg_class c ON c.oid = o.objid JOIN pg_constraint con ON con.conrelid = c.oid
WHERE o.classid = 'pg_class'::regclass AND c.relkind = 'r'
ORDER BY con.contype = 'f', con.conrelid, con.oid
"""
)

INDEXES = (
    OBJECTS
    + """
SELECT pg_get_indexdef(i.indexrelid) FROM relations r JOIN pg_index i ON i.indexrelid = r.oid
WHERE NOT EXISTS (SELECT FROM pg_constraint con WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid
                  AND con.contype IN ('p', 'u', 'x'))
ORDER BY i.indexrelid
"""
)

TRIGGERS = (
    OBJECTS
    + """
SELECT pg_get_triggerdef(t.oid), t.tgenabled, t.tgrelid::regclass::text, quote_ident(t.tgname)
FROM relations r JOIN pg_trigger t ON t.tgrelid = r.oid
WHERE NOT t.tgisinternal ORDER BY t.oid
"""
)


def _sequence_options(kind, increment, minimum, maximum, start, cache, cycle, *, typed=True) -> str:
    return (
        f"{f'AS {kind} ' if typed else ''}INCREMENT BY {increment} MINVALUE {minimum} MAXVALUE {maximum} "
        f"START WITH {start} CACHE {cache}{' CYCLE' if cycle else ''}"
    )


def _column(row) -> str:
    name, kind, collation, not_null, identity, generated, default, seq, *options = row
    parts = [name, kind]
    if collation:
        parts.append(f"COLLATE {collation}")
    if identity:
        how = "ALWAYS" if identity == "a" else "BY DEFAULT"
        parts.append(f"GENERATED {how} AS IDENTITY (SEQUENCE NAME {seq} {_sequence_options(*options, typed=False)})")
    elif generated:
        parts.append(f"GENERATED ALWAYS AS ({default}) STORED")
    elif default is not None:
        parts.append(f"DEFAULT {default}")
    if not_null:
        parts.append("NOT NULL")
    return " ".join(parts)


def _read_script(cursor, template: str) -> str | None:
    """The DDL and data statements that rebuild `template` under PLACEHOLDER, or None when not supported."""
    cursor.execute(UNSUPPORTED, [template])
    if cursor.fetchone()[0]:
        return None
    statements = [f"CREATE SCHEMA {template}"]
    later, rows = [], []
    cursor.execute(SEQUENCES, [template])
    for name, *options, owner, column, is_identity in cursor.fetchall():
        source = "{template}." + name.split(".", 1)[1]
        rows.append(f"SELECT setval('{name}', last_value, is_called) FROM {source}")  # noqa: S608 -- catalog names
        if is_identity:  # created with its column
            continue
        statements.append(f"CREATE SEQUENCE {name} {_sequence_options(*options)}")
        if owner:
            later.append(f"ALTER SEQUENCE {name} OWNED BY {owner}.{column}")
    cursor.execute(TABLES, [template])
    for oid, table in cursor.fetchall():
        cursor.execute(COLUMNS, [oid])
        columns = cursor.fetchall()
        statements.append(f"CREATE TABLE {template}.{table} ({', '.join(_column(row) for row in columns)})")
        copied = ", ".join(row[0] for row in columns if not row[5])
        rows.append(
            f"INSERT INTO {template}.{table} ({copied}) OVERRIDING SYSTEM VALUE "  # noqa: S608 -- catalog names
            f"SELECT {copied} FROM {{template}}.{table}"
        )
    cursor.execute(CONSTRAINTS, [template])
    constraints, foreign_keys = [], []
    for table, name, definition, kind in cursor.fetchall():
        (foreign_keys if kind == "f" else constraints).append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    cursor.execute(INDEXES, [template])
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(TRIGGERS, [template])
    triggers = []
    for definition, enabled, table, name in cursor.fetchall():
        triggers.append(definition)
        if enabled == "D":
            triggers.append(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
        elif enabled in ("R", "A"):
            how = "REPLICA" if enabled == "R" else "ALWAYS"
            triggers.append(f"ALTER TABLE {table} ENABLE {how} TRIGGER {name}")
    # Rows before constraints, indexes and triggers (as pg_dump does): a plain copy, and nothing marked dirty.
    script = ";\n".join(statements + later + rows + constraints + indexes + foreign_keys + triggers) + ";\n"
    # Every name is qualified (search_path = pg_catalog): the template's own become the placeholder.
    script = re.sub(rf"(?<![\w.]){re.escape(template)}(?=\.|;|$)", PLACEHOLDER, script, flags=re.MULTILINE)
    return script.replace("{template}", template)


def template_script(template: str) -> str | None:
    """The cached clone script of `template` for its current state (read again after any migration of it)."""
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT, [template])
        fingerprint = cursor.fetchone()
        cursor.execute(f"SELECT count(*), max(id) FROM {template}.django_migrations")  # noqa: S608 -- a schema name
        key = (connection.alias, connection.settings_dict["NAME"], template, *fingerprint, *cursor.fetchone())
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        cursor.execute("SET search_path TO pg_catalog")
        try:
            script = _read_script(cursor, template)
        finally:
            cursor.execute(f"SET search_path TO {search_path}")
    with _LOCK:
        _CACHE[key] = script
    return script


def schema_clone(template: str, schema: str) -> bool:
    """Create `schema` as a copy of `template` (structure, rows, sequence positions); False if not supported."""
    script = template_script(template)
    if script is None:
        return False
    script = script.replace(PLACEHOLDER, schema)
    with connection.cursor() as cursor:
        if citus_present():  # Citus sends each DDL to the node holding the schema as one command
            for statement in script.split(";\n"):
                if statement.strip():
                    cursor.execute(statement)
        else:
            cursor.execute(script)
    return True
