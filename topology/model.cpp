#include "topology/model.hpp"

namespace picket {

const char* role_name(Role r) {
  switch (r) {
    case Role::validator: return "validator";
    case Role::private_sentry: return "private-sentry";
    case Role::public_sentry: return "public-sentry";
    case Role::signer: return "signer";
  }
  return "?";
}

const char* link_kind_name(LinkKind k) {
  switch (k) {
    case LinkKind::vpn: return "vpn";
    case LinkKind::private_net: return "private";
    case LinkKind::public_net: return "public";
  }
  return "?";
}

const char* domain_kind_name(DomainKind k) {
  switch (k) {
    case DomainKind::host: return "host";
    case DomainKind::datacenter: return "datacenter";
    case DomainKind::region: return "region";
    case DomainKind::provider: return "provider";
  }
  return "?";
}

std::optional<Role> parse_role(const std::string& s) {
  for (Role r : {Role::validator, Role::private_sentry, Role::public_sentry, Role::signer})
    if (s == role_name(r)) return r;
  return std::nullopt;
}

std::optional<LinkKind> parse_link_kind(const std::string& s) {
  for (LinkKind k : {LinkKind::vpn, LinkKind::private_net, LinkKind::public_net})
    if (s == link_kind_name(k)) return k;
  return std::nullopt;
}

std::optional<DomainKind> parse_domain_kind(const std::string& s) {
  for (DomainKind k : {DomainKind::host, DomainKind::datacenter, DomainKind::region,
                       DomainKind::provider})
    if (s == domain_kind_name(k)) return k;
  return std::nullopt;
}

const Node* Topology::find_node(const std::string& name) const {
  auto it = m_node_index.find(name);
  return it == m_node_index.end() ? nullptr : &nodes[it->second];
}

void Topology::index_nodes() {
  m_node_index.clear();
  m_node_index.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) m_node_index.emplace(nodes[i].name.value, i);
}

std::optional<std::string> Host::domain(DomainKind k) const {
  auto value = [](const std::optional<Located<std::string>>& f) -> std::optional<std::string> {
    if (!f) return std::nullopt;
    return f->value;
  };
  switch (k) {
    case DomainKind::host: return name.value;
    case DomainKind::datacenter: return value(datacenter);
    case DomainKind::region: return value(region);
    case DomainKind::provider: return value(provider);
  }
  return std::nullopt;
}

const Host* Inventory::find_host(const std::string& name) const {
  auto it = m_host_index.find(name);
  return it == m_host_index.end() ? nullptr : &hosts[it->second];
}

void Inventory::index_hosts() {
  m_host_index.clear();
  m_host_index.reserve(hosts.size());
  for (std::size_t i = 0; i < hosts.size(); ++i) m_host_index.emplace(hosts[i].name.value, i);
}

const std::vector<std::string>& sdk_lines() {
  static const std::vector<std::string> k_lines{"0.46", "0.47", "0.50", "0.53"};
  return k_lines;
}

std::string sdk_cometbft_line(const std::string& sdk) {
  if (sdk == "0.46") return "0.34";
  if (sdk == "0.47") return "0.37";
  if (sdk == "0.50" || sdk == "0.53") return "0.38";
  return {};
}

std::string effective_sdk_line(const Chain& chain) {
  if (chain.sdk) return chain.sdk->value;
  const std::string& line = chain.cometbft.value;
  if (line == "0.34") return "0.46";
  if (line == "0.37") return "0.47";
  if (line == "0.38") return "0.50";
  return {};
}

bool renders_app_toml(const Chain& chain) { return chain.sdk.has_value() || chain.base_app.has_value(); }

bool is_tmkms_signer(const Node& n) {
  return n.role.value == Role::signer && !n.horcrux && !n.cosigner_of;
}

std::vector<const Node*> signer_processes(const Topology& topology, const Node& signer) {
  if (!signer.horcrux) return {&signer};
  std::vector<const Node*> out;
  for (const HorcruxCosigner& c : signer.horcrux->cosigners)
    if (const Node* n = topology.find_node(c.node); n != nullptr && n->cosigner_of) out.push_back(n);
  return out;
}

}  // namespace picket
