// `picket graph`: the topology as a picture (Graphviz DOT, Mermaid, or SVG through `dot`).

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/inputs.hpp"
#include "cli/terminal.hpp"
#include "topology/picture.hpp"

extern char** environ;

namespace picket::cli {

namespace {
struct GraphOptions {
  InputPaths paths;
  std::string format = "dot";
  std::string output;
};

// Feeds DOT to Graphviz on a pipe; dot writes the SVG to `output` (or our stdout).
int run_dot_svg(const std::string& dot_text, const std::string& output) {
  int fds[2];
  if (pipe(fds) != 0) {
    std::fprintf(stderr, "picket: error: pipe: %s\n", std::strerror(errno));
    return k_exit_usage;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<std::string> args{"dot", "-Tsvg"};
  if (!output.empty()) {
    args.push_back("-o");
    args.push_back(output);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "dot", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    if (rc == ENOENT)
      std::fprintf(stderr,
                   "picket: error: --format svg needs Graphviz `dot`, which is not installed "
                   "(Debian: apt-get install graphviz); --format dot or mermaid need nothing\n");
    else
      std::fprintf(stderr, "picket: error: cannot run dot: %s\n", std::strerror(rc));
    return k_exit_usage;
  }
  // A dot that dies early must not kill us with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const char* p = dot_text.data();
  std::size_t left = dot_text.size();
  while (left > 0) {
    const ssize_t n = write(fds[1], p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  close(fds[1]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "picket: error: dot failed to draw the picture\n");
    return k_exit_findings;
  }
  return k_exit_ok;
}

int run_graph(const GraphOptions& opt) {
  const InputPaths& paths = opt.paths;
  auto inputs = load_graph_or_explain(paths);
  if (!inputs) return inputs.error();
  const LintResult& r = inputs->result;
  if (opt.format == "svg") return run_dot_svg(picture_dot(r.topology, r.inventory, *r.analysis), opt.output);

  const std::string text = opt.format == "mermaid"
                               ? picture_mermaid(r.topology, r.inventory, *r.analysis)
                               : picture_dot(r.topology, r.inventory, *r.analysis);
  if (opt.output.empty()) {
    write_out(stdout, text);
    return k_exit_ok;
  }
  std::ofstream out(opt.output, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "picket: error: %s: cannot write: %s\n", opt.output.c_str(),
                 std::strerror(errno));
    return k_exit_usage;
  }
  return k_exit_ok;
}
}  // namespace

Command add_graph_command(CLI::App& app) {
  auto opt = std::make_shared<GraphOptions>();
  auto* cmd = app.add_subcommand("graph", "Draw the topology (DOT, Mermaid or SVG)");
  add_input_options(*cmd, opt->paths);
  cmd->add_option("--format,-f", opt->format, "Picture format")
      ->check(CLI::IsMember({"dot", "mermaid", "svg"}));
  cmd->add_option("-o,--output", opt->output, "Write to this file instead of stdout");
  return [opt] { return run_graph(*opt); };
}

}  // namespace picket::cli
