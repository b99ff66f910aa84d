// The topology loader (topology-format.md §1).
// Approach: parse_yaml streams the entries of `nodes`, `links` and `partners` to this loader,
// which converts each one to the model as it completes, so a 100k-node file never exists as
// a whole tree. The small top-level sections are read from the tree once the document is
// complete. Names an entry refers to (link ends, signers, partner `with`) may be defined
// further down, so they are resolved at the end against every node name seen; nodes left
// out for errors still count as defined, so one mistake is not reported twice.

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <unordered_set>

#include "topology/address.hpp"
#include "topology/firewall_limits.hpp"
#include "topology/key_table.hpp"
#include "topology/load.hpp"
#include "topology/monitoring.hpp"
#include "topology/yaml_read.hpp"
#include "topology/yaml_tree.hpp"
#include "util/semver.hpp"

namespace picket {
namespace {

const std::vector<std::string> k_horcrux_keys = {"threshold",  "cosigners",    "p2p_port",
                                                 "debug_port", "grpc_timeout", "raft_timeout"};
const std::vector<std::string> k_cosigner_keys = {"host", "shard"};
const std::vector<std::string> k_tmkms_providers = {"softsign", "yubihsm", "ledger"};
const std::vector<std::string> k_yubihsm_adapters = {"usb", "http"};
const std::vector<std::string>& k_sdk_lines = sdk_lines();
const std::vector<std::string> k_roles = {"validator", "private-sentry", "public-sentry", "signer"};
const std::vector<std::string> k_cometbft_lines = {"0.34", "0.37", "0.38", "1.0"};
const std::vector<std::string> k_link_kinds = {"vpn", "private", "public"};
const std::vector<std::string> k_partner_link_kinds = {"public", "vpn"};
const std::vector<std::string> k_domain_kinds = {"host", "datacenter", "region", "provider"};

// Go's time.ParseDuration forms horcrux reads: one or more <number><unit>, units ns us µs
// ms s m h, an optional sign; "0" alone.
bool is_go_duration(std::string_view s) {
  if (s == "0") return true;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  while (!s.empty()) {
    std::size_t i = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, digits = true;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, digits = true;
    }
    if (!digits) return false;
    s.remove_prefix(i);
    std::size_t unit = 0;
    for (const std::string_view u : {"ns", "us", "\u00b5s", "ms", "s", "m", "h"})
      if (s.substr(0, u.size()) == u && (u != "m" || s.substr(0, 2) != "ms")) {
        unit = u.size();
        break;
      }
    if (unit == 0) return false;
    s.remove_prefix(unit);
  }
  return true;
}

// [a-z0-9-]{1,63}: node and partner names end up in file names and WireGuard peer names.
bool is_node_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// [A-Za-z0-9._-]{1,50}
bool is_chain_id(std::string_view s) {
  if (s.empty() || s.size() > 50) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A TOML-style float: 1.5, -0.5, .5, 1e3, 2.5E-3.
bool is_float_text(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  std::string_view exponent;
  if (const std::size_t e = s.find_first_of("eE"); e != std::string_view::npos) {
    exponent = s.substr(e + 1);
    s = s.substr(0, e);
    if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) exponent.remove_prefix(1);
    if (!is_digits(exponent)) return false;
  }
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return !exponent.empty() && is_digits(s);
  const std::string_view whole = s.substr(0, dot), fraction = s.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return false;
  return (whole.empty() || is_digits(whole)) && (fraction.empty() || is_digits(fraction));
}

class TopologyLoader final : public YamlEntrySink {
 public:
  TopologyLoader(const SourceText& source, Diagnostics& diags)
      : m_source(source),
        m_file(std::make_shared<const std::string>(source.path)),
        m_reader(m_tree, m_file, diags),
        m_diags(diags) {
    m_topology.path = m_file;
  }

  Topology load() {
    const std::size_t from = m_diags.size();
    Topology t = load_file();
    name_the_file(m_diags, from, *m_file);
    return t;
  }

  Topology load_file() {
    const YamlDocument doc = parse_yaml(m_source.text, m_file, m_tree, this, m_diags);
    if (doc.status == YamlStatus::empty) {
      add_error(m_diags, "schema", {m_file, 1, 1},
                "the topology file is empty; expected a map with \"version\", \"chain\" and "
                "\"nodes\"");
    }
    if (doc.status != YamlStatus::ok) {
      // A half-read file would only produce phantom findings downstream.
      Topology empty;
      empty.path = m_file;
      return empty;
    }
    read_root(doc.root);
    resolve();  // indexes the nodes, which no longer change after it
    return std::move(m_topology);
  }

  bool accept_root(YamlKind kind) override { return kind == YamlKind::map; }

  bool stream_entries(std::string_view key, YamlKind kind) override {
    return (key == "nodes" && kind == YamlKind::map) ||
           (key == "links" && kind == YamlKind::sequence) ||
           (key == "partners" && kind == YamlKind::map);
  }

  void on_collection(std::string_view key, std::size_t estimate) override {
    if (key == "nodes") m_topology.nodes.reserve(estimate);
    if (key == "links") m_topology.links.reserve(estimate);
    if (key == "partners") m_topology.partners.reserve(estimate);
  }

  void on_entry(const YamlTree&, std::string_view collection, YamlId key, YamlId value) override {
    if (collection == "nodes") read_node(key, value);
    if (collection == "links") read_link(value);
    if (collection == "partners") read_partner(key, value);
  }

 private:
  const YamlNode& node(YamlId id) const { return m_reader.node(id); }

  // --- the schema: one table per map, each key with its reader ---

  template <class Target>
  using Table = KeyTable<TopologyLoader, Target>;

  // Entries are read into these: the model's type plus what its checks after the keys need.
  struct NodeDraft : Node {
    bool role_ok = false, host_ok = false;
    YamlId signer_key = k_no_yaml, standby_key = k_no_yaml, tmkms_key = k_no_yaml,
           horcrux_key = k_no_yaml, host_key = k_no_yaml;
  };
  struct TmkmsDraft : Tmkms {
    std::vector<YamlField> yubihsm_only;  // keys only the provider "yubihsm" reads
  };
  struct LinkDraft : Link {
    bool between_ok = false;
  };
  struct PartnerDraft : Partner {
    YamlId wireguard_key = k_no_yaml;
  };
  struct PeerDraft : PartnerPeer {
    bool id_ok = false, address_ok = false;
  };
  struct WireguardDraft {
    std::optional<Located<std::string>> key, endpoint;
  };

  static const Table<Topology>& top_keys() {
    static const Table<Topology> table(
        {{"version", true, &TopologyLoader::read_version},
         {"chain", true, &TopologyLoader::read_chain},
         {"inventory", false, &TopologyLoader::read_inventory},
         {"policy", false, &TopologyLoader::read_policy},
         {"nodes", true, &TopologyLoader::read_nodes},
         {"links", false, &TopologyLoader::read_links},
         {"partners", false, &TopologyLoader::read_partners},
         {"network", false, &TopologyLoader::read_network},
         {"vpn", false, &TopologyLoader::read_vpn},
         {"monitoring", false, &TopologyLoader::read_monitoring_section},
         {"firewall", false, &TopologyLoader::read_firewall_section}},
        Extensions::ignored);  // a home for anchors, ignored by picket
    return table;
  }
  static const Table<Chain>& chain_keys() {
    static const Table<Chain> table({
        {"id", true, &TopologyLoader::read_chain_id},
        {"cometbft", true, &TopologyLoader::read_cometbft},
        {"binary_version", false, &TopologyLoader::read_string<Chain, &Chain::binary_version>},
        {"p2p_port", false, &TopologyLoader::read_port<Chain, &Chain::p2p_port>},
        {"rpc_port", false, &TopologyLoader::read_port<Chain, &Chain::rpc_port>},
        {"metrics_port", false, &TopologyLoader::read_port<Chain, &Chain::metrics_port>},
        {"base_config", false, &TopologyLoader::read_base_file<&Chain::base_config>},
        {"base_app", false, &TopologyLoader::read_base_file<&Chain::base_app>},
        {"sdk", false, &TopologyLoader::read_sdk},
        {"vote_extensions", false, &TopologyLoader::read_vote_extensions},
    });
    return table;
  }
  static const Table<Policy>& policy_keys() {
    static const Table<Policy> table({
        {"min_paths", false, &TopologyLoader::read_min_paths},
        {"survive", false, &TopologyLoader::read_survive},
    });
    return table;
  }
  static const Table<Vpn>& vpn_keys() {
    static const Table<Vpn> table({
        {"subnet", true, &TopologyLoader::read_subnet},
        {"port", false, &TopologyLoader::read_port<Vpn, &Vpn::port>},
    });
    return table;
  }
  static const Table<NodeDraft>& node_keys() {
    static const Table<NodeDraft> table({
        {"role", true, &TopologyLoader::read_role},
        {"host", false, &TopologyLoader::read_host},  // required, but not of a horcrux signer
        {"signer", false, &TopologyLoader::read_signer},
        {"standby", false, &TopologyLoader::read_standby},
        {"p2p_port", false, &TopologyLoader::read_port<NodeDraft, &Node::p2p_port>},
        {"rpc_port", false, &TopologyLoader::read_port<NodeDraft, &Node::rpc_port>},
        {"metrics_port", false, &TopologyLoader::read_port<NodeDraft, &Node::metrics_port>},
        {"node_id", false, &TopologyLoader::read_node_id},
        {"home", false, &TopologyLoader::read_home},
        {"config", false, &TopologyLoader::read_overrides<&Node::config>},
        {"app", false, &TopologyLoader::read_overrides<&Node::app>},
        {"tmkms", false, &TopologyLoader::read_tmkms},
        {"horcrux", false, &TopologyLoader::read_node_horcrux},
    });
    return table;
  }
  static const Table<TmkmsDraft>& tmkms_keys() {
    static const Table<TmkmsDraft> table({
        {"provider", false, &TopologyLoader::read_tmkms_provider},
        {"adapter", false, &TopologyLoader::read_tmkms_adapter},
        {"connector", false, &TopologyLoader::read_tmkms_connector},
        {"auth_key", false, &TopologyLoader::read_object_id<&Tmkms::auth_key>},
        {"key", false, &TopologyLoader::read_object_id<&Tmkms::key>},
        {"password_file", false, &TopologyLoader::read_password_file},
        {"serial_number", false, &TopologyLoader::read_serial_number},
        {"wrapped_exports", false, &TopologyLoader::read_wrapped_exports},
    });
    return table;
  }
  static const Table<LinkDraft>& link_keys() {
    static const Table<LinkDraft> table({
        {"between", true, &TopologyLoader::read_between},
        {"over", false, &TopologyLoader::read_link_over},
    });
    return table;
  }
  static const Table<PartnerDraft>& partner_keys() {
    static const Table<PartnerDraft> table({
        {"peers", true, &TopologyLoader::read_partner_peers},
        {"with", true, &TopologyLoader::read_with},
        {"over", false, &TopologyLoader::read_partner_over},
        {"wireguard", false, &TopologyLoader::read_wireguard},
    });
    return table;
  }
  static const Table<PeerDraft>& peer_keys() {
    static const Table<PeerDraft> table({
        {"id", true, &TopologyLoader::read_peer_id},
        {"address", true, &TopologyLoader::read_peer_address},
    });
    return table;
  }
  static const Table<NetworkPeers>& network_keys() {
    static const Table<NetworkPeers> table({
        {"seeds", false, &TopologyLoader::read_network_list<&NetworkPeers::seeds>},
        {"peers", false, &TopologyLoader::read_network_list<&NetworkPeers::peers>},
    });
    return table;
  }
  static const Table<WireguardDraft>& wireguard_keys() {
    static const Table<WireguardDraft> table({
        {"public_key", true, &TopologyLoader::read_wireguard_key},
        {"endpoint", true, &TopologyLoader::read_wireguard_endpoint},
    });
    return table;
  }

  // Readers shared by several tables, the member they fill given as a template argument.
  template <class Target, auto member>
  void read_port(const YamlField& f, Target& into, const YamlContext& ctx) {
    if (auto v = m_reader.port(f, ctx)) into.*member = *v;
  }
  template <class Target, auto member>
  void read_string(const YamlField& f, Target& into, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) into.*member = std::move(*v);
  }

  void read_root(YamlId root) {
    const YamlContext ctx{"at the top level", {}};
    if (node(root).kind != YamlKind::map) {
      m_reader.error("schema", root,
                     fmt::format("the top level of the topology file must be a map, found {}",
                                 m_reader.describe(root)),
                     ctx);
      return;
    }
    std::vector<YamlField> fields;
    top_keys().read(*this, m_reader, root, m_topology, m_reader.loc(root), ctx, fields);
  }

  // At the top level the key is what is wrong.
  YamlContext top_key_context(const YamlField& f, const YamlContext& ctx) const {
    return {ctx.where, {m_reader.key(f)}};
  }

  void read_version(const YamlField& f, Topology& t, const YamlContext& ctx) {
    const YamlContext kctx = top_key_context(f, ctx);
    if (auto v = m_reader.integer(f, kctx)) {
      if (v->value != 1)
        m_reader.error("schema", f.value,
                       fmt::format("\"version\" must be 1, found {}", node(f.value).text), kctx);
      else
        t.version = {1, v->loc};
    }
  }

  void read_inventory(const YamlField& f, Topology& t, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, top_key_context(f, ctx))) t.inventory = std::move(*v);
  }

  void read_nodes(const YamlField& f, Topology& t, const YamlContext& ctx) {
    t.nodes_loc = m_reader.loc(f.key);
    if (m_reader.expect_map(f.value, "\"nodes\"", top_key_context(f, ctx))) read_leftover_nodes(f.value);
  }

  void read_links(const YamlField& f, Topology&, const YamlContext& ctx) {
    if (m_reader.expect_list(f.value, "\"links\"", top_key_context(f, ctx)))
      for (const YamlId item : node(f.value).children) read_link(item);
  }

  void read_partners(const YamlField& f, Topology&, const YamlContext& ctx) {
    if (m_reader.expect_map(f.value, "\"partners\"", top_key_context(f, ctx)))
      read_leftover_partners(f.value);
  }

  void read_monitoring_section(const YamlField& f, Topology& t, const YamlContext&) {
    read_monitoring(m_reader, f, t);
  }

  void read_firewall_section(const YamlField& f, Topology& t, const YamlContext&) {
    read_firewall(m_reader, f, t);
  }

  // Entries still in the tree: all of them when the collection could not stream (it was
  // anchored), else only those merged in with `<<` (a written key wins over a merged one).
  void read_leftover_nodes(YamlId map) {
    std::vector<YamlField> fields;
    m_reader.fields(map, fields, {"in \"nodes\"", {}});
    if (fields.empty()) return;
    m_topology.index_nodes();
    std::unordered_set<std::string> seen;
    for (const YamlField& f : fields) {
      const std::string& name = m_reader.key(f);
      if (m_topology.find_node(name) || m_dropped_nodes.count(name) || !seen.insert(name).second)
        continue;
      read_node(f.key, f.value);
    }
  }

  void read_leftover_partners(YamlId map) {
    std::vector<YamlField> fields;
    m_reader.fields(map, fields, {"in \"partners\"", {}});
    for (const YamlField& f : fields)
      if (!m_partner_names.count(m_reader.key(f))) read_partner(f.key, f.value);
  }

  void read_chain(const YamlField& chain, Topology& t, const YamlContext&) {
    const YamlContext ctx{"in \"chain\"", {"chain"}};
    if (!m_reader.expect_map(chain.value, "\"chain\"", ctx)) return;
    std::vector<YamlField> fields;
    Chain& c = t.chain;
    const std::uint32_t written =
        chain_keys().read(*this, m_reader, chain.value, c, m_reader.loc(chain.key), ctx, fields);
    const bool has_cometbft = (written & chain_keys().bit("cometbft")) != 0;
    if (c.binary_version && has_cometbft && !c.cometbft.value.empty()) check_binary_version(c, ctx);
    if (c.vote_extensions.value && (c.cometbft.value == "0.34" || c.cometbft.value == "0.37")) {
      m_reader.error("schema", c.vote_extensions.loc,
                     fmt::format("\"vote_extensions\" is true, but CometBFT {} has no vote "
                                 "extensions (they came with 0.38)",
                                 c.cometbft.value),
                     ctx);
      c.vote_extensions = {false, {}};
    }
    if (c.sdk && has_cometbft && !c.cometbft.value.empty() &&
        sdk_cometbft_line(c.sdk->value) != c.cometbft.value) {
      m_reader.error("schema", c.sdk->loc,
                     fmt::format("\"sdk\" {} runs on CometBFT {}, but \"cometbft\" is {}: "
                                 "app.toml and config.toml would be of different releases; make "
                                 "the two agree",
                                 in_quotes(c.sdk->value), sdk_cometbft_line(c.sdk->value),
                                 in_quotes(c.cometbft.value)),
                     ctx);
      c.sdk.reset();
    }
  }

  void read_chain_id(const YamlField& f, Chain& c, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if (is_chain_id(v->value))
        c.id = std::move(*v);
      else
        m_reader.error("schema", f.value,
                       fmt::format("\"id\" must be 1 to 50 characters of [A-Za-z0-9._-], "
                                   "found {}",
                                   in_quotes(v->value)),
                       ctx);
    }
  }

  void read_cometbft(const YamlField& f, Chain& c, const YamlContext& ctx) {
    if (auto v = m_reader.choice(f, k_cometbft_lines, ctx)) c.cometbft = std::move(*v);
  }

  template <auto member>
  void read_base_file(const YamlField& f, Chain& c, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if (v->value.empty())
        m_reader.error("schema", f.value,
                       fmt::format("{} must name a file", in_quotes(m_reader.key(f))), ctx);
      else
        c.*member = BaseFile{std::move(*v), {}, {}, {}, false};
    }
  }

  void read_sdk(const YamlField& f, Chain& c, const YamlContext& ctx) {
    if (auto v = m_reader.choice(f, k_sdk_lines, ctx)) c.sdk = std::move(*v);
  }

  void read_vote_extensions(const YamlField& f, Chain& c, const YamlContext& ctx) {
    if (auto v = m_reader.boolean(f, ctx)) c.vote_extensions = *v;
  }

  // The version render writes into config.toml (0.38 and 1.0 refuse anything but semver) and
  // the line whose config.toml is rendered must be one release.
  void check_binary_version(Chain& c, const YamlContext& ctx) {
    std::string v = c.binary_version->value;
    if (!v.empty() && (v.front() == 'v' || v.front() == 'V')) v.erase(0, 1);
    const std::string& line = c.cometbft.value;
    if (!is_semver(v)) {
      m_reader.error("schema", c.binary_version->loc,
                     fmt::format("\"binary_version\" {} is not a version MAJOR.MINOR.PATCH (such as "
                                 "\"{}.0\"){}",
                                 in_quotes(c.binary_version->value), line,
                                 line == "0.38" || line == "1.0"
                                     ? fmt::format(": CometBFT {} refuses to start with \"error in "
                                                   "config file: invalid version string: {}\"",
                                                   line, v)
                                     : std::string()),
                     ctx);
      c.binary_version.reset();
      return;
    }
    // "0.38.17" is of line "0.38"; "1.0.1" of "1.0".
    const auto first_dot = v.find('.');
    const std::string release = v.substr(0, v.find('.', first_dot + 1));
    if (release != line) {
      m_reader.error("schema", c.binary_version->loc,
                     fmt::format("\"binary_version\" {} is a CometBFT {} release, but \"cometbft\" is "
                                 "{}: config.toml is rendered for the line in \"cometbft\"; make "
                                 "the two agree",
                                 in_quotes(c.binary_version->value), release, in_quotes(line)),
                     ctx);
      c.binary_version.reset();
    }
  }

  void read_policy(const YamlField& policy, Topology& t, const YamlContext&) {
    const YamlContext ctx{"in \"policy\"", {"policy"}};
    if (!m_reader.expect_map(policy.value, "\"policy\"", ctx)) return;
    std::vector<YamlField> fields;
    policy_keys().read(*this, m_reader, policy.value, t.policy, m_reader.loc(policy.key), ctx,
                       fields);
  }

  void read_min_paths(const YamlField& f, Policy& p, const YamlContext& ctx) {
    if (auto v = m_reader.integer(f, ctx)) {
      if (v->value < 1 || v->value > INT_MAX)
        m_reader.error(
            "schema", f.value,
            fmt::format("\"min_paths\" must be {}, found {}",
                        v->value < 1 ? "at least 1" : "at most 2147483647", node(f.value).text),
            ctx);
      else
        p.min_paths = {static_cast<int>(v->value), v->loc};
    }
  }

  void read_survive(const YamlField& f, Policy& p, const YamlContext& ctx) {
    if (!m_reader.expect_list(f.value, "\"survive\"", ctx)) return;
    p.survive.clear();
    p.survive_loc = m_reader.loc(f.value);
    std::vector<std::pair<DomainKind, std::uint32_t>> seen;  // kind, line first written
    for (const YamlId item : node(f.value).children) {
      const YamlNode& n = node(item);
      const auto kind = n.kind == YamlKind::scalar ? parse_domain_kind(n.text) : std::nullopt;
      if (!kind) {
        std::string message = fmt::format("items of \"survive\" must be one of {}, found {}",
                                          in_quotes_list(k_domain_kinds), m_reader.describe(item));
        if (n.kind == YamlKind::scalar) {
          const std::string match = m_reader.suggester().small(n.text, k_domain_kinds);
          if (!match.empty()) message += fmt::format("; did you mean {}?", in_quotes(match));
        }
        m_reader.error("schema", item, std::move(message), ctx);
        continue;
      }
      const auto first =
          std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == *kind; });
      if (first != seen.end()) {
        m_reader.error("duplicate", item,
                       fmt::format("duplicate {} in \"survive\" (first at line {})",
                                   in_quotes(n.text), first->second),
                       ctx);
        continue;
      }
      seen.emplace_back(*kind, n.line);
      p.survive.push_back(*kind);
    }
  }

  void read_vpn(const YamlField& vpn, Topology& t, const YamlContext&) {
    const YamlContext ctx{"in \"vpn\"", {"vpn"}};
    if (!m_reader.expect_map(vpn.value, "\"vpn\"", ctx)) return;
    std::vector<YamlField> fields;
    Vpn v;
    v.loc = m_reader.loc(vpn.key);
    v.port.loc = v.loc;
    vpn_keys().read(*this, m_reader, vpn.value, v, v.loc, ctx, fields);
    t.vpn = std::move(v);
  }

  void read_subnet(const YamlField& f, Vpn& v, const YamlContext& ctx) {
    if (auto s = m_reader.string(f, ctx)) {
      if (check_subnet(*s, f.value, ctx)) v.subnet = std::move(*s);
    }
  }

  bool check_subnet(const Located<std::string>& s, YamlId at, const YamlContext& ctx) {
    const auto subnet = parse_ipv4_subnet(s.value);
    if (!subnet) {
      m_reader.error("address", at,
                     fmt::format("\"subnet\" must be an IPv4 subnet like 10.44.0.0/24, found {}",
                                 in_quotes(s.value)),
                     ctx);
      return false;
    }
    if (subnet->prefix > k_max_tunnel_prefix) {
      m_reader.error("address", at,
                     fmt::format("\"subnet\" must have a prefix of /{} or shorter to hold "
                                 "tunnel addresses, found /{}",
                                 k_max_tunnel_prefix, subnet->prefix),
                     ctx);
      return false;
    }
    if (subnet->prefix < k_min_tunnel_prefix) {
      m_reader.error("address", at,
                     fmt::format("\"subnet\" must have a prefix of /{} or longer, found /{}",
                                 k_min_tunnel_prefix, subnet->prefix),
                     ctx);
      return false;
    }
    const Ipv4Subnet network = network_of(*subnet);
    if (network.address != subnet->address) {
      m_reader.error("address", at,
                     fmt::format("\"subnet\" {} has host bits set; did you mean {}?",
                                 in_quotes(s.value), in_quotes(format_subnet(network))),
                     ctx);
      return false;
    }
    return true;
  }

  void read_node(YamlId key, YamlId value) {
    const YamlNode& k = node(key);
    if (k.kind != YamlKind::scalar) {
      m_reader.error("schema", key,
                     fmt::format("a node name must be a string, found {}", m_reader.describe(key)),
                     {});
      return;
    }
    const std::string& name = k.text;
    const YamlContext ctx{fmt::format("in node {}", in_quotes(name)), {name}};
    if (!is_node_name(name))
      m_reader.error(
          "schema", key,
          fmt::format("node name {} must be 1 to 63 characters of [a-z0-9-]", in_quotes(name)),
          ctx);
    NodeDraft n;
    n.name = {name, m_reader.loc(key)};
    if (!m_reader.expect_map(value, fmt::format("node {}", in_quotes(name)), ctx)) {
      m_dropped_nodes.insert(name);
      return;
    }
    // Entries are read one at a time and never nest: one buffer serves them all.
    const std::uint32_t written =
        node_keys().read(*this, m_reader, value, n, n.name.loc, ctx, m_entry_fields);
    const bool has_host = (written & node_keys().bit("host")) != 0;
    // A horcrux signer runs on its cosigners' hosts and has none of its own.
    const bool horcrux = n.horcrux_key != k_no_yaml && n.role_ok && n.role.value == Role::signer;
    if (horcrux && has_host) {
      m_reader.error("schema", n.host_key,
                     fmt::format("signer {} runs horcrux on its cosigners' hosts and has no "
                                 "\"host\" of its own; name the hosts in \"horcrux.cosigners\"",
                                 in_quotes(name)),
                     ctx);
      n.host_ok = false;
    } else if (horcrux) {
      n.host_ok = n.horcrux.has_value();
    } else if (!has_host) {
      m_reader.missing_key("host", n.name.loc, ctx);
    }
    if (horcrux && n.tmkms_key != k_no_yaml) {
      m_reader.error("schema", n.tmkms_key,
                     fmt::format("signer {} has both \"tmkms\" and \"horcrux\"; a signer runs "
                                 "one of them: write two signers, and name one in the validator's "
                                 "\"signer\"",
                                 in_quotes(name)),
                     ctx);
      n.tmkms.reset();
    }
    if (n.role_ok && n.role.value != Role::validator) {
      for (const YamlId at : {n.signer_key, n.standby_key}) {
        if (at == k_no_yaml) continue;
        m_reader.error("schema", at,
                       fmt::format("{} is only allowed on a node of role \"validator\"; node {} "
                                   "has role {}",
                                   in_quotes(node(at).text), in_quotes(name),
                                   in_quotes(role_name(n.role.value))),
                       ctx);
      }
      n.signer.reset();
      n.standby = {false, {}};
    }
    if (n.role_ok && n.role.value != Role::signer && n.horcrux_key != k_no_yaml) {
      m_reader.error("schema", n.horcrux_key,
                     fmt::format("\"horcrux\" is only allowed on a node of role \"signer\"; node "
                                 "{} has role {}",
                                 in_quotes(name), in_quotes(role_name(n.role.value))),
                     ctx);
      n.horcrux.reset();
    }
    if (n.role_ok && n.role.value != Role::signer && n.tmkms_key != k_no_yaml) {
      m_reader.error("schema", n.tmkms_key,
                     fmt::format("\"tmkms\" is only allowed on a node of role \"signer\"; node {} "
                                 "has role {}",
                                 in_quotes(name), in_quotes(role_name(n.role.value))),
                     ctx);
      n.tmkms.reset();
    }
    if (!n.role_ok || !n.host_ok) {
      m_dropped_nodes.insert(name);
      return;
    }
    m_topology.nodes.push_back(std::move(static_cast<Node&>(n)));
  }

  void read_role(const YamlField& f, NodeDraft& n, const YamlContext& ctx) {
    if (auto v = m_reader.choice(f, k_roles, ctx)) {
      n.role = {*parse_role(v->value), v->loc};
      n.role_ok = true;
    }
  }

  void read_host(const YamlField& f, NodeDraft& n, const YamlContext& ctx) {
    n.host_key = f.key;
    if (auto v = m_reader.string(f, ctx)) {
      n.host = std::move(*v);
      n.host_ok = true;
    }
  }

  void read_signer(const YamlField& f, NodeDraft& n, const YamlContext& ctx) {
    n.signer_key = f.key;
    if (auto v = m_reader.string(f, ctx)) n.signer = std::move(*v);
  }

  void read_standby(const YamlField& f, NodeDraft& n, const YamlContext& ctx) {
    n.standby_key = f.key;
    if (auto v = m_reader.boolean(f, ctx)) n.standby = *v;
  }

  void read_node_id(const YamlField& f, NodeDraft& n, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if (check_node_id_value(*v, f, ctx)) n.node_id = std::move(*v);
    }
  }

  void read_home(const YamlField& f, NodeDraft& n, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if (v->value.front() == '/' && !is_clean_remote_path(v->value))
        m_reader.error("schema", f.value, bad_path_message("home", v->value), ctx);
      else if (v->value.front() == '/')
        n.home = std::move(*v);
      else
        m_reader.error(
            "schema", f.value,
            fmt::format("\"home\" must be an absolute path, found {}", in_quotes(v->value)), ctx);
    }
  }

  // A signer's `tmkms:` map: the provider, and the YubiHSM's settings, which only the
  // provider "yubihsm" reads (a key written for another provider is an error, not ignored).
  void read_tmkms(const YamlField& field, NodeDraft& n, const YamlContext& node_ctx) {
    n.tmkms_key = field.key;
    const YamlContext ctx{node_ctx.where + " in \"tmkms\"", node_ctx.subjects};
    if (!m_reader.expect_map(field.value, "\"tmkms\"", ctx)) return;
    std::vector<YamlField> fields;
    TmkmsDraft t;
    t.loc = m_reader.loc(field.key);
    tmkms_keys().read(*this, m_reader, field.value, t, t.loc, ctx, fields);
    if (t.provider.value != "yubihsm") {
      for (const YamlField& f : t.yubihsm_only)
        m_reader.error("schema", f.key,
                       fmt::format("{} is a YubiHSM setting, but \"provider\" is {}; set "
                                   "\"provider: yubihsm\" or remove it",
                                   in_quotes(m_reader.key(f)), in_quotes(t.provider.value)),
                       ctx);
    } else if (t.adapter.value == "http" && !t.connector) {
      const bool written =
          std::any_of(t.yubihsm_only.begin(), t.yubihsm_only.end(),
                      [&](const YamlField& f) { return m_reader.key(f) == "connector"; });
      if (!written)
        m_reader.error("schema", t.adapter.loc,
                       "\"adapter\" is \"http\", which needs \"connector\": yubihsm-connector's "
                       "address as tcp://host:port",
                       ctx);
    } else if (t.adapter.value == "usb" && t.connector) {
      m_reader.error("schema", t.connector->loc,
                     "\"connector\" is the address of yubihsm-connector, which only the adapter "
                     "\"http\" uses; set \"adapter: http\" or remove it",
                     ctx);
      t.connector.reset();
    }
    n.tmkms = std::move(static_cast<Tmkms&>(t));
  }

  void read_tmkms_provider(const YamlField& f, TmkmsDraft& t, const YamlContext& ctx) {
    if (auto v = m_reader.choice(f, k_tmkms_providers, ctx)) t.provider = std::move(*v);
  }

  void read_tmkms_adapter(const YamlField& f, TmkmsDraft& t, const YamlContext& ctx) {
    t.yubihsm_only.push_back(f);
    if (auto v = m_reader.choice(f, k_yubihsm_adapters, ctx)) t.adapter = std::move(*v);
  }

  void read_tmkms_connector(const YamlField& f, TmkmsDraft& t, const YamlContext& ctx) {
    t.yubihsm_only.push_back(f);
    if (auto v = m_reader.string(f, ctx)) {
      const std::string& text = v->value;
      if (text.rfind("tcp://", 0) == 0 && is_host_port(std::string_view(text).substr(6)))
        t.connector = std::move(*v);
      else
        m_reader.error("address", f.value,
                       fmt::format("\"connector\" must be yubihsm-connector's address as "
                                   "tcp://host:port, found {}",
                                   in_quotes(text)),
                       ctx);
    }
  }

  template <auto member>
  void read_object_id(const YamlField& f, TmkmsDraft& t, const YamlContext& ctx) {
    t.yubihsm_only.push_back(f);
    auto v = m_reader.integer(f, ctx);
    if (!v) return;
    if (v->value < 1 || v->value > 65535) {
      m_reader.error("schema", f.value,
                     fmt::format("{} must be a YubiHSM object ID from 1 to 65535, found {}",
                                 in_quotes(m_reader.key(f)), v->value),
                     ctx);
      return;
    }
    t.*member = Located<int>{static_cast<int>(v->value), v->loc};
  }

  void read_password_file(const YamlField& f, TmkmsDraft& t, const YamlContext& ctx) {
    t.yubihsm_only.push_back(f);
    if (auto v = m_reader.string(f, ctx)) {
      if (is_clean_remote_file(v->value))
        t.password_file = std::move(*v);
      else
        m_reader.error("schema", f.value,
                       v->value.front() == '/'
                           ? bad_path_message("password_file", v->value)
                           : fmt::format("\"password_file\" must be an absolute path on the "
                                         "signer's host, found {}",
                                         in_quotes(v->value)),
                       ctx);
    }
  }

  // Files on the signer's host holding the consensus key exported under a wrap key
  // (`tmkms yubihsm keys export`): `picket backup` reads them; nothing else touches them.
  void read_wrapped_exports(const YamlField& f, TmkmsDraft& t, const YamlContext& ctx) {
    t.yubihsm_only.push_back(f);
    if (!m_reader.expect_list(f.value, "\"wrapped_exports\"", ctx)) return;
    for (const YamlId item : node(f.value).children) {
      const YamlNode& n = node(item);
      if (n.kind == YamlKind::scalar && is_clean_remote_file(n.text)) {
        t.wrapped_exports.push_back({n.text, m_reader.loc(item)});
        continue;
      }
      m_reader.error("schema", item,
                     n.kind == YamlKind::scalar && !n.text.empty() && n.text.front() == '/'
                         ? bad_path_message("wrapped_exports", n.text)
                         : fmt::format("items of \"wrapped_exports\" must be absolute paths of "
                                       "files on the signer's host, found {}",
                                       m_reader.describe(item)),
                     ctx);
    }
  }

  void read_serial_number(const YamlField& f, TmkmsDraft& t, const YamlContext& ctx) {
    t.yubihsm_only.push_back(f);
    if (auto v = m_reader.string(f, ctx)) {
      const bool digits = v->value.size() == 10 &&
                          std::all_of(v->value.begin(), v->value.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
      if (digits)
        t.serial_number = std::move(*v);
      else
        m_reader.error("schema", f.value,
                       fmt::format("\"serial_number\" must be the YubiHSM's 10-digit serial "
                                   "number as yubihsm-shell prints it (quote it to keep "
                                   "leading zeros), found {}",
                                   in_quotes(v->value)),
                       ctx);
    }
  }

  // A signer's `horcrux:` map: the threshold, the cosigners (a host each, an optional shard
  // ID), their ports and horcrux's timeouts. The threshold's bounds are a rule of their own
  // (`threshold`, topology/rules.cpp); what horcrux's config validation refuses about shard
  // IDs and durations is `schema` here. Without a usable `cosigners` list, no horcrux.
  void read_node_horcrux(const YamlField& field, NodeDraft& n, const YamlContext& ctx) {
    n.horcrux_key = field.key;
    read_horcrux(field, n, ctx);
  }

  void read_horcrux(const YamlField& field, Node& n, const YamlContext& node_ctx) {
    const YamlContext ctx{node_ctx.where + " in \"horcrux\"", node_ctx.subjects};
    if (!m_reader.expect_map(field.value, "\"horcrux\"", ctx)) return;
    std::vector<YamlField> fields;
    m_reader.fields(field.value, fields, ctx);
    Horcrux h;
    h.loc = m_reader.loc(field.key);
    bool has_threshold = false, has_cosigners = false, cosigners_ok = true;
    for (const YamlField& f : fields) {
      const std::string& k = m_reader.key(f);
      if (k == "threshold") {
        has_threshold = true;
        if (auto v = m_reader.integer(f, ctx)) {
          if (v->value < 1 || v->value > 255)
            m_reader.error("threshold", f.value,
                           fmt::format("\"threshold\" must be a number of cosigners from 1 to "
                                       "255, found {}",
                                       v->value),
                           ctx);
          else
            h.threshold = {static_cast<int>(v->value), v->loc};
        }
      } else if (k == "cosigners") {
        has_cosigners = true;
        cosigners_ok = read_cosigners(f, n.name.value, h, ctx);
      } else if (k == "p2p_port") {
        if (auto v = m_reader.port(f, ctx)) h.p2p_port = *v;
      } else if (k == "debug_port") {
        if (auto v = m_reader.port(f, ctx)) h.debug_port = *v;
      } else if (k == "grpc_timeout" || k == "raft_timeout") {
        if (auto v = m_reader.string(f, ctx)) {
          if (!is_go_duration(v->value))
            m_reader.error("schema", f.value,
                           fmt::format("{} must be a Go duration such as \"1000ms\" or \"1.5s\", "
                                       "found {}",
                                       in_quotes(k), in_quotes(v->value)),
                           ctx);
          else
            (k == "grpc_timeout" ? h.grpc_timeout : h.raft_timeout) = std::move(*v);
        }
      } else {
        m_reader.unknown_key(f, k_horcrux_keys, ctx);
      }
    }
    if (!has_threshold) m_reader.missing_key("threshold", h.loc, ctx);
    if (!has_cosigners) m_reader.missing_key("cosigners", h.loc, ctx);
    if (h.p2p_port.value == h.debug_port.value)
      m_reader.error("port-clash", h.debug_port.loc.line != 0 ? h.debug_port.loc : h.loc,
                     fmt::format("signer {} uses port {} for both the cosigners' p2p and horcrux's "
                                 "debugAddr; expected a port of its own for each",
                                 in_quotes(n.name.value), h.p2p_port.value),
                     ctx);
    if (!has_cosigners || !cosigners_ok || h.cosigners.empty()) return;
    n.horcrux = std::move(h);
  }

  // `cosigners`: a list of {host, shard}. Shard IDs default to the place in the list and must
  // be 1..N, each once (horcrux's CosignersConfig.Validate). False when the list is unusable.
  bool read_cosigners(const YamlField& f, const std::string& signer, Horcrux& h,
                      const YamlContext& ctx) {
    if (!m_reader.expect_list(f.value, "\"cosigners\"", ctx)) return false;
    const auto& items = node(f.value).children;
    if (items.empty()) {
      m_reader.error("schema", f.value,
                     "\"cosigners\" must list the hosts of the horcrux cosigners (at least one)",
                     ctx);
      return false;
    }
    bool ok = true;
    std::vector<YamlField> fields;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const YamlId item = items[i];
      const YamlContext ictx{fmt::format("{} in cosigner {}", ctx.where, i + 1), ctx.subjects};
      if (!m_reader.expect_map(item, "a cosigner", ictx)) {
        ok = false;
        continue;
      }
      HorcruxCosigner c;
      c.loc = m_reader.loc(item);
      c.shard = {static_cast<int>(i + 1), c.loc};
      bool has_host = false;
      fields.clear();
      m_reader.fields(item, fields, ictx);
      for (const YamlField& cf : fields) {
        const std::string& k = m_reader.key(cf);
        if (k == "host") {
          if (auto v = m_reader.string(cf, ictx)) {
            c.host = std::move(*v);
            has_host = true;
          }
        } else if (k == "shard") {
          if (auto v = m_reader.integer(cf, ictx)) {
            if (v->value < 1 || v->value > static_cast<std::int64_t>(items.size())) {
              m_reader.error("schema", cf.value,
                             fmt::format("\"shard\" must be a shard ID from 1 to {} (the number "
                                         "of cosigners), found {}",
                                         items.size(), v->value),
                             ictx);
              ok = false;
            } else {
              c.shard = {static_cast<int>(v->value), v->loc};
            }
          }
        } else {
          m_reader.unknown_key(cf, k_cosigner_keys, ictx);
        }
      }
      if (!has_host) {
        if (std::none_of(fields.begin(), fields.end(),
                         [&](const YamlField& cf) { return m_reader.key(cf) == "host"; }))
          m_reader.missing_key("host", c.loc, ictx);
        ok = false;
        continue;
      }
      for (const HorcruxCosigner& other : h.cosigners)
        if (other.shard.value == c.shard.value) {
          m_reader.error("schema", c.shard.loc,
                         fmt::format("cosigners on hosts {} and {} of signer {} both have shard "
                                     "ID {}; each shard ID belongs to one cosigner",
                                     in_quotes(other.host.value), in_quotes(c.host.value),
                                     in_quotes(signer), c.shard.value),
                         ictx);
          ok = false;
        }
      c.node = signer + "-" + std::to_string(c.shard.value);
      h.cosigners.push_back(std::move(c));
    }
    return ok;
  }

  // The cosigner nodes of every horcrux signer, after the node map is complete: one node of
  // role signer per cosigner, named "<signer>-<shard>", on the cosigner's host, so that every
  // per-host part (references, firewall, tunnels, boot files, deploy) sees a process there.
  void add_cosigner_nodes() {
    std::unordered_set<std::string> names;
    for (const Node& n : m_topology.nodes) names.insert(n.name.value);
    for (const std::string& n : m_dropped_nodes) names.insert(n);
    const std::size_t count = m_topology.nodes.size();
    for (std::size_t i = 0; i < count; ++i) {
      if (!m_topology.nodes[i].horcrux) continue;
      const Node signer = m_topology.nodes[i];
      for (const HorcruxCosigner& c : signer.horcrux->cosigners) {
        if (!names.insert(c.node).second || !is_node_name(c.node)) {
          add_error(m_diags, is_node_name(c.node) ? "duplicate" : "schema", c.loc,
                    is_node_name(c.node)
                        ? fmt::format("cosigner {} of signer {} is named like node {}; rename "
                                      "one of them",
                                      in_quotes(c.node), in_quotes(signer.name.value),
                                      in_quotes(c.node))
                        : fmt::format("cosigner name {} (signer name, \"-\", shard ID) must be "
                                      "1 to 63 characters of [a-z0-9-]; shorten the signer's name",
                                      in_quotes(c.node)),
                    {signer.name.value, c.node});
          continue;
        }
        Node cosigner;
        cosigner.name = {c.node, c.loc};
        cosigner.role = {Role::signer, signer.role.loc};
        cosigner.host = c.host;
        cosigner.home = signer.home;
        cosigner.cosigner_of = signer.name.value;
        cosigner.shard = c.shard.value;
        m_topology.nodes.push_back(std::move(cosigner));
      }
    }
  }

  bool check_node_id_value(const Located<std::string>& v, const YamlField& f,
                           const YamlContext& ctx) {
    switch (check_node_id(v.value)) {
      case NodeIdCheck::ok:
        return true;
      case NodeIdCheck::upper_case:
        m_reader.error("address", f.value,
                       fmt::format("{} must be lower case (CometBFT compares node IDs as "
                                   "strings), found {}",
                                   in_quotes(m_reader.key(f)), in_quotes(v.value)),
                       ctx);
        return false;
      case NodeIdCheck::malformed:
        break;
    }
    m_reader.error("address", f.value,
                   fmt::format("{} must be a node ID of 40 hexadecimal digits, found {}",
                               in_quotes(m_reader.key(f)), in_quotes(v.value)),
                   ctx);
    return false;
  }

  template <auto member>
  void read_overrides(const YamlField& f, NodeDraft& n, const YamlContext& ctx) {
    read_config(f, n.*member, ctx);
  }

  // config: (or app:) section -> key -> value, or key -> value for top-level keys (section "").
  void read_config(const YamlField& config, ConfigOverrides& into, const YamlContext& ctx) {
    if (!m_reader.expect_map(config.value, in_quotes(m_reader.key(config)), ctx)) return;
    std::vector<YamlField> sections, keys;
    m_reader.fields(config.value, sections, ctx);
    for (const YamlField& s : sections) {
      const std::string& section = m_reader.key(s);
      if (node(s.value).kind != YamlKind::map) {
        if (auto v = config_value(s.value, section, ctx)) into[""][section] = std::move(*v);
        continue;
      }
      m_reader.fields(s.value, keys, ctx);
      for (const YamlField& k : keys) {
        const std::string& key = m_reader.key(k);
        if (auto v = config_value(k.value, section + "." + key, ctx))
          into[section][key] = std::move(*v);
      }
    }
  }

  std::optional<ConfigValue> config_value(YamlId id, const std::string& name,
                                          const YamlContext& ctx) {
    const YamlNode& v = node(id);
    if (v.kind == YamlKind::scalar) return config_scalar(id);
    if (v.kind == YamlKind::sequence) {
      ConfigValue array;
      array.kind = ConfigValue::Kind::array;
      array.loc = m_reader.loc(id);
      array.items.reserve(v.children.size());
      for (const YamlId item : v.children) {
        if (node(item).kind != YamlKind::scalar) {
          m_reader.error("schema", item,
                         fmt::format("items of config value {} must be scalars, found {}",
                                     in_quotes(name), m_reader.describe(item)),
                         ctx);
          return std::nullopt;
        }
        array.items.push_back(config_scalar(item));
      }
      return array;
    }
    m_reader.error("schema", id,
                   fmt::format("config value {} must be a scalar or a list of scalars, found {}",
                               in_quotes(name), m_reader.describe(id)),
                   ctx);
    return std::nullopt;
  }

  // A quoted scalar is a string; a plain one is typed by its form, as TOML will write it.
  ConfigValue config_scalar(YamlId id) const {
    const YamlNode& v = node(id);
    ConfigValue c;
    c.text = v.text;
    c.loc = m_reader.loc(id);
    if (v.quoted)
      c.kind = ConfigValue::Kind::string;
    else if (parse_bool(v.text))
      c.kind = ConfigValue::Kind::boolean;
    else if (parse_integer(v.text) || parse_decimal(v.text))  // past int64: refused by the key
      c.kind = ConfigValue::Kind::integer;
    else if (is_float_text(v.text))
      c.kind = ConfigValue::Kind::floating;
    else
      c.kind = ConfigValue::Kind::string;
    return c;
  }

  void read_link(YamlId item) {
    const YamlContext ctx{"in a link", {"links"}};
    if (!m_reader.expect_map(item, "a link", ctx)) return;
    LinkDraft link;
    link.loc = m_reader.loc(item);
    link.over.loc = link.loc;
    link_keys().read(*this, m_reader, item, link, link.loc, ctx, m_entry_fields);
    if (link.between_ok) m_topology.links.push_back(std::move(static_cast<Link&>(link)));
  }

  void read_link_over(const YamlField& f, LinkDraft& link, const YamlContext& ctx) {
    if (auto v = m_reader.choice(f, k_link_kinds, ctx)) link.over = {*parse_link_kind(v->value), v->loc};
  }

  void read_between(const YamlField& f, LinkDraft& link, const YamlContext& ctx) {
    link.between_ok = between(f, link, ctx);
  }

  bool between(const YamlField& f, Link& link, const YamlContext& ctx) {
    if (!m_reader.expect_list(f.value, "\"between\"", ctx)) return false;
    const auto& items = node(f.value).children;
    if (items.size() != 2) {
      m_reader.error("schema", f.value,
                     fmt::format("\"between\" must name exactly two nodes, found {}", items.size()),
                     ctx);
      return false;
    }
    auto a = m_reader.item_string(items[0], "between", ctx);
    auto b = m_reader.item_string(items[1], "between", ctx);
    if (!a || !b) return false;
    if (a->value == b->value) {
      m_reader.error("schema", f.value,
                     fmt::format("a link must join two different nodes, but \"between\" names "
                                 "{} twice",
                                 in_quotes(a->value)),
                     {ctx.where, {a->value}});
      return false;
    }
    link.a = std::move(*a);
    link.b = std::move(*b);
    return true;
  }

  void read_partner(YamlId key, YamlId value) {
    const YamlNode& k = node(key);
    if (k.kind != YamlKind::scalar) {
      m_reader.error(
          "schema", key,
          fmt::format("a partner name must be a string, found {}", m_reader.describe(key)), {});
      return;
    }
    const std::string& name = k.text;
    m_partner_names.insert(name);
    const YamlContext ctx{fmt::format("in partner {}", in_quotes(name)), {name}};
    if (!is_node_name(name))
      m_reader.error(
          "schema", key,
          fmt::format("partner name {} must be 1 to 63 characters of [a-z0-9-]", in_quotes(name)),
          ctx);
    const bool slipped = node(value).kind != YamlKind::map && !m_topology.partners.empty() &&
                         partner_keys().knows(name);
    if (slipped) {
      // `with:` written level with the partner names: it reads as a partner called "with".
      // The partner above then misses that key: one mistake, so the hint replaces that finding.
      const std::string& above = m_topology.partners.back().name.value;
      const std::string missing =
          fmt::format("missing required key {} in partner {}", in_quotes(name), in_quotes(above));
      std::erase_if(m_diags, [&](const Diagnostic& d) { return d.message == missing; });
      m_reader.error("schema", value,
                     fmt::format("partner {} must be a map, found {}; did you indent `{}:` under "
                                 "the partner {}?",
                                 in_quotes(name), m_reader.describe(value), name,
                                 in_quotes(m_topology.partners.back().name.value)),
                     {ctx.where, {m_topology.partners.back().name.value}});
      return;
    }
    if (!m_reader.expect_map(value, fmt::format("partner {}", in_quotes(name)), ctx)) return;
    PartnerDraft p;
    p.name = {name, m_reader.loc(key)};
    p.over.loc = p.name.loc;
    std::vector<YamlField> fields;
    partner_keys().read(*this, m_reader, value, p, p.name.loc, ctx, fields);
    if (p.over.value == LinkKind::vpn && p.wireguard_key == k_no_yaml)
      m_reader.error("schema", p.name.loc,
                     fmt::format("missing required key \"wireguard\" in partner {}; \"over: vpn\" "
                                 "needs their public_key and endpoint",
                                 in_quotes(name)),
                     ctx);
    if (p.over.value != LinkKind::vpn && p.wireguard_key != k_no_yaml) {
      m_reader.error("schema", p.wireguard_key,
                     fmt::format("\"wireguard\" in partner {} is only used with \"over: vpn\"",
                                 in_quotes(name)),
                     ctx);
      p.wireguard.reset();
    }
    m_topology.partners.push_back(std::move(static_cast<Partner&>(p)));
  }

  void read_partner_peers(const YamlField& f, PartnerDraft& p, const YamlContext& ctx) {
    if (m_reader.expect_list(f.value, "\"peers\"", ctx))
      for (std::size_t i = 0; i < node(f.value).children.size(); ++i)
        read_peer(node(f.value).children[i], p.peers,
                  {fmt::format("in a peer of partner {}", in_quotes(p.name.value)),
                   {p.name.value + "/" + std::to_string(i + 1)}});
  }

  void read_partner_over(const YamlField& f, PartnerDraft& p, const YamlContext& ctx) {
    if (auto v = m_reader.choice(f, k_partner_link_kinds, ctx))
      p.over = {*parse_link_kind(v->value), v->loc};
  }

  // `network:` — seeds and persistent peers of the chain's network, each {id, address}.
  void read_network(const YamlField& net, Topology& t, const YamlContext&) {
    const YamlContext ctx{"in \"network\"", {"network"}};
    if (!m_reader.expect_map(net.value, "\"network\"", ctx)) return;
    std::vector<YamlField> fields;
    NetworkPeers n;
    n.loc = m_reader.loc(net.key);
    network_keys().read(*this, m_reader, net.value, n, n.loc, ctx, fields);
    t.network = std::move(n);
  }

  template <auto member>
  void read_network_list(const YamlField& f, NetworkPeers& n, const YamlContext& ctx) {
    const std::string& k = m_reader.key(f);
    const std::string what = k == "seeds" ? "a seed" : "a peer";
    if (m_reader.expect_list(f.value, fmt::format("\"{}\"", k), ctx))
      for (const YamlId item : node(f.value).children)
        read_peer(item, n.*member, {fmt::format("in {} of \"network\"", what), {"network"}});
  }

  void read_peer(YamlId item, std::vector<PartnerPeer>& into, const YamlContext& ctx) {
    if (node(item).kind == YamlKind::scalar && node(item).text.find('@') != std::string::npos) {
      // CometBFT's own spelling, "id@host:port": say how picket wants it.
      const std::string& text = node(item).text;
      const auto at = text.find('@');
      m_reader.error("schema", item,
                     fmt::format("a peer must be a map, found {}; write it as {{id: {}, address: "
                                 "\"{}\"}}",
                                 m_reader.describe(item), text.substr(0, at), text.substr(at + 1)),
                     ctx);
      return;
    }
    if (!m_reader.expect_map(item, "a peer", ctx)) return;
    std::vector<YamlField> fields;
    PeerDraft peer;
    peer.loc = m_reader.loc(item);
    peer_keys().read(*this, m_reader, item, peer, peer.loc, ctx, fields);
    if (peer.id_ok && peer.address_ok) into.push_back(std::move(static_cast<PartnerPeer&>(peer)));
  }

  void read_peer_id(const YamlField& f, PeerDraft& peer, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if ((peer.id_ok = check_node_id_value(*v, f, ctx))) peer.id = std::move(*v);
    }
  }

  void read_peer_address(const YamlField& f, PeerDraft& peer, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if ((peer.address_ok = check_host_port(*v, f, ctx))) peer.address = std::move(*v);
    }
  }

  bool check_host_port(const Located<std::string>& v, const YamlField& f, const YamlContext& ctx) {
    if (is_host_port(v.value)) return true;
    m_reader.error("address", f.value,
                   fmt::format("{} must be host:port (an IPv4 address, [IPv6] or DNS name, and a "
                               "port from 1 to 65535), found {}",
                               in_quotes(m_reader.key(f)), in_quotes(v.value)),
                   ctx);
    return false;
  }

  void read_with(const YamlField& f, PartnerDraft& p, const YamlContext& ctx) {
    if (!m_reader.expect_list(f.value, "\"with\"", ctx)) return;
    for (const YamlId item : node(f.value).children) {
      auto name = m_reader.item_string(item, "with", ctx);
      if (!name) continue;
      const auto first = std::find_if(p.with.begin(), p.with.end(),
                                      [&](const auto& w) { return w.value == name->value; });
      if (first != p.with.end()) {
        m_reader.error("duplicate", item,
                       fmt::format("duplicate {} in \"with\" (first at line {})",
                                   in_quotes(name->value), first->loc.line),
                       {ctx.where, {name->value}});
        continue;
      }
      p.with.push_back(std::move(*name));
    }
  }

  void read_wireguard(const YamlField& wg, PartnerDraft& p, const YamlContext&) {
    p.wireguard_key = wg.key;
    const YamlContext ctx{fmt::format("in \"wireguard\" of partner {}", in_quotes(p.name.value)),
                          {p.name.value}};
    if (!m_reader.expect_map(wg.value, "\"wireguard\"", ctx)) return;
    std::vector<YamlField> fields;
    WireguardDraft w;
    wireguard_keys().read(*this, m_reader, wg.value, w, m_reader.loc(wg.key), ctx, fields);
    if (w.key && w.endpoint) p.wireguard = PartnerWireguard{std::move(*w.key), std::move(*w.endpoint)};
  }

  void read_wireguard_key(const YamlField& f, WireguardDraft& w, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if (is_wireguard_key(v->value))
        w.key = std::move(*v);
      else
        m_reader.error("address", f.value,
                       fmt::format("\"public_key\" must be a WireGuard key (base64 of 32 "
                                   "bytes), found {}",
                                   in_quotes(v->value)),
                       ctx);
    }
  }

  void read_wireguard_endpoint(const YamlField& f, WireguardDraft& w, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if (check_host_port(*v, f, ctx)) w.endpoint = std::move(*v);
    }
  }

  // --- names between entries, once every node is known ---

  bool defined(const std::string& name) const {
    return m_topology.find_node(name) != nullptr || m_dropped_nodes.count(name) > 0;
  }

  // " ; did you mean "x"?" over every node name, or "".
  std::string did_you_mean(const std::string& name) {
    if (m_node_names.empty()) {
      m_node_names.reserve(m_topology.nodes.size() + m_dropped_nodes.size());
      for (const Node& n : m_topology.nodes) m_node_names.push_back(n.name.value);
      for (const std::string& n : m_dropped_nodes) m_node_names.push_back(n);
    }
    const std::string match = m_reader.suggester().name(name, m_node_names);
    return match.empty() ? "" : fmt::format("; did you mean {}?", in_quotes(match));
  }

  void unknown_node(const Located<std::string>& name, std::string_view where,
                    std::vector<std::string> subjects) {
    add_error(m_diags, "reference", name.loc,
              fmt::format("unknown node {} in {}{}", in_quotes(name.value), where,
                          did_you_mean(name.value)),
              std::move(subjects));
  }

  void resolve() {
    add_cosigner_nodes();
    m_topology.index_nodes();
    for (Node& n : m_topology.nodes) {
      if (!n.signer || m_topology.find_node(n.signer->value)) continue;
      if (!m_dropped_nodes.count(n.signer->value))
        unknown_node(*n.signer, "\"signer\"", {n.name.value, n.signer->value});
      n.signer.reset();
    }
    resolve_links();
    for (Partner& p : m_topology.partners) {
      std::erase_if(p.with, [&](const Located<std::string>& w) {
        if (m_topology.find_node(w.value)) return false;
        if (!m_dropped_nodes.count(w.value))
          unknown_node(w, fmt::format("\"with\" of partner {}", in_quotes(p.name.value)),
                       {w.value});
        return true;
      });
    }
  }

  void resolve_links() {
    auto& links = m_topology.links;
    const Node* first_node = m_topology.nodes.data();
    // (smaller node index, larger node index, kind) packed for sorting; the link's index.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keys;
    keys.reserve(links.size());
    for (std::size_t i = 0; i < links.size(); ++i) {
      Link& l = links[i];
      const Node* a = m_topology.find_node(l.a.value);
      const Node* b = m_topology.find_node(l.b.value);
      std::vector<std::string> subjects{l.a.value, l.b.value};
      std::sort(subjects.begin(), subjects.end());
      if (!a && !defined(l.a.value)) unknown_node(l.a, "\"between\"", subjects);
      if (!b && !defined(l.b.value)) unknown_node(l.b, "\"between\"", subjects);
      if (!a || !b) continue;
      auto ia = static_cast<std::uint64_t>(a - first_node);
      auto ib = static_cast<std::uint64_t>(b - first_node);
      if (ia > ib) std::swap(ia, ib);
      keys.emplace_back(ia << 33 | ib << 2 | static_cast<std::uint64_t>(l.over.value),
                        static_cast<std::uint32_t>(i));
    }
    std::sort(keys.begin(), keys.end());
    std::vector<bool> keep(links.size(), false);
    std::size_t run = 0;  // first of the current run of equal keys: the earliest in the file
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (k == 0 || keys[k].first != keys[run].first) {
        run = k;
        keep[keys[k].second] = true;
        continue;
      }
      const Link& l = links[keys[k].second];
      add_error(m_diags, "duplicate", l.loc,
                fmt::format("duplicate link between {} and {} over {} (first at line {})",
                            in_quotes(l.a.value), in_quotes(l.b.value),
                            link_kind_name(l.over.value), links[keys[run].second].loc.line),
                {link_subject(l.a.value, l.b.value)});
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < links.size(); ++i) {
      if (!keep[i]) continue;
      if (kept != i) links[kept] = std::move(links[i]);  // never self-move: it empties strings
      ++kept;
    }
    links.erase(links.begin() + static_cast<std::ptrdiff_t>(kept), links.end());
  }

  const SourceText& m_source;
  std::shared_ptr<const std::string> m_file;
  YamlTree m_tree;
  YamlReader m_reader;
  Diagnostics& m_diags;
  Topology m_topology;
  std::unordered_set<std::string> m_dropped_nodes;  // defined, but left out for errors
  std::unordered_set<std::string> m_partner_names;
  std::vector<std::string> m_node_names;  // for "did you mean", built on first need
  std::vector<YamlField> m_entry_fields;  // the fields of the node or link being read
};

}  // namespace

Topology load_topology(const SourceText& source, Diagnostics& out) {
  Diagnostics diags;
  Topology topology;
  try {
    topology = TopologyLoader(source, diags).load();
  } catch (const std::exception& e) {
    // Only an allocation failure can get here; report it rather than cross the API.
    add_error(diags, "syntax", {std::make_shared<const std::string>(source.path), 0, 0},
              fmt::format("cannot load the topology: {}", e.what()));
  }
  append_diagnostics(diags, out);
  return topology;
}

}  // namespace picket
