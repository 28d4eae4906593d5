// The `pcanno` command: one executable, one subcommand per task, shared exit codes (0 ok, 1 failure
// with a message, 2 usage error).
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli_support.hpp"
#include "pcanno/plugin/plugin_loader.hpp"
#include "pcanno/plugin/registry.hpp"
#include "progress.hpp"

int main(int argc, char** argv) {
  using namespace pcanno::app;
  CLI::App app{
      "pcanno: LiDAR point-cloud annotation toolkit (cuboids, polylines, tracks; KITTI, nuScenes, "
      "OpenLABEL)",
      "pcanno"};
  app.set_version_flag("--version", std::string("pcanno ") + PCANNO_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  app.add_flag("-q,--quiet", global.quiet, "Suppress progress output");

  // Plugins load before parsing so that `convert --help` lists their codecs. Failures are kept in
  // the registry and reported by the commands that use it, never fatal.
  pcanno::plugin::Registry registry = pcanno::plugin::Registry::with_builtins();
  pcanno::plugin::load_plugins_from_environment(registry);

  CommandAction action;
  add_info_command(app, global, registry, action);
  add_convert_command(app, global, registry, action);
  add_track_command(app, global, registry, action);
  add_fit_command(app, global, registry, action);
  add_ego_motion_command(app, global, action);
  add_plugins_command(app, global, registry, action);
  add_eval_command(app, global, registry, action);
  add_check_command(app, global, registry, action);
  add_edit_command(app, global, registry, action);
  add_prelabel_command(app, global, registry, action);
  add_project_command(app, global, registry, action);
  add_batch_command(app, global, action);
#ifdef PCANNO_HAVE_WORKSTATION
  add_view_command(app, global, action);
#endif
#ifdef PCANNO_WITH_VIEWER
  add_render_command(app, global, registry, action);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a hint to use --help
    return kExitUsage;
  }
  if (!action) return report_message("no command to run; see `pcanno --help`");
  const CancelToken cancel;  // Ctrl+C stops the command's long steps cleanly (progress.hpp)
  try {
    return action();
  } catch (const std::exception& e) {
    return report_message(std::string("unexpected failure: ") + e.what());
  }
}
