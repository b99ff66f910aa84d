// Per node app.toml. The SDK line's key list gives the keys and defaults; chain.base_app
// replaces those defaults and adds the app's own keys (kept as the base writes them); the
// node's role decides where the API and gRPC listen and what a sentry prunes and snapshots;
// `app:` overrides are checked against the same table as `config:` overrides are against
// config.toml's (check_config_values), and applied last.
//
// The file is written from the table, not a template: top-level keys first, then each table
// in the order the key list (then the base) first names it. The tests parse every rendered
// app.toml back (toml++) against a golden file, and lab_sdk_app runs each SDK line's own
// start-up checks on it.
#include "render/app_config.hpp"

#include <algorithm>
#include <cstdint>

#include "render/overrides.hpp"
#include "render/settings.hpp"
#include "topology/effective.hpp"
#include "topology/yaml_read.hpp"
#include "util/text.hpp"
#include "util/toml_string.hpp"

namespace picket {

namespace {

ValueRules app_rules(const std::string& sdk) { return ValueRules{"app.toml", "Cosmos SDK", sdk, false}; }

bool is_bare_key(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

std::string toml_key(std::string_view name) { return is_bare_key(name) ? std::string(name) : toml_string(name); }

std::string toml_table_header(const std::string& section) {
  std::string out = "[";
  std::string_view rest = section;
  while (true) {
    const auto dot = rest.find('.');
    out += toml_key(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    out += '.';
    rest.remove_prefix(dot + 1);
  }
  return out + "]";
}

// A key only the base has: typed by the value it holds there.
ConfigKey base_only_key(const std::string& path, const std::string& section, const std::string& name,
                        const ConfigValue& v, const std::string& literal) {
  ConfigKey key{path, section, name, literal, "", KeyType::literal};
  bool strings = v.kind == ConfigValue::Kind::array;
  for (const auto& item : v.items) strings = strings && item.kind == ConfigValue::Kind::string;
  switch (v.kind) {
    case ConfigValue::Kind::string: key.go_type = "string", key.type = KeyType::string; break;
    case ConfigValue::Kind::integer: key.go_type = "int64", key.type = KeyType::integer; break;
    case ConfigValue::Kind::boolean: key.go_type = "bool", key.type = KeyType::boolean; break;
    case ConfigValue::Kind::array:
      if (strings) key.go_type = "[]string", key.type = KeyType::string_list;
      break;
    case ConfigValue::Kind::floating: break;
  }
  return key;
}

// The value the node's app.toml holds for `path`: override, else derived, else default.
std::string effective(const ConfigTable& table, const std::map<std::string, std::string>& derived,
                      const std::map<std::string, std::string>& overrides, const std::string& path) {
  if (auto it = overrides.find(path); it != overrides.end()) return it->second;
  if (auto it = derived.find(path); it != derived.end()) return it->second;
  const ConfigKey* key = table.find(path);
  return key == nullptr ? std::string() : key->default_literal;
}

// The override a refusal is pinned on, else the node's name.
Location place(const Node& node, const std::string& path) {
  const auto dot = path.rfind('.');
  const std::string section = dot == std::string::npos ? std::string() : path.substr(0, dot);
  const std::string name = dot == std::string::npos ? path : path.substr(dot + 1);
  if (auto s = node.app.find(section); s != node.app.end())
    if (auto k = s->second.find(name); k != s->second.end()) return k->second.loc;
  return node.name.loc;
}

// The host part of "tcp://host:port", "host:port" or "[v6]:port"; "" for a unix socket.
std::string listen_host(std::string address) {
  if (address.rfind("unix://", 0) == 0) return {};
  if (const auto scheme = address.find("://"); scheme != std::string::npos) address.erase(0, scheme + 3);
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    return address.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  }
  return address.substr(0, address.rfind(':'));
}

bool is_loopback(const std::string& host) {
  return host.empty() || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool is_sentry(Role r) { return r == Role::private_sentry || r == Role::public_sentry; }

// "1000" or 1000 as written -> 1000 (the SDK reads integers from either).
std::string strip_quotes(const std::string& literal) {
  return literal.size() >= 2 && literal.front() == '"' && literal.back() == '"'
             ? literal.substr(1, literal.size() - 2)
             : literal;
}

// The value chain.base_app gives `path` ("section.key", or a top-level key), or nullptr.
const ConfigValue* base_value(const Chain& chain, const std::string& path) {
  if (!chain.base_app || !chain.base_app->loaded) return nullptr;
  const auto dot = path.rfind('.');
  const auto s = chain.base_app->values.find(dot == std::string::npos ? std::string() : path.substr(0, dot));
  if (s == chain.base_app->values.end()) return nullptr;
  const auto k = s->second.find(dot == std::string::npos ? path : path.substr(dot + 1));
  return k == s->second.end() ? nullptr : &k->second;
}

// The bit length of the number decimal digits `digits` write (no sign, no point): converted
// nine digits at a time into 32-bit limbs, so a long string costs no more than its size.
std::size_t decimal_bit_length(std::string_view digits) {
  std::vector<std::uint32_t> limbs;  // little end first
  for (std::size_t i = 0; i < digits.size();) {
    const std::size_t n = std::min<std::size_t>(9, digits.size() - i);
    std::uint64_t scale = 1, chunk = 0;
    for (std::size_t k = 0; k < n; ++k, ++i) {
      scale *= 10;
      chunk = chunk * 10 + static_cast<std::uint64_t>(digits[i] - '0');
    }
    std::uint64_t carry = chunk;
    for (auto& limb : limbs) {
      const std::uint64_t v = static_cast<std::uint64_t>(limb) * scale + carry;
      limb = static_cast<std::uint32_t>(v);
      carry = v >> 32;
    }
    if (carry != 0) limbs.push_back(static_cast<std::uint32_t>(carry));
  }
  while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  if (limbs.empty()) return 0;
  std::size_t bits = 32 * (limbs.size() - 1);
  for (std::uint32_t top = limbs.back(); top != 0; top >>= 1) ++bits;
  return bits;
}

// One coin of minimum-gas-prices as the SDK's pattern reads it: an amount (digits, with a
// fraction, or a fraction alone), optional white space, a denomination of 3 to 128 of
// [a-zA-Z0-9/:._-] starting with a letter. Written out by hand: std::regex recurses per
// character, and a value in a topology may be long.
struct Coin {
  std::string_view amount, denom;
};
std::optional<Coin> read_coin(std::string_view s) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  std::size_t i = 0;
  while (i < s.size() && digit(s[i])) ++i;
  const std::size_t whole = i;
  if (i < s.size() && s[i] == '.') {
    const std::size_t point = ++i;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == point) return std::nullopt;
  } else if (whole == 0) {
    return std::nullopt;
  }
  const std::string_view amount = s.substr(0, i);
  while (i < s.size() && std::string_view(" \t\n\v\f\r").find(s[i]) != std::string_view::npos) ++i;
  const std::string_view denom = s.substr(i);
  if (denom.size() < 3 || denom.size() > 128 || !letter(denom.front())) return std::nullopt;
  for (const char c : denom)
    if (!letter(c) && !digit(c) && std::string_view("/:._-").find(c) == std::string_view::npos) return std::nullopt;
  return Coin{amount, denom};
}

// sdk.ParseDecCoins of minimum-gas-prices, as baseapp.SetMinGasPrices runs it when the app is
// made (it panics with "invalid minimum gas prices: <this>"): the error, or nullopt. Coins are
// split on commas; zero amounts are dropped, a denomination given twice is refused; an amount
// has at most 18 decimals and fits in 315 bits once scaled by 10^18.
std::optional<std::string> dec_coins_error(std::string_view prices, const std::string& sdk) {
  prices = trim(prices);
  if (prices.empty()) return std::nullopt;
  std::vector<std::string> denoms;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = prices.find(',', start);
    const std::string_view text = trim(prices.substr(start, comma == std::string_view::npos ? comma : comma - start));
    const auto coin = read_coin(text);
    if (!coin) return "invalid decimal coin expression: " + std::string(text);
    const std::string amount(coin->amount);
    const auto point = amount.find('.');
    const std::size_t decimals = point == std::string::npos ? 0 : amount.size() - point - 1;
    const std::string failed = "failed to parse decimal coin amount: " + amount + ": ";
    if (decimals > 18)
      return failed + "value '" + amount + "' exceeds max precision by " +
             std::to_string(18 - static_cast<long long>(decimals)) + " decimal places: max precision 18";
    std::string scaled = amount;
    if (point != std::string::npos) scaled.erase(point, 1);
    scaled.append(18 - decimals, '0');
    if (const std::size_t bits = decimal_bit_length(scaled); bits > 315) {
      if (sdk == "0.46")  // its own Dec; 0.47 on took cosmossdk.io/math's
        return failed + "decimal '" + amount + "' out of range; bitLen: got " + std::to_string(bits) + ", max 315";
      return failed + "out of range: invalid decimal string";
    }
    if (scaled.find_first_not_of('0') != std::string::npos) denoms.emplace_back(coin->denom);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::sort(denoms.begin(), denoms.end());
  if (const auto twice = std::adjacent_find(denoms.begin(), denoms.end()); twice != denoms.end())
    return "duplicate denomination " + *twice;
  return std::nullopt;
}

// server.GetPruningOptionsFromFlags, which every SDK line runs at start: nullopt when it
// accepts the settings, else the key at fault and the SDK's message. Strategy names are
// compared in lower case; numbers are read as spf13/cast does (what is not a number, or is
// negative, is 0).
std::optional<std::pair<std::string, std::string>> pruning_refusal(const std::string& strategy_literal,
                                                                    const std::string& keep_recent_literal,
                                                                    const std::string& interval_literal) {
  const std::string strategy = lower(strip_quotes(strategy_literal));
  if (strategy == "default" || strategy == "nothing" || strategy == "everything") return std::nullopt;
  if (strategy != "custom") return std::pair<std::string, std::string>{"pruning", "unknown pruning strategy " + strategy};
  const auto number = [](const std::string& literal) -> std::int64_t {
    const auto v = parse_integer(strip_quotes(literal));
    return v && *v > 0 ? *v : 0;
  };
  const std::int64_t interval = number(interval_literal);
  if (interval == 0)
    return std::pair<std::string, std::string>{
        "pruning-interval",
        "invalid custom pruning options: 'pruning-interval' must not be 0. If you want to disable pruning, "
        "select pruning = \"nothing\""};
  if (interval < 10)
    return std::pair<std::string, std::string>{
        "pruning-interval",
        "invalid custom pruning options: 'pruning-interval' must not be less than 10. For the most "
        "aggressive pruning, select pruning = \"everything\""};
  if (number(keep_recent_literal) < 2)
    return std::pair<std::string, std::string>{
        "pruning-keep-recent",
        "invalid custom pruning options: 'pruning-keep-recent' must not be less than 2. For the most "
        "aggressive pruning, select pruning = \"everything\""};
  return std::nullopt;
}

}  // namespace

std::string app_key_list_name(const std::string& sdk) { return "cosmos-sdk/app-keys-" + sdk + ".txt"; }

const std::map<std::string, ConfigTable>& builtin_app_tables() {
  static const std::map<std::string, ConfigTable> k_tables = [] {
    std::map<std::string, ConfigTable> tables;
    const TemplateSet& templates = builtin_templates();
    for (const auto& sdk : sdk_lines()) {
      auto it = templates.find(app_key_list_name(sdk));
      std::string error;
      if (it == templates.end()) continue;  // the tests check every built-in list
      if (auto table = parse_config_table(it->second, error)) tables.emplace(sdk, std::move(*table));
    }
    return tables;
  }();
  return k_tables;
}

std::optional<ConfigTable> app_table(const Chain& chain, const std::map<std::string, ConfigTable>& tables,
                                     Diagnostics& out) {
  if (!renders_app_toml(chain)) return std::nullopt;
  const std::string sdk = effective_sdk_line(chain);
  const auto found = tables.find(sdk);
  if (found == tables.end()) {
    const Location where = chain.sdk ? chain.sdk->loc : chain.base_app->path.loc;
    add_error(out, "schema", where,
              "no Cosmos SDK line picket knows runs on CometBFT " + chain.cometbft.value +
                  " (it renders app.toml for SDK " + join(sdk_lines(), ", ") +
                  "): app.toml cannot be rendered",
              {"chain"});
    return std::nullopt;
  }
  ConfigTable table = found->second;
  if (!chain.base_app || !chain.base_app->loaded) return table;
  // The SDK's keys are checked like overrides; the app's own are taken as written.
  ConfigOverrides known;
  std::vector<ConfigKey> own;
  for (const auto& path : chain.base_app->order) {
    const auto dot = path.rfind('.');
    const std::string section = dot == std::string::npos ? std::string() : path.substr(0, dot);
    const std::string name = dot == std::string::npos ? path : path.substr(dot + 1);
    const ConfigValue& v = chain.base_app->values.at(section).at(name);
    if (table.find(path) != nullptr)
      known[section][name] = v;
    else
      own.push_back(base_only_key(path, section, name, v, chain.base_app->literals.at(path)));
  }
  for (const auto& [path, literal] : check_config_values(known, app_rules(sdk), table, {"chain"}, out))
    table.set_default(path, literal);
  for (auto& key : own) table.add(std::move(key));
  return table;
}

std::map<std::string, std::string> derived_app_values(const Node& node, const ConfigTable& table) {
  std::map<std::string, std::string> values;
  auto set = [&](const char* key, std::string literal) {
    if (table.find(key) != nullptr) values[key] = std::move(literal);
  };
  // Reached through SSH or the tunnel, never from a public interface by default.
  set("api.address", toml_string("tcp://127.0.0.1:" + std::to_string(k_api_port)));
  set("grpc.address", toml_string("127.0.0.1:" + std::to_string(k_grpc_port)));
  set("grpc-web.address", toml_string("127.0.0.1:" + std::to_string(k_grpc_web_port)));
  if (node.role.value == Role::validator) {
    // Snapshots cost the signing node disk and I/O; its sentries serve them.
    set("state-sync.snapshot-interval", "0");
  } else if (is_sentry(node.role.value)) {
    // A sentry answers no historical queries: keep little state, serve state sync.
    set("pruning", toml_string("custom"));
    set("pruning-keep-recent", toml_string("100"));
    set("pruning-interval", toml_string("10"));
    set("state-sync.snapshot-interval", "1000");
    set("state-sync.snapshot-keep-recent", "2");
  }
  return values;
}

void check_app(const RenderContext& ctx, Diagnostics& out) {
  const Topology& topology = ctx.topology;
  const auto first_loc = [](const ConfigOverrides& o) {
    for (const auto& [section, keys] : o)
      for (const auto& [key, value] : keys) return value.loc;
    return Location{};
  };
  if (!renders_app_toml(topology.chain)) {
    for (const Node& node : topology.nodes)
      if (!node.app.empty())
        add_error(out, "schema", first_loc(node.app),
                  "node \"" + node.name.value + "\" has app: overrides, but the chain renders no "
                  "app.toml: set chain.sdk (or chain.base_app) to have picket manage it",
                  {node.name.value});
    return;
  }
  const auto table = app_table(topology.chain, builtin_app_tables(), out);
  if (!table) return;
  const std::string sdk = effective_sdk_line(topology.chain);
  std::vector<std::string> no_gas_price;  // nodes left with the base's or the SDK's empty value
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> from_base;  // (key, why) -> nodes
  for (const Node& node : topology.nodes) {
    const std::string& name = node.name.value;
    if (node.role.value == Role::signer) {
      if (!node.app.empty())
        add_error(out, "schema", first_loc(node.app),
                  "node \"" + name + "\" is a signer: it has no app.toml, so its app: overrides would be ignored",
                  {name});
      continue;
    }
    const auto overrides = check_config_values(node.app, app_rules(sdk), *table, {name}, out);
    const auto derived = derived_app_values(node, *table);
    if (node.role.value == Role::validator) {
      const auto tunnel = ctx.tunnels.addresses.find(node.host.value);
      for (const char* path : {"api.address", "grpc.address", "grpc-web.address"}) {
        auto it = overrides.find(path);
        if (it == overrides.end()) continue;
        const std::string text = effective(*table, derived, overrides, path);
        const std::string host = listen_host(text.size() >= 2 ? text.substr(1, text.size() - 2) : text);
        if (is_loopback(host) || (tunnel != ctx.tunnels.addresses.end() && host == tunnel->second)) continue;
        add_error(out, "override-conflict", place(node, path),
                  "override of " + std::string(path) + " on \"" + name + "\" exposes the validator's " +
                      (std::string(path) == "api.address" ? "API" : "gRPC") + " at " + text +
                      ": a validator's API and gRPC must listen on the loopback"
                      + (tunnel != ctx.tunnels.addresses.end() ? " or its tunnel address " + tunnel->second : "") +
                      " (or a unix socket)",
                  {name});
      }
    }
    // The SDK's own start-up checks (server/config Config.ValidateBasic). An empty
    // minimum-gas-prices the base or the SDK's default leaves is said once, below.
    if (effective(*table, derived, overrides, "minimum-gas-prices") == "\"\"") {
      if (overrides.count("minimum-gas-prices") != 0)
        add_error(out, "schema", place(node, "minimum-gas-prices"),
                  "Cosmos SDK " + sdk + " refuses to start node \"" + name +
                      "\" with this app.toml: \"set min gas price in app.toml or flag or env variable: error in app.toml\"",
                  {name});
      else
        no_gas_price.push_back(name);
    }
    const auto refuse = [&](const std::string& blamed, const std::string& why) {
      // Pinned on the override at fault, else on the one that made pruning custom, else on
      // the base's value (said once for all the nodes it stops, below).
      std::string path = blamed;
      if (overrides.count(blamed) == 0) {
        if (blamed.rfind("pruning", 0) == 0 && overrides.count("pruning") != 0) {
          path = "pruning";
        } else if (base_value(topology.chain, blamed) != nullptr) {
          from_base[{blamed, why}].push_back(name);
          return;
        }
      }
      add_error(out, "schema", place(node, path),
                "Cosmos SDK " + sdk + " refuses to start node \"" + name + "\" with this app.toml: \"" + why + "\"",
                {name});
    };
    if (const auto refused = pruning_refusal(effective(*table, derived, overrides, "pruning"),
                                             effective(*table, derived, overrides, "pruning-keep-recent"),
                                             effective(*table, derived, overrides, "pruning-interval")))
      refuse(refused->first, refused->second);
    if (const auto wrong = dec_coins_error(strip_quotes(effective(*table, derived, overrides, "minimum-gas-prices")), sdk))
      refuse("minimum-gas-prices", "invalid minimum gas prices: " + *wrong);
    const auto interval = parse_integer(strip_quotes(effective(*table, derived, overrides, "state-sync.snapshot-interval")));
    if (effective(*table, derived, overrides, "pruning") == "\"everything\"" && interval && *interval > 0)
      add_error(out, "schema", place(node, overrides.count("pruning") ? "pruning" : "state-sync.snapshot-interval"),
                "Cosmos SDK " + sdk + " refuses to start node \"" + name +
                    "\" with this app.toml: \"cannot enable state sync snapshots with 'everything' "
                    "pruning setting: error in app.toml\"",
                {name});
  }
  for (const auto& [fault, nodes] : from_base) {
    std::vector<std::string> subjects{"chain"};
    subjects.insert(subjects.end(), nodes.begin(), nodes.end());
    add_error(out, "schema", base_value(topology.chain, fault.first)->loc,
              "Cosmos SDK " + sdk + " refuses to start " +
                  (nodes.size() == 1 ? std::string("node") : plural(nodes.size(), "node", "nodes")) + " " +
                  quoted_list(nodes) + " with chain.base_app's " + fault.first + ": \"" + fault.second + "\"",
              subjects);
  }
  if (!no_gas_price.empty()) {
    const Chain& chain = topology.chain;
    const ConfigValue* base = base_value(chain, "minimum-gas-prices");
    const Location where = base != nullptr ? base->loc : chain.sdk ? chain.sdk->loc : chain.base_app->path.loc;
    std::vector<std::string> subjects{"chain"};
    subjects.insert(subjects.end(), no_gas_price.begin(), no_gas_price.end());
    add_error(out, "schema", where,
              "Cosmos SDK " + sdk + " refuses to start " + plural(no_gas_price.size(), "node", "nodes") + " " +
                  quoted_list(no_gas_price) + " with an empty minimum-gas-prices (\"set min gas price in "
                  "app.toml or flag or env variable: error in app.toml\"), " +
                  (base != nullptr ? std::string("as chain.base_app sets it")
                                   : "the SDK's default (chain.base_app does not set it)") +
                  ": set it in chain.base_app, or per node under app:",
              subjects);
  }
}

void render_app_configs(const RenderContext& ctx, FileSet& files, Diagnostics& out) {
  const Topology& topology = ctx.topology;
  if (!renders_app_toml(topology.chain)) return;
  Diagnostics reported_by_checks;  // check_app ran first (check_render)
  const auto table = app_table(topology.chain, builtin_app_tables(), reported_by_checks);
  if (!table) return;
  const std::string sdk = effective_sdk_line(topology.chain);
  std::vector<std::string> sections{""};
  for (const auto& s : table->sections())
    if (!s.empty()) sections.push_back(s);
  for (const Node& node : topology.nodes) {
    if (node.role.value == Role::signer) continue;
    const Host* host = ctx.inventory.find_host(node.host.value);
    std::string home = effective_home(node, host);
    if (home.empty()) continue;  // check_render reports it
    while (home.size() > 1 && home.back() == '/') home.pop_back();
    const std::size_t reported = out.size();
    const auto overrides = check_config_values(node.app, app_rules(sdk), *table, {node.name.value}, out);
    if (out.size() != reported) continue;
    const auto derived = derived_app_values(node, *table);

    std::string text = "# app.toml of node \"" + node.name.value + "\" (" + role_name(node.role.value) +
                       ") on chain " + topology.chain.id.value + ", Cosmos SDK " + sdk + ".\n" +
                       "# Rendered by picket from the topology: edit chain.base_app, the topology or "
                       "its `app:`\n# overrides, not this file; the next render replaces it.\n";
    for (const auto& section : sections) {
      text += section.empty() ? "\n" : "\n" + toml_table_header(section) + "\n";
      for (const auto& key : table->keys())
        if (key.section == section)
          text += toml_key(key.name) + " = " + effective(*table, derived, overrides, key.path) + "\n";
    }
    RenderedFile file;
    file.host = node.host.value;
    file.path = home + "/config/app.toml";
    file.mode = 0644;
    file.content = std::move(text);
    file.node = node.name.value;
    file.action = ApplyAction::restart_node;
    files.push_back(std::move(file));
  }
}

}  // namespace picket
