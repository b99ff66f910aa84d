#pragma once
// The one way from files to rendered files, shared by `render`, `plan` and `deploy`: lint
// (refusing on errors, like CI would), the keys (checked, never created), the templates,
// render. Each step that fails prints why to stderr and ends the pipeline with its exit code.

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "cli/inputs.hpp"
#include "render/neighbours.hpp"
#include "render/file_set.hpp"
#include "render/handoff.hpp"

namespace picket::cli {

/// The linted model and its rendered files.
struct RenderedInputs {
  CheckedInputs checked;
  FileSet files;
  /// Every p2p node's graph neighbours among our own nodes, with their IDs (deploy's health
  /// gate waits for a restarted node to reconnect to those it had before).
  std::map<std::string, std::vector<OwnPeer>> own_peers;
  std::vector<std::string> node_ids;  // every node's ID (public), by index into the nodes
  std::vector<Handoff> handoffs;       // what each partner is sent (`picket partner`), file order
  const Topology& topology() const { return checked.result.topology; }
  const Inventory& inventory() const { return checked.result.inventory; }
};

/// Lints the inputs, loads the keys from `secrets_dir` (empty: .picket/secrets beside the
/// topology), the templates from `template_dir` (empty: the built-in ones) and renders.
/// `command` names the caller in the refusal. Exit codes: k_exit_usage for an unreadable
/// input, secrets or templates directory; k_exit_findings for lint errors, broken or missing
/// keys and render errors.
tl::expected<RenderedInputs, int> lint_and_render(const InputPaths& paths,
                                                  const std::string& secrets_dir,
                                                  const std::string& template_dir,
                                                  std::string_view command);

}  // namespace picket::cli
