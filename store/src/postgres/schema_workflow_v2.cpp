// Schema version 2, the workflow: tasks, leases, the audit trail, comments and the change feed
// obey the rules on their rows, so that plain SQL meets them as the client does.
#include "postgres/schema.hpp"

namespace pcanno::store::postgres {

// Run as pcanno_owner. Version 1 let a person insert workflow events of any wording under any
// name, take or clear a live lease held by someone else, name ids and times in their inserts (and
// so jam the change feed), and its invoker functions ran with the caller's search_path.
const char* workflow_v2() {
  return R"SQL(
-- Functions that run as the caller resolve names in pg_catalog first, whatever search_path the
-- caller set: a schema of theirs cannot shadow an operator or now().
ALTER FUNCTION pcanno.is_member(bigint) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION pcanno.task_visible(bigint) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION pcanno.task_assigned_to_me(bigint) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION pcanno.notify_change() SET search_path = pg_catalog, pg_temp;

-- Ids and times are the server's: the column grants leave them out of what an INSERT may name.
REVOKE INSERT ON pcanno.changes, pcanno.comments
  FROM pcanno_annotator, pcanno_reviewer, pcanno_admin;
GRANT INSERT (task_id, kind) ON pcanno.changes
  TO pcanno_annotator, pcanno_reviewer, pcanno_admin;
GRANT INSERT (task_id, track_id, frame, x, y, z, text) ON pcanno.comments
  TO pcanno_annotator, pcanno_reviewer, pcanno_admin;

CREATE FUNCTION pcanno.stamp_author() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.author := current_user;
  NEW.at := statement_timestamp();
  RETURN NEW;
END
$$;
CREATE TRIGGER comments_stamp BEFORE INSERT ON pcanno.comments
  FOR EACH ROW EXECUTE FUNCTION pcanno.stamp_author();

-- A task starts new, at version 0, unleased; assignment and everything after are moves that the
-- update trigger checks and the event trigger records.
CREATE FUNCTION pcanno.check_task_insert() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.state <> 'new' OR NEW.version <> 0 OR NEW.assignee IS NOT NULL
     OR NEW.lease_holder IS NOT NULL OR NEW.lease_token IS NOT NULL
     OR NEW.lease_expires_at IS NOT NULL THEN
    RAISE EXCEPTION 'a task starts new, at version 0, unassigned and unleased'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER tasks_insert_check BEFORE INSERT ON pcanno.tasks
  FOR EACH ROW EXECUTE FUNCTION pcanno.check_task_insert();

CREATE OR REPLACE FUNCTION pcanno.check_task_update() RETURNS trigger LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  is_admin boolean := pg_has_role(current_user, 'pcanno_admin', 'MEMBER');
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
    IF pg_has_role(current_user, 'pcanno_annotator', 'MEMBER')
       AND OLD.assignee = current_user
       AND (OLD.state, NEW.state) IN (('new', 'in_progress'), ('rejected', 'in_progress'),
                                       ('in_progress', 'submitted')) THEN
      allowed := true;
    END IF;
    IF pg_has_role(current_user, 'pcanno_reviewer', 'MEMBER')
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
  -- The lease: one live holder, who alone renews, hands over or ends it; a new holder only
  -- while the labels take edits; a finite term of at most a day. Admins may break a lease.
  IF (NEW.lease_holder, NEW.lease_token, NEW.lease_expires_at)
     IS DISTINCT FROM (OLD.lease_holder, OLD.lease_token, OLD.lease_expires_at) THEN
    IF NOT coalesce(isfinite(NEW.lease_expires_at), true) THEN
      RAISE EXCEPTION 'task %: a lease ends at a finite time', OLD.id
        USING ERRCODE = 'check_violation';
    END IF;
    IF NOT is_admin THEN
      IF OLD.lease_holder IS DISTINCT FROM current_user
         AND coalesce(OLD.lease_expires_at > clock_timestamp(), false) THEN
        RAISE EXCEPTION '% holds the lease on task % until %', OLD.lease_holder, OLD.id,
          OLD.lease_expires_at USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NEW.lease_holder IS DISTINCT FROM current_user AND NEW.lease_holder IS NOT NULL THEN
        RAISE EXCEPTION '% may not lease task % for %', current_user, OLD.id, NEW.lease_holder
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NEW.lease_expires_at > clock_timestamp() + interval '1 day' THEN
        RAISE EXCEPTION 'task %: a lease lasts at most a day', OLD.id
          USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.lease_holder IS NOT NULL AND NEW.lease_holder IS DISTINCT FROM OLD.lease_holder
         AND NEW.state NOT IN ('new', 'in_progress', 'rejected') THEN
        RAISE EXCEPTION 'task % is %: its labels are frozen', OLD.id, NEW.state
          USING ERRCODE = 'check_violation';
      END IF;
    END IF;
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

-- The audit trail: nobody may insert events; this trigger writes them, as the owner, for the
-- creation, every assignment and every move of a task, naming the role that logged in
-- (session_user: inside a SECURITY DEFINER function current_user is the owner; pcanno connects
-- as the person, without a pooler that switches roles). The reason of a move is the
-- transaction's setting pcanno.reason. EXECUTE is revoked and the function checks where it
-- fires, so that nobody hangs it on a table of their own to write events through it.
REVOKE INSERT ON pcanno.task_events FROM pcanno_annotator, pcanno_reviewer, pcanno_admin;
DROP POLICY own_events ON pcanno.task_events;
CREATE POLICY trigger_append ON pcanno.task_events FOR INSERT TO pcanno_owner WITH CHECK (true);
CREATE FUNCTION pcanno.record_task_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_SCHEMA <> 'pcanno' OR TG_TABLE_NAME <> 'tasks' OR TG_WHEN <> 'AFTER'
     OR TG_LEVEL <> 'ROW' THEN
    RAISE EXCEPTION 'pcanno.record_task_event fires on pcanno.tasks only'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pcanno.task_events (task_id, from_state, to_state, who, at, reason)
      VALUES (NEW.id, NULL, NEW.state, session_user, statement_timestamp(), 'created');
    RETURN NULL;
  END IF;
  IF NEW.assignee IS DISTINCT FROM OLD.assignee THEN
    INSERT INTO pcanno.task_events (task_id, from_state, to_state, who, at, reason)
      VALUES (NEW.id, OLD.state, OLD.state, session_user, statement_timestamp(),
              CASE WHEN NEW.assignee IS NULL THEN 'unassigned'
                   ELSE 'assigned to ' || NEW.assignee END);
  END IF;
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    INSERT INTO pcanno.task_events (task_id, from_state, to_state, who, at, reason)
      VALUES (NEW.id, OLD.state, NEW.state, session_user, statement_timestamp(),
              coalesce(current_setting('pcanno.reason', true), ''));
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION pcanno.record_task_event() FROM PUBLIC;
CREATE TRIGGER tasks_created_event AFTER INSERT ON pcanno.tasks
  FOR EACH ROW EXECUTE FUNCTION pcanno.record_task_event();
CREATE TRIGGER tasks_event AFTER UPDATE OF state, assignee ON pcanno.tasks
  FOR EACH ROW EXECUTE FUNCTION pcanno.record_task_event();
)SQL";
}

}  // namespace pcanno::store::postgres
