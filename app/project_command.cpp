// `pcanno project ...`: a labelling team's project store (store/) from the command line. This file
// registers the command and holds the verbs that are one store call each: init, users, members and
// sequences, and the workflow moves (assign, start, submit, review). Tasks, status and export live
// in project_tasks.cpp, project_status.cpp and project_export.cpp.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "label_input.hpp"
#include "pcanno/plugin/registry.hpp"
#include "project_command.hpp"

namespace pcanno::app {
namespace {

namespace fs = std::filesystem;

// ---- init ---------------------------------------------------------------------------------------

struct InitOptions {
  StoreArgs store;
  std::string project;
};

int run_init(const InitOptions& opt) {
  int code = kExitOk;
  auto store = open_project_store(opt.store, /*create=*/true, code);
  if (!store) return code;
  auto version = store->schema_version();
  if (!version) return report(version.error());
  std::cout << "store " << opt.store.db << " ready: " << store->backend() << ", schema version "
            << *version << '\n';
  if (!store->access_control()) {
    std::cout << "note: a SQLite store is single-user with no access control: anyone who can "
                 "open the file can do anything; you act as "
              << store->user() << '\n';
  }
  if (opt.project.empty()) return kExitOk;
  if (auto existing = store->project(opt.project)) {
    std::cout << "project " << opt.project << " exists already\n";
    return kExitOk;
  }
  auto created = store->create_project(opt.project);
  if (!created) return report(created.error());
  std::cout << "created project " << created->name << '\n';
  return kExitOk;
}

// ---- users --------------------------------------------------------------------------------------

struct UsersOptions {
  StoreArgs store;
  std::string name;
  std::string role;
  bool password_stdin = false;
  bool json = false;
};

int run_users_add(const UsersOptions& opt) {
  const std::optional<store::Role> role = store::parse_role(opt.role);
  if (!role) return report_usage("--role: expected annotator, reviewer or admin");
  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  // The password comes only from stdin, never from the command line, where `ps` and the shell's
  // history would show it.
  std::string password;
  if (opt.password_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) return report_usage("--password-stdin: stdin held no password");
    if (!store->access_control()) {
      std::cerr << "pcanno: warning: a SQLite store has no logins; the password is not kept\n";
    }
  }
  if (formats::Status added = store->add_user(opt.name, *role, password); !added) {
    return report(added.error());
  }
  std::cout << "added user " << opt.name << " (" << store::to_string(*role) << ")\n";
  return kExitOk;
}

int run_users_list(const UsersOptions& opt) {
  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  auto users = store->users();
  if (!users) return report(users.error());
  const auto roles_of = [](const store::User& user) {
    std::string text;
    for (store::Role role : user.roles)
      text += (text.empty() ? "" : ",") + std::string(to_string(role));
    return text;
  };
  if (opt.json) {
    plugin::ReportValue list = plugin::ReportValue::array();
    for (const store::User& user : *users) {
      plugin::ReportValue roles = plugin::ReportValue::array();
      for (store::Role role : user.roles) roles.push(store::to_string(role));
      list.push(plugin::ReportValue::object().add("name", user.name).add("roles", roles));
    }
    print_report_json(list);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"NAME", "ROLES"}};
  for (const store::User& user : *users) rows.push_back({user.name, roles_of(user)});
  std::cout << aligned_table(rows);
  return kExitOk;
}

// ---- add-sequences ------------------------------------------------------------------------------

struct AddSequencesOptions {
  StoreArgs store;
  std::string project;
  std::string dataset;
  std::vector<std::string> names;
  std::string labels;
  std::vector<std::string> members;
};

/// `--labels [CODEC:]PATH` for sequence `name` of the dataset: "<codec>:<absolute file>", the
/// sequence's own file when PATH holds several (a KITTI tracking label_02 folder), "" on error
/// (reported, `code` set).
std::string labels_uri_for(const AddSequencesOptions& opt, const plugin::Registry& registry,
                           const std::string& name, bool several, int& code) {
  std::string codec_id;
  std::string path = opt.labels;
  const std::size_t colon = opt.labels.find(':');
  if (colon != std::string::npos && registry.codecs().find(opt.labels.substr(0, colon))) {
    codec_id = opt.labels.substr(0, colon);
    path = opt.labels.substr(colon + 1);
  }
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    // "typo:PATH" names a codec that is not there rather than a file.
    const std::string prefix = colon == std::string::npos ? "" : opt.labels.substr(0, colon);
    code = report_usage(!prefix.empty() && codec_id.empty() && prefix.find('/') == std::string::npos
                            ? plugin::unreadable_format(registry.codecs(), prefix, "--labels")
                            : "--labels: " + path + " does not exist");
    return {};
  }
  auto codec = registry.codecs().select(path, codec_id);
  if (!codec) {
    code = report(codec.error());
    return {};
  }
  if (!(*codec)->read) {
    code = report_usage(plugin::unreadable_format(registry.codecs(), (*codec)->id, "--labels"));
    return {};
  }
  auto units = list_label_units((*codec)->id, path, opt.dataset, name);
  if (!units) {
    code = report(units.error());
    return {};
  }
  std::string file = path;
  if (!units->empty()) {
    file = units->front().labels.string();
  } else if (several) {
    code = report_usage("--labels: " + path +
                        " is one document, but several sequences are added; name one with "
                        "--sequence");
    return {};
  }
  return (*codec)->id + ":" + fs::absolute(file).lexically_normal().string();
}

int run_add_sequences(const AddSequencesOptions& opt, const plugin::Registry& registry) {
  warn_plugin_failures(registry);
  formats::SequenceOptions seq_options;
  seq_options.readers = registry.shared_readers();
  auto listed = formats::list_sequences(opt.dataset, seq_options);
  if (!listed) return report(listed.error());
  std::vector<formats::SequenceSummary> chosen;
  for (const std::string& name : opt.names) {
    std::string known;
    bool found = false;
    for (const formats::SequenceSummary& s : *listed) {
      known += (known.empty() ? "" : ", ") + s.name;
      if (s.name == name) {
        chosen.push_back(s);
        found = true;
      }
    }
    if (!found) {
      return report_usage("--sequence: " + opt.dataset + " holds no sequence '" + name +
                          "' (it holds " + known + ")");
    }
  }
  if (opt.names.empty()) chosen = *listed;

  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  auto project = store->project(opt.project);
  if (!project) return report(project.error());

  // Every record is made before any is stored, so that a bad --labels adds nothing.
  const std::string uri = fs::absolute(opt.dataset).lexically_normal().string();
  std::vector<store::SequenceRecord> records;
  for (const formats::SequenceSummary& summary : chosen) {
    store::SequenceRecord record;
    record.project_id = project->id;
    record.name = summary.name;
    record.uri = uri;
    record.layout = summary.layout;
    record.frame_count = static_cast<std::int64_t>(summary.frames);
    if (!opt.labels.empty()) {
      record.labels_uri = labels_uri_for(opt, registry, summary.name, chosen.size() > 1, code);
      if (record.labels_uri.empty()) return code;
    }
    records.push_back(std::move(record));
  }
  for (const store::SequenceRecord& record : records) {
    auto added = store->add_sequence(record);
    if (!added) return report(added.error());
    std::cout << "added sequence " << added->name << " (" << added->layout << ", "
              << added->frame_count << " frames) from " << added->uri;
    if (!added->labels_uri.empty()) std::cout << ", labels " << added->labels_uri;
    std::cout << '\n';
  }
  for (const std::string& member : opt.members) {
    if (formats::Status s = store->add_member(project->id, member); !s) return report(s.error());
    std::cout << "added member " << member << " to project " << project->name << '\n';
  }
  return kExitOk;
}

// ---- workflow -----------------------------------------------------------------------------------

struct MoveOptions {
  StoreArgs store;
  std::int64_t task = 0;
  std::string user;  ///< assign
  std::string note;  ///< submit
  bool begin = false, accept = false;
  std::string reject;  ///< review --reject REASON
};

int run_assign(const MoveOptions& opt) {
  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  if (formats::Status s = store->assign(opt.task, opt.user); !s) return report(s.error());
  auto task = store->task(opt.task);
  if (!task) return report(task.error());
  std::cout << "task " << task->id << ": " << store::to_string(task->state) << ", "
            << (task->assignee.empty() ? "unassigned" : "assigned to " + task->assignee) << '\n';
  return kExitOk;
}

int run_move(const MoveOptions& opt, store::TaskState to, const std::string& reason) {
  int code = kExitOk;
  auto store = open_project_store(opt.store, false, code);
  if (!store) return code;
  auto moved = store->transition(opt.task, to, reason);
  if (!moved) return report(moved.error());
  std::cout << "task " << moved->id << ": " << store::to_string(moved->state) << '\n';
  return kExitOk;
}

int run_review(const MoveOptions& opt) {
  const int chosen = (opt.begin ? 1 : 0) + (opt.accept ? 1 : 0) + (opt.reject.empty() ? 0 : 1);
  if (chosen != 1) return report_usage("review: give one of --begin, --accept, --reject REASON");
  if (opt.begin) return run_move(opt, store::TaskState::kInReview, "");
  if (opt.accept) return run_move(opt, store::TaskState::kAccepted, opt.note);
  return run_move(opt, store::TaskState::kRejected, opt.reject);
}

CLI::App* add_move_command(CLI::App* project, const char* name, const char* help,
                           std::shared_ptr<MoveOptions> opt) {
  CLI::App* cmd = project->add_subcommand(name, help);
  add_store_options(cmd, opt->store);
  cmd->add_option("task", opt->task, "Task id (`pcanno project tasks list`)")->required();
  return cmd;
}

void add_workflow_commands(CLI::App* project, CommandAction& action) {
  auto assign = std::make_shared<MoveOptions>();
  CLI::App* cmd = add_move_command(project, "assign", "Assign a task to a person", assign);
  cmd->add_option("user", assign->user, "Who works on it (\"\" unassigns)")->required();
  cmd->callback([assign, &action] { action = [assign] { return run_assign(*assign); }; });

  auto start = std::make_shared<MoveOptions>();
  cmd =
      add_move_command(project, "start", "Start (or restart a rejected) task: in_progress", start);
  cmd->callback([start, &action] {
    action = [start] { return run_move(*start, store::TaskState::kInProgress, ""); };
  });

  auto submit = std::make_shared<MoveOptions>();
  cmd = add_move_command(project, "submit", "Hand a task in for review: submitted", submit);
  cmd->add_option("--note", submit->note, "A word for the reviewer");
  cmd->callback([submit, &action] {
    action = [submit] { return run_move(*submit, store::TaskState::kSubmitted, submit->note); };
  });

  auto review = std::make_shared<MoveOptions>();
  cmd = add_move_command(project, "review",
                         "Review a submitted task: --begin (in_review), then --accept or "
                         "--reject REASON",
                         review);
  cmd->add_flag("--begin", review->begin, "Take the task into review");
  cmd->add_flag("--accept", review->accept, "Accept the reviewed task");
  cmd->add_option("--reject", review->reject, "Send it back, saying why");
  cmd->add_option("--note", review->note, "With --accept: a remark kept with the decision");
  cmd->callback([review, &action] { action = [review] { return run_review(*review); }; });
}

}  // namespace

void add_project_command(CLI::App& app, const GlobalOptions& global,
                         const plugin::Registry& registry, CommandAction& action) {
  CLI::App* project = app.add_subcommand(
      "project",
      "A labelling team's project store: people, sequences, tasks and their review, status and "
      "export (--db sqlite:PATH or postgresql://...; default $PCANNO_DB)");
  project->require_subcommand(1);

  auto init = std::make_shared<InitOptions>();
  CLI::App* cmd = project->add_subcommand(
      "init", "Create the store, or migrate an older one to this pcanno's schema");
  add_store_options(cmd, init->store);
  cmd->add_option("--project", init->project, "Also create this project");
  cmd->callback([init, &action] { action = [init] { return run_init(*init); }; });

  CLI::App* users = project->add_subcommand("users", "People known to the store");
  users->require_subcommand(1);
  auto add_user = std::make_shared<UsersOptions>();
  cmd = users->add_subcommand(
      "add", "Add a person (a login role in its group on PostgreSQL, a name on SQLite)");
  add_store_options(cmd, add_user->store);
  cmd->add_option("name", add_user->name, "The person's user name")->required();
  cmd->add_option("--role", add_user->role, "annotator, reviewer or admin")
      ->required()
      ->check(CLI::IsMember({"annotator", "reviewer", "admin"}));
  cmd->add_flag("--password-stdin", add_user->password_stdin,
                "Read the password from the first line of stdin (never from the command line)");
  cmd->callback([add_user, &action] { action = [add_user] { return run_users_add(*add_user); }; });
  auto list_users = std::make_shared<UsersOptions>();
  cmd = users->add_subcommand("list", "List people and their roles");
  add_store_options(cmd, list_users->store);
  cmd->add_flag("--json", list_users->json, "Machine-readable output");
  cmd->callback(
      [list_users, &action] { action = [list_users] { return run_users_list(*list_users); }; });

  auto add_seq = std::make_shared<AddSequencesOptions>();
  cmd = project->add_subcommand(
      "add-sequences",
      "Record a dataset's sequences in a project (by path: nothing is copied), with their layout "
      "and frame count");
  add_store_options(cmd, add_seq->store);
  cmd->add_option("--project", add_seq->project, "The project")->required();
  cmd->add_option("dataset", add_seq->dataset,
                  "Dataset root or folder (a KITTI tracking root holds several sequences)")
      ->required();
  cmd->add_option("--sequence", add_seq->names, "Only this sequence (repeatable); default: all");
  cmd->add_option("--labels", add_seq->labels,
                  "Starting labels CODEC:PATH (or PATH, format detected); a folder holding one "
                  "file per sequence (KITTI tracking label_02/) gives each sequence its own");
  cmd->add_option("--member", add_seq->members, "Add this person to the project (repeatable)");
  cmd->callback([add_seq, &action, &registry] {
    action = [add_seq, &registry] { return run_add_sequences(*add_seq, registry); };
  });

  add_project_task_commands(project, global, registry, action);
  add_workflow_commands(project, action);
  add_project_status_command(project, global, registry, action);
  add_project_export_command(project, global, registry, action);
}

}  // namespace pcanno::app
