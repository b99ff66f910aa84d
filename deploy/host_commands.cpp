#include "deploy/host_commands.hpp"

#include "deploy/ssh/shell_quote.hpp"
#include "topology/effective.hpp"

namespace picket {

std::string substitute_file(const std::string& command_template, const std::string& path) {
  static const std::string k_placeholder = "{file}";
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t hit = command_template.find(k_placeholder, pos);
    if (hit == std::string::npos) break;
    out.append(command_template, pos, hit - pos);
    out += shell_quote(path);
    pos = hit + k_placeholder.size();
  }
  out.append(command_template, pos, std::string::npos);
  return out;
}

std::string remote_path(const Host& host, const std::string& path) {
  if (!host.root) return path;
  std::string root = host.root->value;
  while (!root.empty() && root.back() == '/') root.pop_back();
  if (root.empty()) return path;
  return path.empty() || path.front() != '/' ? root + "/" + path : root + path;
}

std::string lock_path(const Host& host) {
  return remote_path(host, "/var/lib/picket/deploy.lock");
}

std::string pending_path(const Host& host) {
  return remote_path(host, "/var/lib/picket/pending.json");
}

std::string backup_path(const std::string& remote) { return remote + ".picket-bak"; }

bool needs_root(const RenderedFile& file, const Topology& topology, const Host& host) {
  if (!host.become) return false;
  const Node* node = file.node.empty() ? nullptr : topology.find_node(file.node);
  if (node == nullptr) return true;
  std::string home = effective_home(*node, &host);
  while (!home.empty() && home.back() == '/') home.pop_back();
  // Inside the node's home the login user owns the files; anything else is the system's.
  const bool inside = !home.empty() && file.path.size() > home.size() &&
                      file.path.compare(0, home.size(), home) == 0 &&
                      file.path[home.size()] == '/';
  return !inside;
}

bool root_actions(const Host& host) { return host.become.has_value(); }

std::optional<std::string> restart_command(const Host& host) {
  if (host.restart) return host.restart->value;
  if (host.service) return "systemctl restart " + shell_quote(host.service->value);
  return std::nullopt;
}

std::optional<std::string> check_command(const Host& host) {
  if (host.check) return host.check->value;
  if (host.service) return "systemctl is-active --quiet " + shell_quote(host.service->value);
  return std::nullopt;
}

std::optional<std::string> restart_command(const Host& host, const Node& node) {
  if (node.role.value == Role::signer)
    return host.signer_restart ? host.signer_restart->value
                               : "systemctl restart " + shell_quote(signer_service(host, node.cosigner_of.has_value()));
  return restart_command(host);
}

std::optional<std::string> check_command(const Host& host, const Node& node) {
  if (node.role.value == Role::signer)
    return host.signer_check ? host.signer_check->value
                             : "systemctl is-active --quiet " + shell_quote(signer_service(host, node.cosigner_of.has_value()));
  return check_command(host);
}

std::string reload_vpn_command(const Host& host, const std::string& remote_file) {
  return substitute_file(host.reload_vpn ? host.reload_vpn->value : k_default_reload_vpn,
                         remote_file);
}

std::string reload_firewall_command(const Host& host, const std::string& remote_file) {
  return substitute_file(
      host.reload_firewall ? host.reload_firewall->value : k_default_reload_firewall,
      remote_file);
}

std::string reload_monitoring_command(const Host& host, const std::string& remote_file) {
  return substitute_file(
      host.reload_monitoring ? host.reload_monitoring->value : k_default_reload_monitoring,
      remote_file);
}

std::string reload_units_command(const Host& host) {
  return host.reload_units ? host.reload_units->value : k_default_reload_units;
}

}  // namespace picket
