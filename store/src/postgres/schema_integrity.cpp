#include "postgres/schema.hpp"

namespace pcanno::store::postgres {

// Version 2: the invariants hold for plain SQL too, not only for the client's statements. In
// version 1 an assignee with psql could append a commit without the lease or at any version, on a
// handed-in task, move the version counter, overwrite snapshots and write audit events of their
// own wording. Now:
// - a label commit is checked on the row itself (state, live lease held by its author, the next
//   version, edits shaped as the engine writes them) and moves the task's version; the version
//   moves in no other way;
// - snapshots are compaction, an admin's job; annotators lose their write on them;
// - workflow events are written only by triggers on tasks (no one may insert them), naming the
//   person logged in; the reason of a move is the transaction's setting pcanno.reason, and a
//   rejection needs one;
// - authors and times of commits and comments are the server's, whatever the statement says.
const char* integrity_v2() {
  return R"SQL(
-- json, not text: the type refuses what does not parse and keeps the text as written.
ALTER TABLE pcanno.label_commits ALTER COLUMN edits TYPE json USING edits::json;

REVOKE INSERT, UPDATE ON pcanno.label_snapshots FROM pcanno_annotator;
DROP POLICY assignee_insert ON pcanno.label_snapshots;
DROP POLICY assignee_update ON pcanno.label_snapshots;

REVOKE INSERT ON pcanno.task_events FROM pcanno_annotator, pcanno_reviewer, pcanno_admin;
DROP POLICY own_events ON pcanno.task_events;
-- Only the event triggers below insert events; they run as the owner, whom FORCE ROW LEVEL
-- SECURITY also binds.
CREATE POLICY trigger_append ON pcanno.task_events FOR INSERT TO pcanno_owner WITH CHECK (true);

CREATE FUNCTION pcanno.stamp_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.author := current_user;
  NEW.at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER comments_stamp BEFORE INSERT ON pcanno.comments
  FOR EACH ROW EXECUTE FUNCTION pcanno.stamp_author();

-- Runs as the caller: the row lock and the read of the task obey the caller's grants and
-- policies, like the insert itself.
CREATE FUNCTION pcanno.check_label_commit() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t record;
BEGIN
  NEW.author := current_user;
  NEW.at := now();
  SELECT tk.state AS s, tk.version AS v, tk.lease_holder AS h,
         coalesce(tk.lease_expires_at > now(), false) AS live
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
  IF json_typeof(NEW.edits -> 'edits') IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'a label commit''s edits must be a JSON object with an "edits" array'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER label_commits_check BEFORE INSERT ON pcanno.label_commits
  FOR EACH ROW EXECUTE FUNCTION pcanno.check_label_commit();

CREATE FUNCTION pcanno.advance_version() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE pcanno.tasks SET version = NEW.version WHERE id = NEW.task_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER label_commits_advance AFTER INSERT ON pcanno.label_commits
  FOR EACH ROW EXECUTE FUNCTION pcanno.advance_version();

CREATE OR REPLACE FUNCTION pcanno.check_task_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  is_admin boolean := pg_catalog.pg_has_role(current_user, 'pcanno_admin', 'MEMBER');
  allowed boolean := false;
  workflow boolean := (OLD.state, NEW.state) IN (
      ('new', 'in_progress'), ('rejected', 'in_progress'), ('in_progress', 'submitted'),
      ('submitted', 'in_review'), ('in_review', 'accepted'), ('in_review', 'rejected'));
BEGIN
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    IF NOT workflow THEN
      RAISE EXCEPTION 'task % is %: it cannot move to %', OLD.id, OLD.state, NEW.state
        USING ERRCODE = 'check_violation';
    END IF;
    IF is_admin THEN
      allowed := true;
    END IF;
    IF pg_catalog.pg_has_role(current_user, 'pcanno_annotator', 'MEMBER')
       AND OLD.assignee = current_user
       AND (OLD.state, NEW.state) IN (('new', 'in_progress'), ('rejected', 'in_progress'),
                                       ('in_progress', 'submitted')) THEN
      allowed := true;
    END IF;
    IF pg_catalog.pg_has_role(current_user, 'pcanno_reviewer', 'MEMBER')
       AND (OLD.state, NEW.state) IN (('submitted', 'in_review'), ('in_review', 'accepted'),
                                       ('in_review', 'rejected')) THEN
      allowed := true;
    END IF;
    IF NOT allowed THEN
      RAISE EXCEPTION '% may not move task % from % to %', current_user, OLD.id, OLD.state,
        NEW.state USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.state = 'rejected'
       AND btrim(coalesce(current_setting('pcanno.reason', true), '')) = '' THEN
      RAISE EXCEPTION 'task %: a rejection needs a reason (set pcanno.reason)', OLD.id
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  IF NEW.lease_holder IS DISTINCT FROM OLD.lease_holder AND NEW.lease_holder <> current_user
     AND NOT is_admin THEN
    RAISE EXCEPTION '% may not lease task % for %', current_user, OLD.id, NEW.lease_holder
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- The version counts label commits (label_commits_advance moves it); nothing else may.
  IF NEW.version IS DISTINCT FROM OLD.version AND (
       NEW.version IS DISTINCT FROM OLD.version + 1 OR NOT EXISTS (
         SELECT 1 FROM pcanno.label_commits c WHERE c.task_id = OLD.id AND c.version = NEW.version))
  THEN
    RAISE EXCEPTION 'task % is at version %: only a label commit moves it', OLD.id, OLD.version
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

-- SECURITY DEFINER so that nobody needs INSERT on task_events; a trigger function cannot be
-- called on its own, only fired by a change to a task. `who` is session_user, the person logged
-- in: inside a definer function current_user is the owner.
CREATE FUNCTION pcanno.record_task_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pcanno.task_events (task_id, from_state, to_state, who, reason)
      VALUES (NEW.id, NULL, NEW.state, session_user, 'created');
    RETURN NULL;
  END IF;
  IF NEW.assignee IS DISTINCT FROM OLD.assignee THEN
    INSERT INTO pcanno.task_events (task_id, from_state, to_state, who, reason)
      VALUES (NEW.id, OLD.state, OLD.state, session_user,
              CASE WHEN NEW.assignee IS NULL THEN 'unassigned'
                   ELSE 'assigned to ' || NEW.assignee END);
  END IF;
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    INSERT INTO pcanno.task_events (task_id, from_state, to_state, who, reason)
      VALUES (NEW.id, OLD.state, NEW.state, session_user,
              coalesce(current_setting('pcanno.reason', true), ''));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER tasks_created_event AFTER INSERT ON pcanno.tasks
  FOR EACH ROW EXECUTE FUNCTION pcanno.record_task_event();
CREATE TRIGGER tasks_event AFTER UPDATE OF state, assignee ON pcanno.tasks
  FOR EACH ROW EXECUTE FUNCTION pcanno.record_task_event();

-- As in version 1, less the version update: label_commits_advance does that now.
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
         coalesce(tk.lease_expires_at > now(), false) AS live
    INTO t FROM pcanno.tasks tk WHERE tk.id = p_task FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, 0::bigint, ''::text, 0::bigint;
    RETURN;
  END IF;
  SELECT lc.version INTO stored FROM pcanno.label_commits lc
    WHERE lc.task_id = p_task AND lc.client_id = p_client AND lc.client_seq = p_seq;
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
  INSERT INTO pcanno.changes (task_id, kind) VALUES (p_task, 'labels');
  RETURN QUERY SELECT 'ok'::text, t.v + 1, t.h, t.e;
END
$$;
)SQL";
}

}  // namespace pcanno::store::postgres
