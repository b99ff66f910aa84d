// What makes picket's files live at boot on a stock Debian 12 host: /etc/nftables.conf
// (flush, then include /etc/nftables.d/*.nft, where picket.nft lives), and per host a systemd
// drop-in for the service of its nodes (and the signer's signer_service, tmkms.service by
// default) that orders it after
// nftables.service and, on a tunnel host, wg-quick@picket.service (a node bound to its tunnel
// address fails to start before the tunnel exists). nftables.conf needs no action when it
// changes: it matters at the next boot, and picket.nft is loaded by its own action meanwhile.
// A changed drop-in asks systemd to re-read its units (`reload_units`, daemon-reload), so
// that systemd does not keep running on the old ones.
#include <set>

#include "render/checks.hpp"
#include "render/host_common.hpp"
#include "render/template_engine.hpp"
#include "topology/effective.hpp"

namespace picket {

namespace {
constexpr const char* k_nftables_conf_path = "/etc/nftables.conf";

// systemctl's reading of a unit name: "cosmovisor" is "cosmovisor.service".
std::string unit_name(const std::string& service) {
  return service.find('.') == std::string::npos ? service + ".service" : service;
}

// What systemd accepts as a unit name (systemd.unit(5)): picket makes a path of it.
bool is_unit_name(const std::string& unit) {
  if (unit.empty() || unit.size() > 255 || unit.front() == '.') return false;
  for (const unsigned char c : unit)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@'))
      return false;
  return true;
}
}  // namespace

void check_boot(const RenderContext& ctx, Diagnostics& out) {
  for (const auto& host_name : ctx.peering.node_hosts()) {
    const Host* host = ctx.inventory.find_host(host_name);
    if (host == nullptr) continue;
    bool cometbft = false, signer = false;
    for (const Node* node : ctx.peering.nodes_on(host_name))
      (node->role.value == Role::signer ? signer : cometbft) = true;
    // Each unit only where it runs: a signer's host need not have a valid nodes' `service`.
    const auto check = [&](const std::optional<Located<std::string>>& unit, const char* key) {
      if (!unit || is_unit_name(unit_name(unit->value))) return;
      add_error(out, "schema", unit->loc,
                std::string(key) + " \"" + unit->value + "\" of host \"" + host_name +
                    "\" is not a systemd unit name (letters, digits and :-_.\\@)",
                {"host=" + host_name});
    };
    if (cometbft) check(host->service, "service");
    if (signer) check(host->signer_service, "signer_service");
  }
}

void render_boot(const RenderContext& ctx, FileSet& files, Diagnostics& out) {
  std::vector<std::string> hosts;
  std::vector<TemplateValue> confs;
  struct DropIn {
    std::string host, path;
  };
  std::vector<DropIn> dropins;
  std::vector<TemplateValue> dropin_items;
  for (const auto& host_name : ctx.peering.node_hosts()) {
    const Host* host = ctx.inventory.find_host(host_name);
    if (host == nullptr) continue;  // the loader reports it
    TemplateValue conf;
    conf["host"] = host_name;
    hosts.push_back(host_name);
    confs.push_back(std::move(conf));
    // The units to order: the nodes' `service` (without it a `restart` command runs the node
    // and picket does not know the unit), and tmkms's own unit for a signer.
    std::set<std::string> units;
    for (const Node* node : ctx.peering.nodes_on(host_name)) {
      if (node->role.value == Role::signer) {
        const std::string unit = unit_name(signer_service(*host, node->cosigner_of.has_value()));
        if (is_unit_name(unit)) units.insert(unit);  // else check_boot reports it
      } else if (host->service && is_unit_name(unit_name(host->service->value))) {
        units.insert(unit_name(host->service->value));  // else check_boot reports it
      }
    }
    const bool tunnel = ctx.tunnels.addresses.count(host_name) != 0;
    for (const auto& unit : units) {
      TemplateValue d;
      d["host"] = host_name;
      d["unit"] = unit;
      d["wants"] = std::string("nftables.service") + (tunnel ? " wg-quick@picket.service" : "");
      d["tunnel"] = tunnel;
      dropins.push_back({host_name, "/etc/systemd/system/" + unit + ".d/picket.conf"});
      dropin_items.push_back(std::move(d));
    }
  }
  auto texts = fill_each(ctx.templates, "nftables.conf", std::move(confs), out);
  auto dropin_texts = fill_each(ctx.templates, "systemd-dropin.conf", std::move(dropin_items), out);
  if (!texts || !dropin_texts) return;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    RenderedFile file;
    file.host = hosts[i];
    file.path = k_nftables_conf_path;
    file.mode = 0755;  // as Debian ships it: the file runs as `nft -f` through its #! line
    file.content = std::move((*texts)[i]);
    files.push_back(std::move(file));
  }
  for (std::size_t i = 0; i < dropins.size(); ++i) {
    RenderedFile file;
    file.host = dropins[i].host;
    file.path = dropins[i].path;
    file.mode = 0644;
    file.content = std::move((*dropin_texts)[i]);
    file.action = ApplyAction::reload_units;
    files.push_back(std::move(file));
  }
}

}  // namespace picket
