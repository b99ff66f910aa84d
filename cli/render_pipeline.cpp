#include "cli/render_pipeline.hpp"

#include <cstdio>

#include "cli/exit_codes.hpp"
#include "cli/secrets_store.hpp"
#include "cli/template_dir.hpp"
#include "cli/terminal.hpp"
#include "render/key_plan.hpp"
#include "render/neighbours.hpp"
#include "render/render.hpp"
#include "render/tunnel.hpp"

namespace picket::cli {

namespace {
void print_diagnostics(const CheckedInputs& checked, const Diagnostics& diags) {
  write_out(stderr, format_text(diags, summarize(diags, checked.result.analysis), checked.sources,
                                use_color("auto", stderr)));
}

// Prints `message` as error lines (it may hold one problem per line, one per key file).
tl::unexpected<int> fail(const std::string& message, int rc) {
  std::size_t start = 0;
  while (start < message.size()) {
    std::size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    std::fprintf(stderr, "picket: error: %s\n", message.substr(start, end - start).c_str());
    start = end + 1;
  }
  return tl::make_unexpected(rc);
}

// The keys render needs, all present and sound: nothing here creates keys (that is
// `picket keys`, whose output the operator can check first).
tl::expected<Secrets, int> load_render_secrets(const std::string& dir,
                                               const CheckedInputs& checked,
                                               const std::string& topology_path) {
  if (auto usable = check_secrets_dir(dir); !usable) return fail(usable.error(), k_exit_usage);
  const Topology& topology = checked.result.topology;
  Diagnostics pinned;
  check_pinned_ids(topology, dir, pinned);
  if (has_errors(pinned)) {
    print_diagnostics(checked, pinned);
    return tl::make_unexpected(k_exit_findings);
  }
  const KeyPlan plan = plan_keys(topology);
  auto secrets = load_secrets(dir, plan);
  if (!secrets) return fail(secrets.error(), k_exit_findings);
  if (auto missing = missing_keys(plan, *secrets); !missing.empty())
    return fail(missing_keys_message(missing, topology_path), k_exit_findings);
  return std::move(*secrets);
}
}  // namespace

tl::expected<RenderedInputs, int> lint_and_render(const InputPaths& paths,
                                                  const std::string& secrets_dir,
                                                  const std::string& template_dir,
                                                  std::string_view command) {
  auto checked = load_or_usage_error(paths);
  if (!checked) return tl::make_unexpected(checked.error());
  // What CI lints is what render derives and deploy pushes: any lint error stops here.
  if (has_errors(checked->result.diagnostics) || !checked->result.analysis) {
    print_diagnostics(*checked, checked->result.diagnostics);
    return fail(std::string(command) + " refuses a topology with lint errors", k_exit_findings);
  }
  // Warnings do not stop it, but they say what the files will lack (a DNS name a ruleset
  // cannot list drops that peer's connections): never keep them from the operator.
  print_warnings(*checked);
  auto secrets = load_render_secrets(
      secrets_dir.empty() ? default_secrets_dir(paths.topology) : secrets_dir, *checked,
      paths.topology);
  if (!secrets) return tl::make_unexpected(secrets.error());
  auto templates = load_template_dir(template_dir);
  if (!templates) return fail(templates.error(), k_exit_usage);
  // Lint's peering index, so the topology is indexed once: render, the health gate's peers
  // and the handoffs read it.
  const Topology& topology = checked->result.topology;
  Diagnostics tunnel_problems;
  const RenderContext ctx(*checked->result.peering, checked->result.inventory, *secrets, *templates,
                          plan_tunnels(topology, checked->result.inventory, tunnel_problems));
  Diagnostics render_diags;
  FileSet files = render_all(ctx, std::move(tunnel_problems), render_diags);
  sort_diagnostics(render_diags);
  // Its warnings are lint's (check_render), printed above; only a refusal is news here.
  if (has_errors(render_diags)) {
    Diagnostics errors;
    for (auto& d : render_diags)
      if (d.severity == Severity::error) errors.push_back(std::move(d));
    print_diagnostics(*checked, errors);
    return tl::make_unexpected(k_exit_findings);
  }
  auto peers = own_peers(ctx.peering, ctx.node_ids);
  std::vector<std::string> ids = ctx.node_ids;
  // The partners' handoffs from the context render used (its tunnel plan rendered cleanly).
  std::vector<Handoff> handoffs = partner_handoffs(ctx);
  return RenderedInputs{std::move(*checked), std::move(files), std::move(peers), std::move(ids),
                        std::move(handoffs)};
}

}  // namespace picket::cli
