// `picket partner TOPOLOGY PARTNER`: what to send a partner validator so it can peer with us,
// and what we expect from it (render/handoff.hpp), as text or JSON. Public data only. Lints
// and renders first like plan (the handoff must be what deploy leaves on the hosts).
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/render_pipeline.hpp"
#include "cli/terminal.hpp"
#include "topology/yaml_read.hpp"
#include "util/text.hpp"

namespace picket::cli {

namespace {
struct PartnerFlags {
  InputPaths paths;
  std::string partner;
  std::string secrets;
  std::string format = "text";
};

int run_partner(const PartnerFlags& flags) {
  auto rendered = lint_and_render(flags.paths, flags.secrets, "", "partner");
  if (!rendered) return rendered.error();
  std::vector<std::string> names;
  for (const Handoff& h : rendered->handoffs) {
    if (h.partner == flags.partner) {
      write_out(stdout, flags.format == "json" ? format_handoff_json(h) : format_handoff_text(h));
      return k_exit_ok;
    }
    names.push_back(h.partner);
  }
  std::string hint = "it has no partners";
  if (!names.empty()) {
    const std::string match = Suggester().small(flags.partner, names);
    hint = match.empty() ? "its partners: " + in_quotes_list(names) : "did you mean " + in_quotes(match) + "?";
  }
  std::fprintf(stderr, "picket: error: no partner %s in %s; %s\n", in_quotes(flags.partner).c_str(),
               flags.paths.topology.c_str(), hint.c_str());
  return k_exit_usage;
}
}  // namespace

Command add_partner_command(CLI::App& app) {
  auto flags = std::make_shared<PartnerFlags>();
  auto* cmd = app.add_subcommand(
      "partner", "Print what to send a partner (our node IDs, addresses, WireGuard public keys, open ports) and what we expect from it");
  add_input_options(*cmd, flags->paths);
  cmd->add_option("partner", flags->partner, "The partner's name in the topology")->required();
  cmd->add_option("--secrets", flags->secrets, "Secrets directory (default: .picket/secrets beside the topology)");
  cmd->add_option("--format,-f", flags->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  return [flags] { return run_partner(*flags); };
}

}  // namespace picket::cli
