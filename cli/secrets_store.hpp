#pragma once
// The secrets directory: the node keys and WireGuard private keys picket generates, kept on
// the operator's machine beside the topology (never in the topology or the inventory).
//
// Layout (directories 0700, files 0600):
//   DIR/nodes/<node>/node_key.json   CometBFT node key, compact JSON as the node writes it
//   DIR/wireguard/<host>.key         base64 private key and a newline, as `wg genkey` writes
//   DIR/.gitignore                   `*`, written when picket creates DIR, so keys stay out of git

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "render/key_plan.hpp"
#include "render/secrets.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket::cli {

/// `.picket/secrets` in the topology file's directory.
std::string default_secrets_dir(const std::string& topology_path);
/// DIR/nodes/<node>/node_key.json
std::string node_key_path(const std::string& dir, const std::string& node);
/// DIR/wireguard/<host>.key
std::string wireguard_key_path(const std::string& dir, const std::string& host);

/// Error when `dir` cannot be a secrets directory: it exists but is not a directory, or its
/// path cannot be examined. A directory that does not exist yet is fine.
tl::expected<void, std::string> check_secrets_dir(const std::string& dir);

/// Reads the planned keys that exist in `dir`; a missing file is simply absent. Error: every
/// malformed file, file with group/other permissions, or unreadable file, one per line,
/// each naming its path.
tl::expected<Secrets, std::string> load_secrets(const std::string& dir, const KeyPlan& plan);

/// Creates the planned keys whose files do not exist yet (never touching existing ones), with
/// fresh randomness, atomically. Returns the part of the plan it created. Error: a directory
/// or file cannot be created or written (the message names it).
tl::expected<KeyPlan, std::string> ensure_keys(const std::string& dir, const KeyPlan& plan);

/// Replaces the node key of `node` with a fresh one. The old file is first hard-linked to
/// DIR/nodes/<node>/node_key.json.<UTC time>.bak (the same 0600 file, never read again by
/// picket), then the new key is renamed over node_key.json. Returns the backup's path.
/// Error: there is no key file to rotate, or a file cannot be linked or written.
tl::expected<std::string, std::string> rotate_node_key(const std::string& dir, const std::string& node);

/// For each node with a pinned `node_id` whose key file exists in `dir`: the file's ID must
/// be the pinned one, else an `address` error at the node_id.
void check_pinned_ids(const Topology& topology, const std::string& dir, Diagnostics& out);

/// `missing keys: node key of "a", …; run `picket keys TOPOLOGY` first` (one line, no newline).
std::string missing_keys_message(const std::vector<std::string>& missing,
                                 const std::string& topology_path);

}  // namespace picket::cli
