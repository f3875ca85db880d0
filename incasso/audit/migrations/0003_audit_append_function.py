"""``audit_append(entries jsonb)``: append audit entries in one round trip on PostgreSQL.

Appending used to take three statements from Python (lock the chain head, insert, move the head), each a round trip
and a statement to parse and plan; a case read pays for its audit row on every request. The function does the same
three steps inside the database, with plans PL/pgSQL keeps per connection:

- lock the head row (``FOR UPDATE``): appends stay serialised, so the chain never forks;
- chain each entry: SHA-256 over the bytes ``{"content":<content>,"prev_hash":"<hash before>","sequence":<n>}``,
  which is exactly ``incasso.domain.audit_chain.link_hash`` (the canonical JSON of that envelope), so
  ``incasso audit verify`` recomputes every hash in Python as before;
- insert the rows, their columns read from the very content that was hashed, and move the head.

``entries`` is a JSON array of the entries' canonical content texts (``chain.row_content``, encoded by
``domain.audit_chain.canonical_text``). The answer is the first new sequence, the hash it follows and the new hashes
run together (64 characters each); no row when the head does not exist (emptied by the test runner): the caller
makes it (``incasso.audit.append``) and asks again. SQLite has no such function: there Python does the same steps.

It imports no app code, and does nothing on other databases.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_append(entries jsonb, OUT first_sequence bigint, OUT first_prev_hash varchar, OUT hashes text)
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_digest text;
    content text;
    n integer := 0;
    prevs text[] := '{}';
    digests text[] := '{}';
BEGIN
    SELECT head.last_sequence, head.last_hash INTO last_seq, last_digest
        FROM audit_auditchainhead AS head WHERE head.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    first_sequence := last_seq + 1;
    first_prev_hash := last_digest;
    FOR content IN SELECT jsonb_array_elements_text(entries) LOOP
        n := n + 1;
        prevs[n] := last_digest;  -- by subscript: ``prevs || x`` copies the array each time (quadratic)
        last_seq := last_seq + 1;
        last_digest := encode(sha256(convert_to(
            '{"content":' || content || ',"prev_hash":"' || last_digest || '","sequence":' || last_seq || '}',
            'UTF8'
        )), 'hex');
        digests[n] := last_digest;
    END LOOP;
    INSERT INTO audit_auditevent (sequence, occurred_at, actor_id, actor_label, action, subject_type, subject_id,
                                  fields, purpose, source, details, prev_hash, hash)
    SELECT first_sequence + e.n - 1, (c.v ->> 'occurred_at')::timestamptz, (c.v ->> 'actor_id')::integer,
           c.v ->> 'actor_label', c.v ->> 'action', c.v ->> 'subject_type', c.v ->> 'subject_id', c.v -> 'fields',
           c.v ->> 'purpose', c.v ->> 'source', c.v -> 'details', e.prev, e.digest
    FROM ROWS FROM (jsonb_array_elements_text(entries), unnest(prevs), unnest(digests))
             WITH ORDINALITY AS e(content, prev, digest, n),
         LATERAL (SELECT e.content::jsonb AS v OFFSET 0) AS c;  -- OFFSET 0: parse once, not once per column
    UPDATE audit_auditchainhead SET last_sequence = last_seq, last_hash = last_digest WHERE id = 1;
    hashes := array_to_string(digests, '');
END
$$
"""
DROP = "DROP FUNCTION audit_append(jsonb)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
