// `picket completion bash|zsh`: prints the shell completion script, generated from the
// commands as registered on the CLI11 app (the build installs its output).

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/exit_codes.hpp"
#include "cli/terminal.hpp"
#include "topology/whatif.hpp"

namespace picket::cli {

Command add_completion_command(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print the bash or zsh completion script");
  cmd->add_option("shell", *shell, "Shell")->required()->check(CLI::IsMember({"bash", "zsh"}));
  return [shell, &app] {
    // `--fail KIND=VALUE`: the kinds parse_failures accepts.
    const auto model = completion_model(app, {{"--fail", failure_kinds()}});
    write_out(stdout, *shell == "bash" ? bash_completion(model) : zsh_completion(model));
    return k_exit_ok;
  };
}

}  // namespace picket::cli
