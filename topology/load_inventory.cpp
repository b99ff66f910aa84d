// The inventory loader (topology-format.md §2).
// Approach: parse_yaml streams the entries of `hosts`; each is converted to a Host holding
// only what it wrote, with a bit per key it wrote. `defaults` may stand after `hosts` in the
// file, so defaults are applied at the end, to keys a host did not write; a defaulted value
// keeps the location where `defaults` wrote it. Then `jump` names are resolved and jump
// chains are followed once each (every host has at most one jump, so loops are found in
// linear time).

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "topology/address.hpp"
#include "topology/load.hpp"
#include "topology/yaml_read.hpp"
#include "topology/yaml_tree.hpp"
#include "util/text.hpp"

namespace picket {
namespace {

// How the value of a string-valued host key is checked.
enum class HostValue { text, home, root, become, jump, host_key, tunnel_address };

struct HostKey {
  const char* name;
  std::optional<Located<std::string>> Host::*field;
  HostValue kind;
};

// Every key of a host but `address` and `port`, which are not optional strings.
constexpr HostKey k_host_string_keys[] = {
    {"user", &Host::user, HostValue::text},
    {"identity", &Host::identity, HostValue::text},
    {"home", &Host::home, HostValue::home},
    {"service", &Host::service, HostValue::text},
    {"datacenter", &Host::datacenter, HostValue::text},
    {"region", &Host::region, HostValue::text},
    {"provider", &Host::provider, HostValue::text},
    {"jump", &Host::jump, HostValue::jump},
    {"host_key", &Host::host_key, HostValue::host_key},
    {"become", &Host::become, HostValue::become},
    {"restart", &Host::restart, HostValue::text},
    {"check", &Host::check, HostValue::text},
    {"reload_vpn", &Host::reload_vpn, HostValue::text},
    {"reload_firewall", &Host::reload_firewall, HostValue::text},
    {"root", &Host::root, HostValue::root},
    {"reload_monitoring", &Host::reload_monitoring, HostValue::text},
    {"tunnel_address", &Host::tunnel_address, HostValue::tunnel_address},
    {"signer_service", &Host::signer_service, HostValue::text},
    {"signer_restart", &Host::signer_restart, HostValue::text},
    {"signer_check", &Host::signer_check, HostValue::text},
    {"reload_units", &Host::reload_units, HostValue::text},
};
constexpr std::size_t k_string_key_count = std::size(k_host_string_keys);
// Bits of a written-keys mask: one per string key, then these two.
constexpr std::uint32_t k_address_bit = 1U << k_string_key_count;
constexpr std::uint32_t k_port_bit = 1U << (k_string_key_count + 1);
constexpr std::uint32_t k_ssh_allow_bit = 1U << (k_string_key_count + 2);
constexpr std::uint32_t k_allow_ports_bit = 1U << (k_string_key_count + 3);
constexpr std::size_t k_jump_index = 7;
static_assert(k_host_string_keys[k_jump_index].kind == HostValue::jump);

const std::vector<std::string> k_top_keys = {"defaults", "hosts", "controller"};
const std::vector<std::string> k_host_keys = {
    "address",         "port",       "user",    "identity", "home",
    "service",         "datacenter", "region",  "provider", "jump",
    "host_key",        "become",     "restart", "check",    "reload_vpn",
    "reload_firewall", "root",       "reload_monitoring", "tunnel_address", "ssh_allow", "allow_ports",
    "signer_service",  "signer_restart", "signer_check", "reload_units"};
const std::vector<std::string> k_allow_port_keys = {"port", "proto", "from"};
const std::vector<std::string> k_protocols = {"tcp", "udp"};
const std::vector<std::string> k_become = {"sudo"};

// [A-Za-z0-9._-]{1,63}
bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string host_subject(const std::string& name) { return "host=" + name; }

class InventoryLoader final : public YamlEntrySink {
 public:
  InventoryLoader(const SourceText& source, Diagnostics& diags)
      : m_source(source),
        m_file(std::make_shared<const std::string>(source.path)),
        m_reader(m_tree, m_file, diags),
        m_diags(diags) {
    m_inventory.path = m_file;
  }

  Inventory load() {
    const std::size_t from = m_diags.size();
    Inventory i = load_file();
    name_the_file(m_diags, from, *m_file);
    return i;
  }

  Inventory load_file() {
    const YamlDocument doc = parse_yaml(m_source.text, m_file, m_tree, this, m_diags);
    if (doc.status == YamlStatus::empty)
      add_error(m_diags, "schema", {m_file, 1, 1},
                "the inventory file is empty; expected a map with \"hosts\"");
    if (doc.status != YamlStatus::ok) {
      Inventory empty;
      empty.path = m_file;
      return empty;
    }
    read_root(doc.root);
    apply_defaults();  // indexes the hosts, which no longer come or go after it
    resolve_jumps();
    check_shared_addresses();
    return std::move(m_inventory);
  }

  bool accept_root(YamlKind kind) override { return kind == YamlKind::map; }

  bool stream_entries(std::string_view key, YamlKind kind) override {
    return key == "hosts" && kind == YamlKind::map;
  }

  void on_collection(std::string_view, std::size_t estimate) override {
    m_inventory.hosts.reserve(estimate);
    m_written.reserve(estimate);
  }

  void on_entry(const YamlTree&, std::string_view, YamlId key, YamlId value) override {
    read_host(key, value);
  }

 private:
  const YamlNode& node(YamlId id) const { return m_reader.node(id); }

  void read_root(YamlId root) {
    const YamlContext ctx{"at the top level", {}};
    if (node(root).kind != YamlKind::map) {
      m_reader.error("schema", root,
                     fmt::format("the top level of the inventory file must be a map, found {}",
                                 m_reader.describe(root)),
                     ctx);
      return;
    }
    std::vector<YamlField> fields;
    m_reader.fields(root, fields, ctx);
    bool has_hosts = false;
    for (const YamlField& f : fields) {
      const std::string& k = m_reader.key(f);
      if (k == "defaults") {
        const YamlContext dctx{"in \"defaults\"", {"defaults"}};
        if (m_reader.expect_map(f.value, "\"defaults\"", dctx))
          read_host_keys(f.value, m_defaults, m_defaults_written, dctx);
        // One address for every host would be every host's collision.
        if (m_defaults.tunnel_address) {
          add_error(m_diags, "schema", m_defaults.tunnel_address->loc,
                    "\"tunnel_address\" pins one host's tunnel address: set it on the host, "
                    "not in \"defaults\"",
                    {"defaults"});
          m_defaults.tunnel_address.reset();
        }
      } else if (k == "hosts") {
        has_hosts = true;
        if (m_reader.expect_map(f.value, "\"hosts\"", {"at the top level", {"hosts"}}))
          read_leftover_hosts(f.value);
      } else if (k == "controller") {
        m_inventory.controller_loc = m_reader.loc(f.key);
        m_inventory.controller = prefix_list(f, "controller", {"at the top level", {"controller"}});
      } else if (k.rfind("x-", 0) == 0) {
        // Extension keys (as in Compose files): a home for anchors, ignored by picket.
      } else {
        m_reader.unknown_key(f, k_top_keys, ctx);
      }
    }
    if (!has_hosts) m_reader.missing_key("hosts", m_reader.loc(root), ctx);
  }

  // Entries still in the tree: all when `hosts` was anchored, else those merged with `<<`.
  void read_leftover_hosts(YamlId map) {
    std::vector<YamlField> fields;
    m_reader.fields(map, fields, {"in \"hosts\"", {}});
    if (fields.empty()) return;
    std::unordered_set<std::string> defined;
    for (const Host& h : m_inventory.hosts) defined.insert(h.name.value);
    for (const std::string& h : m_dropped_hosts) defined.insert(h);
    for (const YamlField& f : fields)
      if (defined.insert(m_reader.key(f)).second) read_host(f.key, f.value);
  }

  void read_host(YamlId key, YamlId value) {
    const YamlNode& k = node(key);
    if (k.kind != YamlKind::scalar) {
      m_reader.error("schema", key,
                     fmt::format("a host name must be a string, found {}", m_reader.describe(key)),
                     {});
      return;
    }
    const std::string& name = k.text;
    const YamlContext ctx{fmt::format("in host {}", in_quotes(name)), {host_subject(name)}};
    if (!is_host_name(name))
      m_reader.error(
          "schema", key,
          fmt::format("host name {} must be 1 to 63 characters of [A-Za-z0-9._-]", in_quotes(name)),
          ctx);
    else if (name == "." || name == "..")  // would name a parent folder in `render`'s output
      m_reader.error("schema", key,
                     fmt::format("host name {} is not a name: it means a directory", in_quotes(name)),
                     ctx);
    if (!m_reader.expect_map(value, fmt::format("host {}", in_quotes(name)), ctx)) {
      m_dropped_hosts.insert(name);
      return;
    }
    Host& h = m_inventory.hosts.emplace_back();
    h.name = {name, m_reader.loc(key)};
    std::uint32_t& written = m_written.emplace_back(0);
    read_host_keys(value, h, written, ctx);
  }

  // Reads the keys of a host (or of `defaults`) into `h`, setting a bit of `written` for each
  // key present, valid or not: a host's own mistake is not papered over by a default.
  void read_host_keys(YamlId map, Host& h, std::uint32_t& written, const YamlContext& ctx) {
    std::vector<YamlField>& fields = m_entry_fields;  // hosts never nest: one buffer serves all
    m_reader.fields(map, fields, ctx);
    for (const YamlField& f : fields) {
      const std::string& k = m_reader.key(f);
      if (k == "address") {
        written |= k_address_bit;
        if (auto v = m_reader.string(f, ctx)) {
          if (is_host_address(v->value))
            h.address = std::move(*v);
          else
            m_reader.error("address", f.value,
                           fmt::format("\"address\" must be an IPv4 address, an IPv6 address or "
                                       "a DNS name, found {}",
                                       in_quotes(v->value)),
                           ctx);
        }
        continue;
      }
      if (k == "port") {
        written |= k_port_bit;
        if (auto v = m_reader.port(f, ctx)) h.port = *v;
        continue;
      }
      if (k == "ssh_allow") {
        written |= k_ssh_allow_bit;
        h.ssh_allow = prefix_list(f, "ssh_allow", ctx);
        h.ssh_allow_loc = m_reader.loc(f.key);
        continue;
      }
      if (k == "allow_ports") {
        written |= k_allow_ports_bit;
        h.allow_ports = allowed_ports(f, ctx);
        continue;
      }
      const auto* entry = std::find_if(std::begin(k_host_string_keys), std::end(k_host_string_keys),
                                       [&](const HostKey& hk) { return k == hk.name; });
      if (entry == std::end(k_host_string_keys)) {
        m_reader.unknown_key(f, k_host_keys, ctx);
        continue;
      }
      written |= 1U << (entry - std::begin(k_host_string_keys));
      if (auto v = string_value(f, entry->kind, ctx)) h.*(entry->field) = std::move(*v);
    }
  }

  // One address or CIDR prefix of an allowlist, or nullopt (reported).
  std::optional<Located<std::string>> prefix(YamlId id, std::string_view key,
                                             const YamlContext& ctx) {
    const YamlNode& v = node(id);
    if (v.kind != YamlKind::scalar || v.text.empty()) {
      m_reader.error("schema", id,
                     fmt::format("items of \"{}\" must be addresses or CIDR prefixes, found {}",
                                 key, m_reader.describe(id)),
                     ctx);
      return std::nullopt;
    }
    const auto p = parse_ip_prefix(v.text);
    if (!p) {
      m_reader.error("address", id,
                     fmt::format("\"{}\" takes IPv4 or IPv6 addresses or CIDR prefixes "
                                 "(198.51.100.7, 198.51.100.0/24, 2001:db8::/48), found {}",
                                 key, in_quotes(v.text)),
                     ctx);
      return std::nullopt;
    }
    if (has_host_bits(*p)) {
      m_reader.error("address", id,
                     fmt::format("{} in \"{}\" has bits set past its prefix length; did you "
                                 "mean {}?",
                                 in_quotes(v.text), key, in_quotes(format_prefix(*p))),
                     ctx);
      return std::nullopt;
    }
    return Located<std::string>{v.text, m_reader.loc(id)};
  }

  // A list of addresses or CIDR prefixes, or one of them written alone.
  std::vector<Located<std::string>> prefix_list(const YamlField& f, std::string_view key,
                                                const YamlContext& ctx) {
    std::vector<Located<std::string>> out;
    const YamlNode& v = node(f.value);
    if (v.kind == YamlKind::scalar) {
      if (auto p = prefix(f.value, key, ctx)) out.push_back(std::move(*p));
      return out;
    }
    if (!m_reader.expect_list(f.value, fmt::format("\"{}\"", key), ctx)) return out;
    for (const YamlId item : v.children)
      if (auto p = prefix(item, key, ctx)) out.push_back(std::move(*p));
    return out;
  }

  // `allow_ports`: a list of {port, proto, from}.
  std::vector<AllowedPort> allowed_ports(const YamlField& f, const YamlContext& ctx) {
    std::vector<AllowedPort> out;
    if (!m_reader.expect_list(f.value, "\"allow_ports\"", ctx)) return out;
    for (const YamlId item : node(f.value).children) {
      if (!m_reader.expect_map(item, "an item of \"allow_ports\"", ctx)) continue;
      std::vector<YamlField> fields;
      m_reader.fields(item, fields, ctx);
      AllowedPort a;
      a.loc = m_reader.loc(item);
      bool has_port = false, has_from = false, ok = true;
      for (const YamlField& e : fields) {
        const std::string& k = m_reader.key(e);
        if (k == "port") {
          has_port = true;
          if (auto p = m_reader.port(e, ctx)) a.port = *p; else ok = false;
        } else if (k == "proto") {
          if (auto p = m_reader.choice(e, k_protocols, ctx)) a.proto = *p; else ok = false;
        } else if (k == "from") {
          has_from = true;
          const YamlNode& v = node(e.value);
          if (v.kind == YamlKind::scalar && v.text == "any") {
            a.any = true;
          } else {
            a.from = prefix_list(e, "from", ctx);
            if (a.from.empty()) ok = false;
          }
        } else {
          m_reader.unknown_key(e, k_allow_port_keys, ctx);
        }
      }
      if (!has_port) m_reader.missing_key("port", a.loc, ctx);
      if (!has_from) m_reader.missing_key("from", a.loc, ctx);
      if (ok && has_port && has_from) out.push_back(std::move(a));
    }
    return out;
  }

  std::optional<Located<std::string>> string_value(const YamlField& f, HostValue kind,
                                                   const YamlContext& ctx) {
    if (kind == HostValue::become) return m_reader.choice(f, k_become, ctx);
    auto v = m_reader.string(f, ctx);
    if (!v) return std::nullopt;
    const std::string& s = v->value;
    switch (kind) {
      case HostValue::home:
        if ((s.front() == '/' || s.rfind("~/", 0) == 0) &&
            !is_clean_remote_path(s.front() == '/' ? s : s.substr(1))) {
          m_reader.error("schema", f.value, bad_path_message("home", s), ctx);
          return std::nullopt;
        }
        if (s.front() == '/' || s.rfind("~/", 0) == 0) return v;
        m_reader.error("schema", f.value,
                       fmt::format("\"home\" must be an absolute path or start with \"~/\", "
                                   "found {}",
                                   in_quotes(s)),
                       ctx);
        return std::nullopt;
      case HostValue::root:
        if (s.front() == '/' && !is_clean_remote_path(s)) {
          m_reader.error("schema", f.value, bad_path_message("root", s), ctx);
          return std::nullopt;
        }
        if (s.front() == '/') return v;
        m_reader.error("schema", f.value,
                       fmt::format("\"root\" must be an absolute path, found {}", in_quotes(s)),
                       ctx);
        return std::nullopt;
      case HostValue::host_key:
        return check_host_key(*v, f, ctx) ? v : std::nullopt;
      case HostValue::tunnel_address:
        if (is_ipv4(s)) return v;
        m_reader.error("address", f.value,
                       fmt::format("\"tunnel_address\" must be an IPv4 address inside vpn.subnet, "
                                   "found {}",
                                   in_quotes(s)),
                       ctx);
        return std::nullopt;
      case HostValue::text:
      case HostValue::jump:
      case HostValue::become:
        return v;
    }
    return v;
  }

  bool check_host_key(const Located<std::string>& v, const YamlField& f, const YamlContext& ctx) {
    std::string message;
    switch (check_ssh_host_key(v.value)) {
      case HostKeyCheck::ok:
        return true;
      case HostKeyCheck::form:
      case HostKeyCheck::type:
        message = fmt::format("\"host_key\" must be \"TYPE BASE64\" with TYPE one of {}, found {}",
                              k_host_key_types, in_quotes(v.value));
        break;
      case HostKeyCheck::base64:
        message = fmt::format(
            "\"host_key\" must be \"TYPE BASE64\" with valid base64 after the "
            "type, found {}",
            in_quotes(v.value));
        break;
      case HostKeyCheck::mismatch:
        message = fmt::format(
            "\"host_key\" holds a key that is not of type {}; expected the "
            "key as ssh-keyscan prints it",
            in_quotes(v.value.substr(0, v.value.find(' '))));
        break;
    }
    m_reader.error("address", f.value, std::move(message), ctx);
    return false;
  }

  bool defined(const std::string& name) const {
    return m_inventory.find_host(name) != nullptr || m_dropped_hosts.count(name) > 0;
  }

  std::string did_you_mean(const std::string& name) {
    if (m_host_names.empty()) {
      m_host_names.reserve(m_inventory.hosts.size() + m_dropped_hosts.size());
      for (const Host& h : m_inventory.hosts) m_host_names.push_back(h.name.value);
      for (const std::string& h : m_dropped_hosts) m_host_names.push_back(h);
    }
    const std::string match = m_reader.suggester().name(name, m_host_names);
    return match.empty() ? "" : fmt::format("; did you mean {}?", in_quotes(match));
  }

  void apply_defaults() {
    m_inventory.index_hosts();
    // A default jump names one host for all: check it once, here, not once per host.
    auto& default_jump = m_defaults.*(k_host_string_keys[k_jump_index].field);
    if (default_jump && !defined(default_jump->value)) {
      add_error(m_diags, "reference", default_jump->loc,
                fmt::format("unknown host {} in \"jump\"{}", in_quotes(default_jump->value),
                            did_you_mean(default_jump->value)),
                {"defaults"});
      default_jump.reset();
    }
    for (std::size_t i = 0; i < m_inventory.hosts.size(); ++i) {
      Host& h = m_inventory.hosts[i];
      const std::uint32_t written = m_written[i];
      for (std::size_t k = 0; k < k_string_key_count; ++k) {
        const auto field = k_host_string_keys[k].field;
        if ((written & 1U << k) || !(m_defaults.*field)) continue;
        // The jump host itself does not jump through itself.
        if (k == k_jump_index && (m_defaults.*field)->value == h.name.value) continue;
        h.*field = m_defaults.*field;
      }
      if (!(written & k_port_bit) && (m_defaults_written & k_port_bit)) h.port = m_defaults.port;
      if (!(written & k_ssh_allow_bit) && (m_defaults_written & k_ssh_allow_bit)) {
        h.ssh_allow = m_defaults.ssh_allow;
        h.ssh_allow_loc = m_defaults.ssh_allow_loc;
      }
      if (!(written & k_allow_ports_bit) && (m_defaults_written & k_allow_ports_bit))
        h.allow_ports = m_defaults.allow_ports;
      if (!(written & k_address_bit)) {
        if (m_defaults_written & k_address_bit)
          h.address = m_defaults.address;
        else
          m_reader.missing_key(
              "address", h.name.loc,
              {fmt::format("in host {}", in_quotes(h.name.value)), {host_subject(h.name.value)}});
      }
    }
  }

  // Two hosts reached at one address, SSH port and jump host are one machine under two
  // names: its failure domains would count twice and deploy would write both hosts' files
  // onto it. (One address with different SSH ports is allowed: hosts behind one NAT, or the
  // local sshd fleet of the tests.)
  void check_shared_addresses() {
    std::unordered_map<std::string, const Host*> first;
    first.reserve(m_inventory.hosts.size());
    for (const Host& h : m_inventory.hosts) {
      if (h.address.value.empty()) continue;
      const std::string key = lower(h.address.value) + '\n' + std::to_string(h.port.value) + '\n' +
                              (h.jump ? h.jump->value : std::string());
      auto [it, fresh] = first.emplace(key, &h);
      if (fresh) continue;
      add_error(m_diags, "duplicate", h.address.loc,
                fmt::format("host {} has the same address {} (SSH port {}{}) as host {}: one "
                            "machine under two names would count its failure domains twice "
                            "and get both hosts' files; give each host its own address",
                            in_quotes(h.name.value), in_quotes(h.address.value), h.port.value,
                            h.jump ? ", through " + in_quotes(h.jump->value) : std::string(),
                            in_quotes(it->second->name.value)),
                {host_subject(it->second->name.value), host_subject(h.name.value)});
    }
  }

  void resolve_jumps() {
    auto& hosts = m_inventory.hosts;
    constexpr std::size_t k_none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> next(hosts.size(), k_none);
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      Host& h = hosts[i];
      if (!h.jump) continue;
      const std::vector<std::string> subjects{host_subject(h.name.value)};
      if (h.jump->value == h.name.value) {
        add_error(m_diags, "reference", h.jump->loc,
                  fmt::format("host {} cannot jump through itself; \"jump\" must name another "
                              "host",
                              in_quotes(h.name.value)),
                  subjects);
        h.jump.reset();
      } else if (const Host* target = m_inventory.find_host(h.jump->value)) {
        next[i] = static_cast<std::size_t>(target - hosts.data());
      } else {
        if (!m_dropped_hosts.count(h.jump->value))
          add_error(m_diags, "reference", h.jump->loc,
                    fmt::format("unknown host {} in \"jump\"{}", in_quotes(h.jump->value),
                                did_you_mean(h.jump->value)),
                    subjects);
        h.jump.reset();
      }
    }
    // Each host has at most one jump: walk every chain once, colouring hosts as on the
    // current walk (1) or finished (2); meeting a host of the current walk closes a loop.
    std::vector<std::uint8_t> state(hosts.size(), 0);
    std::vector<std::size_t> walk;
    for (std::size_t start = 0; start < hosts.size(); ++start) {
      walk.clear();
      std::size_t i = start;
      while (i != k_none && state[i] == 0) {
        state[i] = 1;
        walk.push_back(i);
        i = next[i];
      }
      if (i != k_none && state[i] == 1) report_loop(i, next);
      for (const std::size_t w : walk) state[w] = 2;
    }
  }

  // Reports the loop through host `member` at the jump of its first host in file order.
  void report_loop(std::size_t member, const std::vector<std::size_t>& next) {
    auto& hosts = m_inventory.hosts;
    std::size_t first = member;
    for (std::size_t i = next[member]; i != member; i = next[i]) first = std::min(first, i);
    std::string chain = in_quotes(hosts[first].name.value);
    std::vector<std::string> subjects{host_subject(hosts[first].name.value)};
    for (std::size_t i = next[first];; i = next[i]) {
      chain += " -> " + in_quotes(hosts[i].name.value);
      if (i == first) break;
      subjects.push_back(host_subject(hosts[i].name.value));
    }
    std::sort(subjects.begin(), subjects.end());
    add_error(m_diags, "reference", hosts[first].jump->loc,
              fmt::format("jump chain loops: {}; expected a chain that ends at a host without "
                          "\"jump\"",
                          chain),
              std::move(subjects));
    hosts[first].jump.reset();  // the model keeps no loop
  }

  const SourceText& m_source;
  std::shared_ptr<const std::string> m_file;
  YamlTree m_tree;
  YamlReader m_reader;
  Diagnostics& m_diags;
  Inventory m_inventory;
  std::vector<std::uint32_t> m_written;  // per host: the keys it wrote
  Host m_defaults;
  std::uint32_t m_defaults_written = 0;
  std::unordered_set<std::string> m_dropped_hosts;  // defined, but left out for errors
  std::vector<std::string> m_host_names;            // for "did you mean", built on first need
  std::vector<YamlField> m_entry_fields;            // the fields of the host being read
};

}  // namespace

Inventory load_inventory(const SourceText& source, Diagnostics& out) {
  Diagnostics diags;
  Inventory inventory;
  try {
    inventory = InventoryLoader(source, diags).load();
  } catch (const std::exception& e) {
    add_error(diags, "syntax", {std::make_shared<const std::string>(source.path), 0, 0},
              fmt::format("cannot load the inventory: {}", e.what()));
  }
  append_diagnostics(diags, out);
  return inventory;
}

}  // namespace picket
