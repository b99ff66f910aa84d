// picket: the command line. Parses argv, hands the chosen command its flags, returns its
// exit code. The only code that touches argv, the environment, the terminal and exit codes.

#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace picket::cli;
  try {
    CLI::App app{"picket: check, render and deploy a CometBFT validator's sentry network"};
    app.set_version_flag("--version", std::string("picket ") + PICKET_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);

    std::map<std::string, Command> commands{
        {"lint", add_lint_command(app)},
        {"graph", add_graph_command(app)},
        {"whatif", add_whatif_command(app)},
        {"keys", add_keys_command(app)},
        {"render", add_render_command(app)},
        {"plan", add_plan_command(app)},
        {"deploy", add_deploy_command(app)},
        {"status", add_status_command(app)},
        {"partner", add_partner_command(app)},
        {"backup", add_backup_command(app)},
        {"restore", add_restore_command(app)},
        {"completion", add_completion_command(app)},
    };

    // A first word that is no command (`picket frobnicate`): say so, and name the commands
    // (CLI11 alone answers "A subcommand is required", which hides the typo).
    if (argc > 1 && argv[1][0] != '-' && commands.count(argv[1]) == 0) {
      std::fprintf(stderr, "picket: error: unknown command \"%s\" (picket --help lists the commands)\n",
                   argv[1]);
      return k_exit_usage;
    }
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int rc = app.exit(e);  // prints help, version or the error
      return rc == 0 ? k_exit_ok : k_exit_usage;
    }
    for (auto& [name, run] : commands)
      if (app.got_subcommand(name)) return run();
    return k_exit_usage;
  } catch (const std::exception& e) {
    // Last resort: libraries report through diagnostics and Result; this is a bug.
    std::fprintf(stderr, "picket: internal error: %s\n", e.what());
    return k_exit_internal;
  } catch (...) {
    std::fprintf(stderr, "picket: internal error\n");
    return k_exit_internal;
  }
}
