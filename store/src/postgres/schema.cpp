#include "postgres/schema.hpp"

namespace pcanno::store::postgres {
namespace {

// Roles are cluster-wide, so several project databases share the groups: create them only when
// missing. pcanno_owner owns every object and nobody logs in as it; it may create roles so that
// pcanno.add_user (SECURITY DEFINER) can make login roles in one of the three groups.
const char* const kRolesV1 = R"SQL(
DO $$
DECLARE
  group_name text;
BEGIN
  FOREACH group_name IN ARRAY ARRAY['pcanno_annotator', 'pcanno_reviewer', 'pcanno_admin'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = group_name) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', group_name);
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'pcanno_owner') THEN
    CREATE ROLE pcanno_owner NOLOGIN CREATEROLE;
  END IF;
END
$$;
CREATE SCHEMA pcanno AUTHORIZATION pcanno_owner;
GRANT USAGE ON SCHEMA pcanno TO pcanno_annotator, pcanno_reviewer, pcanno_admin;
)SQL";

// Everything below is created by the owner (SET LOCAL ROLE pcanno_owner), so it owns it.
const char* const kTablesV1 = R"SQL(
CREATE TABLE pcanno.schema_version (version integer NOT NULL);

CREATE TABLE pcanno.projects (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created_by text NOT NULL DEFAULT current_user,
  created_at timestamptz NOT NULL DEFAULT now());

CREATE TABLE pcanno.project_members (
  project_id bigint NOT NULL REFERENCES pcanno.projects (id) ON DELETE CASCADE,
  member text NOT NULL,
  PRIMARY KEY (project_id, member));

CREATE TABLE pcanno.sequences (
  id bigserial PRIMARY KEY,
  project_id bigint NOT NULL REFERENCES pcanno.projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  uri text NOT NULL,
  layout text NOT NULL DEFAULT '',
  labels_uri text NOT NULL DEFAULT '',
  frame_count bigint NOT NULL DEFAULT 0,
  UNIQUE (project_id, name));

CREATE TABLE pcanno.tasks (
  id bigserial PRIMARY KEY,
  project_id bigint NOT NULL REFERENCES pcanno.projects (id) ON DELETE CASCADE,
  sequence_id bigint NOT NULL REFERENCES pcanno.sequences (id) ON DELETE CASCADE,
  first_frame bigint NOT NULL,
  last_frame bigint NOT NULL,
  label_kinds integer NOT NULL,
  state text NOT NULL DEFAULT 'new'
    CHECK (state IN ('new', 'in_progress', 'submitted', 'in_review', 'accepted', 'rejected')),
  assignee text,
  version bigint NOT NULL DEFAULT 0,
  lease_holder text,
  lease_token text,
  lease_expires_at timestamptz);
CREATE INDEX tasks_project ON pcanno.tasks (project_id);
CREATE INDEX tasks_assignee ON pcanno.tasks (assignee);

CREATE TABLE pcanno.task_events (
  id bigserial PRIMARY KEY,
  task_id bigint NOT NULL REFERENCES pcanno.tasks (id) ON DELETE CASCADE,
  from_state text,
  to_state text NOT NULL,
  who text NOT NULL DEFAULT current_user,
  at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL DEFAULT '');
CREATE INDEX task_events_task ON pcanno.task_events (task_id);

CREATE TABLE pcanno.label_snapshots (
  task_id bigint NOT NULL REFERENCES pcanno.tasks (id) ON DELETE CASCADE,
  version bigint NOT NULL,
  document text NOT NULL,
  PRIMARY KEY (task_id, version));

CREATE TABLE pcanno.label_commits (
  task_id bigint NOT NULL REFERENCES pcanno.tasks (id) ON DELETE CASCADE,
  version bigint NOT NULL,
  author text NOT NULL DEFAULT current_user,
  at timestamptz NOT NULL DEFAULT now(),
  client_id text NOT NULL,
  client_seq bigint NOT NULL,
  edits text NOT NULL,
  PRIMARY KEY (task_id, version),
  UNIQUE (task_id, client_id, client_seq));

CREATE TABLE pcanno.comments (
  id bigserial PRIMARY KEY,
  task_id bigint NOT NULL REFERENCES pcanno.tasks (id) ON DELETE CASCADE,
  track_id bigint,
  frame bigint NOT NULL,
  x double precision NOT NULL,
  y double precision NOT NULL,
  z double precision NOT NULL,
  author text NOT NULL DEFAULT current_user,
  at timestamptz NOT NULL DEFAULT now(),
  text text NOT NULL,
  resolved boolean NOT NULL DEFAULT false);
CREATE INDEX comments_task ON pcanno.comments (task_id);

CREATE TABLE pcanno.changes (
  id bigserial PRIMARY KEY,
  task_id bigint,
  kind text NOT NULL,
  at timestamptz NOT NULL DEFAULT now());

-- Wakes wait_for_change() in every listening client; PostgreSQL delivers it on commit. Label
-- commits do not notify: a notifying transaction holds a database-wide lock through its commit,
-- which would serialise every annotator's commit behind one WAL flush at a time. Waiters re-read
-- the change mark every second, so label progress still shows within a second.
CREATE FUNCTION pcanno.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_catalog.pg_notify('pcanno_changes', NEW.id::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER changes_notify AFTER INSERT ON pcanno.changes
  FOR EACH ROW WHEN (NEW.kind <> 'labels') EXECUTE FUNCTION pcanno.notify_change();
)SQL";

// Row-level security. The helpers run with the caller's rights (not SECURITY DEFINER), so their
// reads of project_members and tasks are filtered by the same policies: a task is "visible" to a
// person exactly when the tasks policies let them read it.
const char* const kPoliciesV1 = R"SQL(
CREATE FUNCTION pcanno.is_member(project bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pcanno.project_members m
                 WHERE m.project_id = project AND m.member = current_user)
$$;
CREATE FUNCTION pcanno.task_visible(task bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pcanno.tasks t WHERE t.id = task)
$$;
CREATE FUNCTION pcanno.task_assigned_to_me(task bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pcanno.tasks t WHERE t.id = task AND t.assignee = current_user)
$$;

DO $$
DECLARE
  table_name text;
BEGIN
  FOREACH table_name IN ARRAY ARRAY['schema_version', 'projects', 'project_members', 'sequences',
      'tasks', 'task_events', 'label_snapshots', 'label_commits', 'comments', 'changes'] LOOP
    EXECUTE pg_catalog.format('ALTER TABLE pcanno.%I ENABLE ROW LEVEL SECURITY', table_name);
    EXECUTE pg_catalog.format('ALTER TABLE pcanno.%I FORCE ROW LEVEL SECURITY', table_name);
    EXECUTE pg_catalog.format(
        'CREATE POLICY admin_all ON pcanno.%I FOR ALL TO pcanno_admin USING (true) WITH CHECK (true)',
        table_name);
  END LOOP;
END
$$;

CREATE POLICY read_all ON pcanno.schema_version FOR SELECT
  TO pcanno_annotator, pcanno_reviewer USING (true);
CREATE POLICY read_all ON pcanno.changes FOR SELECT
  TO pcanno_annotator, pcanno_reviewer USING (true);
CREATE POLICY append ON pcanno.changes FOR INSERT
  TO pcanno_annotator, pcanno_reviewer WITH CHECK (true);

CREATE POLICY members_read ON pcanno.projects FOR SELECT
  TO pcanno_annotator, pcanno_reviewer USING (pcanno.is_member(id));
CREATE POLICY own_membership ON pcanno.project_members FOR SELECT
  TO pcanno_annotator, pcanno_reviewer USING (member = current_user);

CREATE POLICY reviewer_read ON pcanno.sequences FOR SELECT
  TO pcanno_reviewer USING (pcanno.is_member(project_id));
CREATE POLICY annotator_read ON pcanno.sequences FOR SELECT TO pcanno_annotator
  USING (EXISTS (SELECT 1 FROM pcanno.tasks t
                 WHERE t.sequence_id = sequences.id AND t.assignee = current_user));

CREATE POLICY reviewer_read ON pcanno.tasks FOR SELECT
  TO pcanno_reviewer USING (pcanno.is_member(project_id));
CREATE POLICY reviewer_update ON pcanno.tasks FOR UPDATE TO pcanno_reviewer
  USING (pcanno.is_member(project_id)) WITH CHECK (pcanno.is_member(project_id));
CREATE POLICY annotator_read ON pcanno.tasks FOR SELECT
  TO pcanno_annotator USING (assignee = current_user);
CREATE POLICY annotator_update ON pcanno.tasks FOR UPDATE TO pcanno_annotator
  USING (assignee = current_user) WITH CHECK (assignee = current_user);

CREATE POLICY visible_read ON pcanno.task_events FOR SELECT
  TO pcanno_annotator, pcanno_reviewer USING (pcanno.task_visible(task_id));
CREATE POLICY own_events ON pcanno.task_events FOR INSERT TO pcanno_annotator, pcanno_reviewer
  WITH CHECK (pcanno.task_visible(task_id) AND who = current_user);

CREATE POLICY visible_read ON pcanno.label_snapshots FOR SELECT
  TO pcanno_annotator, pcanno_reviewer USING (pcanno.task_visible(task_id));
CREATE POLICY assignee_insert ON pcanno.label_snapshots FOR INSERT TO pcanno_annotator
  WITH CHECK (pcanno.task_assigned_to_me(task_id));
CREATE POLICY assignee_update ON pcanno.label_snapshots FOR UPDATE TO pcanno_annotator
  USING (pcanno.task_assigned_to_me(task_id)) WITH CHECK (pcanno.task_assigned_to_me(task_id));

CREATE POLICY visible_read ON pcanno.label_commits FOR SELECT
  TO pcanno_annotator, pcanno_reviewer USING (pcanno.task_visible(task_id));
CREATE POLICY assignee_insert ON pcanno.label_commits FOR INSERT TO pcanno_annotator
  WITH CHECK (pcanno.task_assigned_to_me(task_id) AND author = current_user);

CREATE POLICY visible_read ON pcanno.comments FOR SELECT
  TO pcanno_annotator, pcanno_reviewer USING (pcanno.task_visible(task_id));
CREATE POLICY own_comments ON pcanno.comments FOR INSERT TO pcanno_annotator, pcanno_reviewer
  WITH CHECK (pcanno.task_visible(task_id) AND author = current_user);
CREATE POLICY visible_resolve ON pcanno.comments FOR UPDATE TO pcanno_annotator, pcanno_reviewer
  USING (pcanno.task_visible(task_id)) WITH CHECK (pcanno.task_visible(task_id));

-- Table and column grants: what each group may do at all; the policies above narrow the rows.
-- Label commits are append-only for everyone; reviewers get no write on labels whatsoever.
GRANT SELECT ON ALL TABLES IN SCHEMA pcanno TO pcanno_annotator, pcanno_reviewer, pcanno_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA pcanno TO pcanno_annotator, pcanno_reviewer, pcanno_admin;
GRANT INSERT, UPDATE, DELETE ON pcanno.projects, pcanno.project_members, pcanno.sequences,
  pcanno.tasks TO pcanno_admin;
GRANT INSERT ON pcanno.task_events, pcanno.changes, pcanno.comments
  TO pcanno_annotator, pcanno_reviewer, pcanno_admin;
GRANT UPDATE (resolved) ON pcanno.comments TO pcanno_annotator, pcanno_reviewer, pcanno_admin;
GRANT INSERT ON pcanno.label_commits TO pcanno_annotator, pcanno_admin;
GRANT INSERT, UPDATE ON pcanno.label_snapshots TO pcanno_annotator, pcanno_admin;
GRANT UPDATE (state) ON pcanno.tasks TO pcanno_reviewer;
GRANT UPDATE (state, version, lease_holder, lease_token, lease_expires_at) ON pcanno.tasks
  TO pcanno_annotator;
)SQL";

// Who may make which workflow move, checked on the row itself so that raw SQL obeys it too. The
// function runs as the caller, so current_user is the person.
const char* const kWorkflowV1 = R"SQL(
CREATE FUNCTION pcanno.check_task_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
  END IF;
  IF NEW.lease_holder IS DISTINCT FROM OLD.lease_holder AND NEW.lease_holder <> current_user
     AND NOT is_admin THEN
    RAISE EXCEPTION '% may not lease task % for %', current_user, OLD.id, NEW.lease_holder
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER tasks_check BEFORE UPDATE ON pcanno.tasks
  FOR EACH ROW EXECUTE FUNCTION pcanno.check_task_update();

-- The only way to make a person: a login role in exactly one pcanno group. Runs as pcanno_owner
-- (which may create roles); the name and password reach the DDL through %I and %L only.
CREATE FUNCTION pcanno.add_user(user_name text, group_name text, user_password text)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF group_name NOT IN ('pcanno_annotator', 'pcanno_reviewer', 'pcanno_admin') THEN
    RAISE EXCEPTION 'unknown group %', group_name USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF user_name IS NULL OR user_name = '' THEN
    RAISE EXCEPTION 'a user needs a name' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF user_password IS NULL OR user_password = '' THEN
    EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', user_name, group_name);
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', user_name, user_password,
                   group_name);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION pcanno.add_user(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pcanno.add_user(text, text, text) TO pcanno_admin;
-- One label commit in one statement (one round trip: the load on a team server is many small
-- commits). It runs with the caller's rights, so the grants and row-level policies decide as for
-- plain statements; it only answers refusals as data for the client to word.
CREATE FUNCTION pcanno.commit_labels(p_task bigint, p_base bigint, p_token text, p_client text,
                                     p_seq bigint, p_edits text)
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
  -- A replay of a stored commit, checked under the row lock so that two replays cannot race.
  SELECT lc.version INTO stored FROM pcanno.label_commits lc
    WHERE lc.task_id = p_task AND lc.client_id = p_client AND lc.client_seq = p_seq;
  IF FOUND THEN
    RETURN QUERY SELECT 'ok'::text, stored, t.h, t.e;
    RETURN;
  END IF;
  -- Handed in or accepted: the labels the reviewer judges are the ones that stay. The state
  -- travels back in `holder`.
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
    VALUES (p_task, t.v + 1, p_client, p_seq, p_edits);
  UPDATE pcanno.tasks SET version = t.v + 1 WHERE id = p_task;
  INSERT INTO pcanno.changes (task_id, kind) VALUES (p_task, 'labels');
  RETURN QUERY SELECT 'ok'::text, t.v + 1, t.h, t.e;
END
$$;
REVOKE ALL ON FUNCTION pcanno.commit_labels(bigint, bigint, text, text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pcanno.commit_labels(bigint, bigint, text, text, bigint, text)
  TO pcanno_annotator, pcanno_reviewer, pcanno_admin;
)SQL";

}  // namespace

const std::vector<std::string>& migrations() {
  // One element per version; the runner applies the missing ones. Never edit a step that has
  // shipped: add one.
  static const std::vector<std::string> kMigrations = {
      std::string(kRolesV1) + "SET LOCAL ROLE pcanno_owner;\n" + kTablesV1 + kPoliciesV1 +
          kWorkflowV1 + "RESET ROLE;\n",
      std::string(labels_v2_checks()) + "SET LOCAL ROLE pcanno_owner;\n" + labels_v2() +
          workflow_v2() + "RESET ROLE;\n",
  };
  return kMigrations;
}

}  // namespace pcanno::store::postgres
