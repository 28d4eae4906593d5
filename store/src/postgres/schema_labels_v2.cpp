// Schema version 2, the label log: a commit is checked on its row, whoever sends it and however.
#include "postgres/schema.hpp"

namespace pcanno::store::postgres {

// Run as the migrating superuser, before anything changes: the rows version 1's raw SQL could
// have left behind and version 2 would choke on, named, so that an operator can fix them. (As
// pcanno_owner these reads would see nothing: row-level security is forced on the owner too.)
const char* labels_v2_checks() {
  return R"SQL(
DO $$
DECLARE
  bad text;
  r record;
BEGIN
  SELECT string_agg(t.id::text, ', ' ORDER BY t.id) INTO bad FROM pcanno.tasks t
   WHERE t.version <> coalesce(
     (SELECT max(c.version) FROM pcanno.label_commits c WHERE c.task_id = t.id), 0);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'schema version 2: the version of task(s) % disagrees with their label log',
      bad USING ERRCODE = 'data_exception',
      HINT = 'see docs/store-operator.md, Upgrading; nothing was changed';
  END IF;
  bad := '';
  FOR r IN SELECT task_id, version, edits FROM pcanno.label_commits LOOP
    BEGIN
      PERFORM r.edits::json;
    EXCEPTION WHEN data_exception THEN
      bad := bad || format(' task %s version %s;', r.task_id, r.version);
    END;
  END LOOP;
  IF bad <> '' THEN
    RAISE EXCEPTION 'schema version 2: label commits that are not JSON:%', bad
      USING ERRCODE = 'data_exception',
      HINT = 'see docs/store-operator.md, Upgrading; nothing was changed';
  END IF;
END
$$;
)SQL";
}

// Run as pcanno_owner. Version 1 checked the lease, the version and the state only inside the
// client's commit function, so an assignee with psql could append a commit without the lease, at
// any version, on a handed-in task, move the version counter by hand and rewrite snapshots.
const char* labels_v2() {
  return R"SQL(
-- json, not text: the type refuses what does not parse and keeps the text as written.
ALTER TABLE pcanno.label_commits ALTER COLUMN edits TYPE json USING edits::json;

-- Snapshots are compaction, an admin's job: new rows at a version the log has reached. Nobody
-- rewrites one; the server cannot check that a document equals the log it stands for.
REVOKE INSERT, UPDATE ON pcanno.label_snapshots FROM pcanno_annotator;
REVOKE UPDATE ON pcanno.label_snapshots FROM pcanno_admin;
DROP POLICY assignee_insert ON pcanno.label_snapshots;
DROP POLICY assignee_update ON pcanno.label_snapshots;
CREATE FUNCTION pcanno.check_snapshot() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  current bigint;
BEGIN
  SELECT tk.version INTO current FROM pcanno.tasks tk WHERE tk.id = NEW.task_id;
  IF NOT FOUND OR NEW.version < 0 OR NEW.version > current THEN
    RAISE EXCEPTION 'task %: no snapshot at version %, the log is at version %', NEW.task_id,
      NEW.version, current USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER label_snapshots_check BEFORE INSERT ON pcanno.label_snapshots
  FOR EACH ROW EXECUTE FUNCTION pcanno.check_snapshot();

-- Runs as the caller: the row lock and the read of the task obey the caller's grants and
-- policies, like the insert itself. Times are the statement's, not the transaction's: a psql
-- session cannot backdate by holding a transaction open, nor keep a lapsed lease alive.
CREATE FUNCTION pcanno.check_label_commit() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t record;
  body jsonb;
BEGIN
  NEW.author := current_user;
  NEW.at := statement_timestamp();
  SELECT tk.state AS s, tk.version AS v, tk.lease_holder AS h,
         coalesce(tk.lease_expires_at > clock_timestamp(), false) AS live
    INTO t FROM pcanno.tasks tk WHERE tk.id = NEW.task_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'task % does not exist or is not visible to %', NEW.task_id, current_user
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF t.s NOT IN ('new', 'in_progress', 'rejected') THEN
    RAISE EXCEPTION 'task % is %: its labels are frozen', NEW.task_id, t.s
      USING ERRCODE = 'check_violation';
  END IF;
  IF NOT t.live OR t.h IS DISTINCT FROM current_user THEN
    RAISE EXCEPTION '% does not hold the lease on task %', current_user, NEW.task_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.version IS DISTINCT FROM t.v + 1 THEN
    RAISE EXCEPTION 'task % is at version %: the next commit is version %, not %', NEW.task_id,
      t.v, t.v + 1, NEW.version USING ERRCODE = 'check_violation';
  END IF;
  -- The engine's shape, {"edits": [{"op": ...}, ...]}: a commit that the loader would stop at
  -- (labels() names the version it cannot read) is refused here instead.
  -- Parsed once (jsonb); the json column keeps the text as written.
  body := NEW.edits::jsonb -> 'edits';
  IF jsonb_typeof(body) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'a label commit''s edits must be a JSON object with an "edits" array'
      USING ERRCODE = 'check_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(body) e
             WHERE jsonb_typeof(e) <> 'object' OR jsonb_typeof(e -> 'op') IS DISTINCT FROM 'string')
  THEN
    RAISE EXCEPTION 'every edit of a label commit is an object with an "op"'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER label_commits_check BEFORE INSERT ON pcanno.label_commits
  FOR EACH ROW EXECUTE FUNCTION pcanno.check_label_commit();

-- The version counts commits: it moves here and nowhere else (tasks_check refuses any other
-- change), and every commit, however sent, marks the change feed.
CREATE FUNCTION pcanno.advance_version() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE pcanno.tasks SET version = NEW.version WHERE id = NEW.task_id;
  INSERT INTO pcanno.changes (task_id, kind) VALUES (NEW.task_id, 'labels');
  RETURN NULL;
END
$$;
CREATE TRIGGER label_commits_advance AFTER INSERT ON pcanno.label_commits
  FOR EACH ROW EXECUTE FUNCTION pcanno.advance_version();

-- As in version 1, less what the triggers now do, and a replay is one only when it is the same
-- person's same edits: a planted (client, seq) pair does not swallow a real commit.
CREATE OR REPLACE FUNCTION pcanno.commit_labels(p_task bigint, p_base bigint, p_token text,
                                                p_client text, p_seq bigint, p_edits text)
  RETURNS TABLE (outcome text, version bigint, holder text, expires_us bigint)
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  t record;
  stored bigint;
BEGIN
  IF NOT has_table_privilege('pcanno.label_commits', 'INSERT') THEN
    RETURN QUERY SELECT 'permission'::text, 0::bigint, ''::text, 0::bigint;
    RETURN;
  END IF;
  SELECT tk.version AS v, tk.state AS s, coalesce(tk.lease_holder, '') AS h,
         coalesce(tk.lease_token, '') AS k,
         coalesce((extract(epoch FROM tk.lease_expires_at) * 1000000)::bigint, 0) AS e,
         coalesce(tk.lease_expires_at > clock_timestamp(), false) AS live
    INTO t FROM pcanno.tasks tk WHERE tk.id = p_task FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, 0::bigint, ''::text, 0::bigint;
    RETURN;
  END IF;
  SELECT lc.version INTO stored FROM pcanno.label_commits lc
    WHERE lc.task_id = p_task AND lc.client_id = p_client AND lc.client_seq = p_seq
      AND lc.author = current_user AND lc.edits::text = p_edits;
  IF FOUND THEN
    RETURN QUERY SELECT 'ok'::text, stored, t.h, t.e;
    RETURN;
  END IF;
  IF t.s NOT IN ('new', 'in_progress', 'rejected') THEN
    RETURN QUERY SELECT 'frozen'::text, t.v, t.s::text, 0::bigint;
    RETURN;
  END IF;
  IF NOT t.live OR p_token = '' OR t.k <> p_token THEN
    RETURN QUERY SELECT (CASE WHEN t.live THEN 'leased' ELSE 'lapsed' END)::text, t.v, t.h, t.e;
    RETURN;
  END IF;
  IF p_base <> t.v THEN
    RETURN QUERY SELECT 'stale'::text, t.v, t.h, t.e;
    RETURN;
  END IF;
  INSERT INTO pcanno.label_commits (task_id, version, client_id, client_seq, edits)
    VALUES (p_task, t.v + 1, p_client, p_seq, p_edits::json);
  RETURN QUERY SELECT 'ok'::text, t.v + 1, t.h, t.e;
END
$$;
)SQL";
}

}  // namespace pcanno::store::postgres
