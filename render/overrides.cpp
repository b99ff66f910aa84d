// The checks on `config:` overrides (and on the chain's base config.toml).
//
// Approach: overrides are checked against the line's key table (name, type, Go duration syntax), and
// against the derived settings: a p2p override that disagrees is `override-conflict`. Where
// lint has no keys, peers of unknown ID are matched by address (persistent_peers) or counted
// (ID lists): structure, not IDs.
#include "render/overrides.hpp"

#include <algorithm>
#include <limits>

#include "render/startup.hpp"
#include "topology/address.hpp"
#include "topology/effective.hpp"
#include "topology/yaml_read.hpp"
#include "util/text.hpp"

namespace picket {

// ---- override values ---------------------------------------------------------------------

namespace {

// Splits a comma-separated config list, trimming blanks and dropping empty entries.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}


std::string override_path(const std::string& section, const std::string& key) {
  return section.empty() ? key : section + "." + key;
}

// How a written value reads in a message: `the string "yes"`, `the integer 5`.
std::string describe(const ConfigValue& v) {
  switch (v.kind) {
    case ConfigValue::Kind::string: return "the string " + toml_string(v.text);
    case ConfigValue::Kind::integer: return "the integer " + v.text;
    case ConfigValue::Kind::floating: return "the number " + v.text;
    case ConfigValue::Kind::boolean: return "the boolean " + v.text;
    case ConfigValue::Kind::array: return "a list";
  }
  return "a value";
}

const char* type_phrase(KeyType t) {
  switch (t) {
    case KeyType::string: return "a string";
    case KeyType::boolean: return "a boolean (true or false)";
    case KeyType::integer: return "an integer";
    case KeyType::duration: return "a Go duration string such as \"10s\"";
    case KeyType::string_list: return "a list of strings";
    case KeyType::string_table: return "a list of lists of strings";
    case KeyType::literal: return "as written in the base file";
  }
  return "a value";
}

bool fits(std::int64_t v, const std::string& go_type) {
  if (go_type == "int32") return v >= std::numeric_limits<std::int32_t>::min() &&
                                 v <= std::numeric_limits<std::int32_t>::max();
  if (go_type == "uint32") return v >= 0 && v <= std::numeric_limits<std::uint32_t>::max();
  if (go_type == "uint16") return v >= 0 && v <= std::numeric_limits<std::uint16_t>::max();
  if (go_type == "uint64" || go_type == "uint") return v >= 0;
  return true;  // int, int64 (picket targets 64-bit hosts)
}

// Go's time.ParseDuration grammar: "0", or [-+]? followed by one or more <number><unit>,
// number = digits with an optional fraction, unit one of ns us µs μs ms s m h.
bool is_go_duration(std::string_view s) { return parse_go_duration(s).has_value(); }

// Sections whose negative counts and durations CometBFT refuses at start.
bool rejects_negative(const std::string& section) {
  return section == "p2p" || section == "rpc" || section == "mempool" || section == "consensus" ||
         section == "instrumentation";
}

bool is_p2p_id_list(const std::string& path) {
  return path == "p2p.persistent_peers" || path == "p2p.seeds" ||
         path == "p2p.unconditional_peer_ids" || path == "p2p.private_peer_ids";
}

// Checks the value rules CometBFT applies when it loads a string; "" when fine.
std::string string_value_problem(const std::string& path, const std::string& text,
                                 const std::string& line) {
  const auto has_scheme = [&] {
    return text.rfind("tcp://", 0) == 0 || text.rfind("unix://", 0) == 0;
  };
  if ((path == "rpc.laddr" || path == "p2p.laddr") && !has_scheme())
    return path + " must start with \"tcp://\" or \"unix://\"; CometBFT cannot listen on " +
           toml_string(text);
  if (path == "priv_validator_laddr" && !text.empty() && !has_scheme())
    return "priv_validator_laddr must be empty or start with \"tcp://\" or \"unix://\"";
  if (path == "instrumentation.prometheus_listen_addr" && text.find("://") != std::string::npos)
    return "instrumentation.prometheus_listen_addr is \"host:port\" without a scheme; CometBFT "
           "cannot listen on " + toml_string(text);
  if (path == "log_format" && text != "plain" && text != "json")
    return "log_format must be \"plain\" or \"json\"";
  if (path == "mempool.type" && text != "flood" && text != "nop")
    return "mempool.type must be \"flood\" or \"nop\"";
  if (path == "version" && !text.empty() && (text.front() == 'v' || text.front() == 'V'))
    return "version must not start with \"v\": CometBFT " + line + " refuses to load " +
           toml_string(text) + "; write " + toml_string(text.substr(1));
  return {};
}

}  // namespace

std::map<std::string, std::string> check_config_values(const ConfigOverrides& written,
                                                       const ValueRules& rules,
                                                       const ConfigTable& table,
                                                       const std::vector<std::string>& subjects,
                                                       Diagnostics& out) {
  std::map<std::string, std::string> values;
  const std::string& line = rules.line;
  const bool cometbft = rules.cometbft;
  for (const auto& [section, keys] : written) {
    for (const auto& entry : keys) {
      // Plain references, not structured bindings: clang 14 cannot capture those in `fail`.
      const auto& key = entry.first;
      const auto& value = entry.second;
      const std::string path = override_path(section, key);
      auto fail = [&](const std::string& message) {
        add_error(out, "schema", value.loc, message, subjects);
      };
      const ConfigKey* k = table.find(path);
      if (k == nullptr) {
        const auto dot = path.rfind('.');
        const std::string sec = dot == std::string::npos ? std::string() : path.substr(0, dot);
        const std::string name = dot == std::string::npos ? path : path.substr(dot + 1);
        if (sec.empty() && table.has_section(name)) {
          // `p2p: [pex, false]` or `consensus: 3`: a section written as a value.
          fail("\"" + name + "\" is a section of " + rules.file + ", so its override must be a map of " +
               "its keys (e.g. " + name + ": {key: value}), not " + describe(value));
          continue;
        }
        std::string message = rules.file + " of " + rules.product + " " + line + " has no ";
        if (!table.has_section(sec)) {
          std::vector<std::string> sections;
          for (auto& s : table.sections())
            if (!s.empty()) sections.push_back(s);
          std::string hint = closest_match(sec, sections);
          if (hint.empty() && sec == "fastsync" && table.has_section("blocksync"))
            hint = "blocksync";  // renamed in 0.37
          message += "section [" + sec + "]";
          if (!hint.empty()) message += "; did you mean [" + hint + "]?";
        } else {
          std::string hint = closest_match(name, table.names_in(sec));
          if (hint.empty() && path == "fast_sync" && table.find("block_sync") != nullptr)
            hint = "block_sync";  // renamed in 0.37
          message += sec.empty() ? "top-level key \"" + name + "\"" : "key \"" + name + "\" in [" + sec + "]";
          if (!hint.empty()) message += "; did you mean \"" + hint + "\"?";
        }
        fail(message + (cometbft ? " (CometBFT ignores unknown keys without a word)"
                                 : " (the app ignores unknown keys without a word)"));
        continue;
      }
      const auto wrong_type = [&] {
        fail(path + " must be " + type_phrase(k->type) + ", not " + describe(value));
      };
      switch (k->type) {
        case KeyType::string: {
          if (value.kind == ConfigValue::Kind::array && is_p2p_id_list(path)) {
            fail(path + " is one comma-separated string in config.toml, not a list: write \"id@host:port,id@host:port\"");
            break;
          }
          if (!cometbft && value.kind == ConfigValue::Kind::integer) {
            values[path] = value.text;  // the SDK reads "100" and 100 alike (pruning-keep-recent)
            break;
          }
          if (value.kind != ConfigValue::Kind::string) {
            wrong_type();
            break;
          }
          if (auto problem = cometbft ? string_value_problem(path, value.text, line) : std::string();
              !problem.empty()) {
            fail(problem);
            break;
          }
          values[path] = toml_string(value.text);
          break;
        }
        case KeyType::boolean: {
          const auto b = value.kind == ConfigValue::Kind::boolean ? parse_bool(value.text) : std::nullopt;
          if (!b) {
            wrong_type();
            break;
          }
          values[path] = *b ? "true" : "false";
          break;
        }
        case KeyType::integer: {
          // The SDK writes some integers as strings ("5000"); its loader reads either.
          const bool weak_string = !cometbft && value.kind == ConfigValue::Kind::string;
          const auto v = value.kind == ConfigValue::Kind::integer || weak_string ? parse_integer(value.text)
                                                                                 : std::nullopt;
          if (!v) {
            wrong_type();
            break;
          }
          if (!fits(*v, k->go_type)) {
            fail(path + " = " + value.text + " does not fit its Go type " + k->go_type);
            break;
          }
          if (cometbft && *v < 0 && rejects_negative(k->section)) {
            fail(path + " must not be negative: CometBFT refuses to start with a negative value in [" +
                 k->section + "]");
            break;
          }
          values[path] = weak_string ? toml_string(value.text) : std::to_string(*v);
          break;
        }
        case KeyType::duration: {
          if (value.kind == ConfigValue::Kind::integer || value.kind == ConfigValue::Kind::floating) {
            fail(path + " is a duration: write a Go duration string such as \"" + value.text +
                 "s\"; CometBFT would read the bare number " + value.text + " as " + value.text +
                 " nanoseconds");
            break;
          }
          if (value.kind != ConfigValue::Kind::string) {
            wrong_type();
            break;
          }
          if (!is_go_duration(value.text)) {
            fail(path + " = " + toml_string(value.text) +
                 " is not a Go duration (such as \"500ms\", \"10s\" or \"1m30s\"); CometBFT would refuse to start");
            break;
          }
          if (cometbft && value.text.front() == '-' && rejects_negative(k->section)) {
            fail(path + " must not be negative: CometBFT refuses to start with a negative value in [" +
                 k->section + "]");
            break;
          }
          values[path] = toml_string(value.text);
          break;
        }
        case KeyType::string_list: {
          // A plain string is accepted too: CometBFT splits it at commas (statesync.rpc_servers).
          if (value.kind == ConfigValue::Kind::string) {
            values[path] = toml_string(value.text);
            break;
          }
          bool all_strings = value.kind == ConfigValue::Kind::array;
          std::vector<std::string> items;
          for (const auto& item : value.items) {
            all_strings = all_strings && item.kind == ConfigValue::Kind::string;
            items.push_back(item.text);
          }
          if (!all_strings) {
            wrong_type();
            break;
          }
          values[path] = toml_string_array(items);
          break;
        }
        case KeyType::string_table: {
          // [["name", "value"], …]: a list of lists of strings (telemetry.global-labels).
          bool ok = value.kind == ConfigValue::Kind::array;
          std::string literal = "[";
          for (const auto& row : value.items) {
            ok = ok && row.kind == ConfigValue::Kind::array;
            std::vector<std::string> cells;
            for (const auto& cell : row.items) {
              ok = ok && cell.kind == ConfigValue::Kind::string;
              cells.push_back(cell.text);
            }
            literal += (literal.size() > 1 ? ", " : "") + toml_string_array(cells);
          }
          if (!ok) {
            wrong_type();
            break;
          }
          values[path] = literal + "]";
          break;
        }
        case KeyType::literal:
          fail(path + " holds a value picket carries from the base file as written; change it there");
          break;
      }
    }
  }
  return values;
}

std::map<std::string, std::string> check_override_values(const Node& node, const std::string& line,
                                                         const ConfigTable& table,
                                                         Diagnostics& out) {
  return check_config_values(node.config, ValueRules{"config.toml", "CometBFT", line, true}, table,
                             {node.name.value}, out);
}

ConfigTable base_config_table(const Chain& chain, const ConfigTable& table, Diagnostics& out) {
  if (!chain.base_config || !chain.base_config->loaded) return table;
  ConfigTable based = table;
  const auto accepted = check_config_values(chain.base_config->values,
                                            ValueRules{"config.toml", "CometBFT", chain.cometbft.value, true},
                                            table, {"chain"}, out);
  for (const auto& [path, literal] : accepted) based.set_default(path, literal);
  return based;
}

// ---- override conflicts ------------------------------------------------------------------

namespace {

std::string names_of(const std::vector<PeerRef>& refs) {
  if (refs.empty()) return "none";
  std::string out;
  for (const auto& r : refs) out += (out.empty() ? "" : ", ") + r.name;
  return out;
}

// The override lists exactly the derived peers (order free). A derived peer of unknown ID
// matches any entry with its address.
bool peers_match(const std::string& text, const std::vector<PeerAddress>& derived) {
  const auto entries = split_list(text);
  if (entries.size() != derived.size()) return false;
  std::vector<bool> used(entries.size(), false);
  for (const auto& d : derived) {
    const std::string address = join_host_port(d.host, d.port);
    const std::string want = lower(d.peer.id) + "@" + address;
    bool found = false;
    for (std::size_t i = 0; i < entries.size() && !found; ++i) {
      if (used[i]) continue;
      const auto at = entries[i].find('@');
      const bool match = d.peer.id.empty()
                             ? at != std::string::npos && entries[i].substr(at + 1) == address
                             : entries[i] == want;
      if (match) used[i] = found = true;
    }
    if (!found) return false;
  }
  return true;
}

// The override names exactly the derived IDs (order free); unknown IDs are only counted.
bool ids_match(const std::string& text, const std::vector<PeerRef>& derived) {
  auto entries = split_list(text);
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  if (entries.size() != derived.size()) return false;
  for (const auto& d : derived)
    if (!d.id.empty() && !std::binary_search(entries.begin(), entries.end(), lower(d.id)))
      return false;
  return true;
}

bool is_local_laddr(const std::string& laddr) {
  if (laddr.rfind("unix://", 0) == 0) return true;
  if (laddr.rfind("tcp://", 0) != 0) return false;
  const std::string rest = laddr.substr(6);
  return rest.rfind("127.", 0) == 0 || rest.rfind("localhost:", 0) == 0 ||
         rest.rfind("[::1]:", 0) == 0;
}

}  // namespace

void check_override_conflicts(const Node& node, const NodeSettings& derived,
                              const std::map<std::string, std::string>& accepted,
                              Diagnostics& out) {
  const std::string& name = node.name.value;
  const bool validator = node.role.value == Role::validator;
  const Role role = node.role.value;
  // A refused value was reported already; only accepted ones can conflict.
  const auto lookup = [&](const std::string& section, const std::string& key) -> const ConfigValue* {
    if (accepted.count(override_path(section, key)) == 0) return nullptr;
    auto s = node.config.find(section);
    if (s == node.config.end()) return nullptr;
    auto k = s->second.find(key);
    return k == s->second.end() ? nullptr : &k->second;
  };
  const auto conflict = [&](const ConfigValue& v, const std::string& message) {
    add_error(out, "override-conflict", v.loc, message, {name});
  };
  const auto string_override = [&](const char* section, const char* key) -> const ConfigValue* {
    const ConfigValue* v = lookup(section, key);
    return v != nullptr && v->kind == ConfigValue::Kind::string ? v : nullptr;
  };
  const auto sets_string = [&](const char* section, const char* key, const std::string& expected,
                               const std::string& why) {
    const ConfigValue* v = string_override(section, key);
    if (v == nullptr || v->text == expected) return;
    conflict(*v, "override of " + override_path(section, key) + " on \"" + name + "\" sets " +
                     toml_string(v->text) + ", but picket derives " + toml_string(expected) + ": " + why);
  };

  if (const ConfigValue* v = string_override("p2p", "persistent_peers");
      v != nullptr && !peers_match(v->text, derived.persistent_peers)) {
    std::vector<PeerRef> refs;
    for (const auto& p : derived.persistent_peers) refs.push_back(p.peer);
    conflict(*v, "override of p2p.persistent_peers on \"" + name +
                     "\" does not list the peers picket derives from its links and partners (" +
                     names_of(refs) + "); change the links or partners instead");
  }
  if (const ConfigValue* v = string_override("p2p", "private_peer_ids");
      v != nullptr && !ids_match(v->text, derived.private_peers))
    conflict(*v, "override of p2p.private_peer_ids on \"" + name +
                     "\" does not name the peers picket keeps out of gossip (" +
                     names_of(derived.private_peers) + "); change the topology instead");
  if (const ConfigValue* v = string_override("p2p", "unconditional_peer_ids");
      v != nullptr && !ids_match(v->text, derived.unconditional_peers))
    conflict(*v, "override of p2p.unconditional_peer_ids on \"" + name +
                     "\" does not name the peers picket always admits (" +
                     names_of(derived.unconditional_peers) + "); change the topology instead");
  if (const ConfigValue* v = lookup("p2p", "pex"); v != nullptr && v->kind == ConfigValue::Kind::boolean) {
    const auto b = parse_bool(v->text);
    if (b && *b != derived.pex)
      conflict(*v, std::string("override of p2p.pex on \"") + name + "\" sets " + (*b ? "true" : "false") +
                       ", but picket derives " + (derived.pex ? "true" : "false") + ": " +
                       (validator ? "a validator must not exchange peer addresses with the network"
                        : role == Role::private_sentry
                            ? "a private sentry peers only with the nodes and partners the graph gives it; with pex it would dial the open network"
                            : "a public sentry exchanges peer addresses so the network can find it"));
  }
  if (const ConfigValue* v = string_override("p2p", "seeds");
      v != nullptr && !v->text.empty() && role == Role::private_sentry)
    conflict(*v, "override of p2p.seeds on \"" + name +
                     "\": a private sentry peers only with the nodes and partners the graph gives "
                     "it; seeds would have it dial the open network (only public sentries use "
                     "the network's seeds)");
  if (const ConfigValue* v = string_override("p2p", "seeds");
      v != nullptr && role == Role::public_sentry && !derived.seeds.empty() &&
      !peers_match(v->text, derived.seeds))
    conflict(*v, "override of p2p.seeds on \"" + name +
                     "\" does not list the seeds declared under \"network\" (" +
                     persistent_peers_string(derived.seeds) + "); change \"network.seeds\" instead");
  sets_string("p2p", "external_address", derived.external_address,
              "only a public sentry advertises an address, its host's address and p2p port");
  sets_string("p2p", "laddr", derived.p2p_laddr,
              "picket binds it from the node's p2p port and links; set p2p_port instead");
  sets_string("", "priv_validator_laddr", derived.priv_validator_laddr,
              "only a validator with a signer listens for one, where its signer is told to dial");
  if (validator) {
    sets_string("p2p", "seeds", "", "a validator dials only its sentries, never seeds");
    if (const ConfigValue* v = string_override("rpc", "laddr"); v != nullptr && !is_local_laddr(v->text))
      conflict(*v, "override of rpc.laddr on \"" + name + "\" exposes the validator's RPC at " +
                       toml_string(v->text) +
                       ": a validator's RPC must listen on 127.0.0.1, localhost, [::1] or a unix socket");
  }
}

void check_overrides(const Topology& topology, const Inventory& inventory, Diagnostics& out) {
  Diagnostics ignored;  // tunnel problems are check_renderable's to report
  const TunnelPlan tunnels = plan_tunnels(topology, inventory, ignored);
  const PeeringIndex peering(topology);
  const std::vector<std::string> ids = node_ids_of(topology, Secrets{});
  const SettingsDeriver deriver(peering, inventory, tunnels, ids);
  check_overrides(topology, deriver, out);
}

void check_overrides(const Topology& topology, const SettingsDeriver& deriver, Diagnostics& out) {
  const auto& tables = builtin_config_tables();
  const auto table = tables.find(topology.chain.cometbft.value);
  // The chain's base config.toml is checked once; its values are every node's defaults.
  const std::optional<ConfigTable> based =
      table == tables.end() ? std::nullopt
                            : std::optional<ConfigTable>(base_config_table(topology.chain, table->second, out));
  const bool has_base = topology.chain.base_config && topology.chain.base_config->loaded;
  for (const auto& node : topology.nodes) {
    if (node.config.empty() && (!has_base || node.role.value == Role::signer)) continue;
    if (node.role.value == Role::signer) {
      const Location where = node.config.begin()->second.empty()
                                 ? node.name.loc
                                 : node.config.begin()->second.begin()->second.loc;
      add_error(out, "schema", where,
                "node \"" + node.name.value +
                    "\" is a signer: it has no config.toml, so its config: overrides would be ignored",
                {node.name.value});
      continue;
    }
    if (table == tables.end()) continue;  // an unknown chain.cometbft is the loader's to report
    const auto accepted = check_override_values(node, table->first, *based, out);
    const NodeSettings derived = deriver.derive(node);
    check_override_conflicts(node, derived, accepted, out);
    check_startup(node, table->first, *based, derived_values(derived, *based), accepted, out);
  }
}

}  // namespace picket
