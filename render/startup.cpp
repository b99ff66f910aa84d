// CometBFT's start-up checks of config.toml (render/startup.hpp), per release line. Each check
// below names the Go function it follows; the messages are the node's own, as
// `cometbft start` prints them after "error in config file: ". A node stops at its first
// error; lint reports every one, so the operator fixes them in one go.
#include "render/startup.hpp"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "util/semver.hpp"
#include "util/toml_string.hpp"

namespace picket {

std::optional<double> parse_go_duration(std::string_view s) {
  double sign = 1;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    if (s.front() == '-') sign = -1;
    s.remove_prefix(1);
  }
  if (s == "0") return 0.0;
  if (s.empty()) return std::nullopt;
  double total = 0;
  while (!s.empty()) {
    std::size_t i = 0, digits = 0;
    double value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') value = value * 10 + (s[i++] - '0'), ++digits;
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') value += (s[i++] - '0') * scale, scale /= 10, ++digits;
    }
    if (digits == 0) return std::nullopt;
    s.remove_prefix(i);
    // "ms" before "m", "µs"/"μs" (two spellings of micro) before nothing else.
    static const std::pair<std::string_view, double> k_units[] = {
        {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"\xCE\xBCs", 1e-6},
        {"ms", 1e-3}, {"s", 1.0},   {"m", 60.0},         {"h", 3600.0}};
    bool unit = false;
    for (const auto& [name, seconds] : k_units)
      if (s.substr(0, name.size()) == name) {
        s.remove_prefix(name.size());
        total += value * seconds;
        unit = true;
        break;
      }
    if (!unit) return std::nullopt;
  }
  return sign * total;
}

namespace {

// A TOML literal as config.toml holds it: "…" strings (basic escapes), integers, booleans,
// ["…", …] arrays. Only what the key lists and picket's own literals use.
std::string literal_string(const std::string& literal) {
  if (literal.size() < 2 || literal.front() != '"') return literal;
  std::string out;
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    if (literal[i] == '\\' && i + 2 < literal.size()) {
      const char c = literal[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += literal[i];
    }
  }
  return out;
}

std::optional<long long> literal_integer(const std::string& literal) {
  const std::string text = literal_string(literal);  // "4": chunk_fetchers' default is a string
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  try {
    const long long v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (...) {
  }
  return std::nullopt;
}

// viper reads a []string from an array, or from a string split at every comma ("" is none).
std::vector<std::string> literal_list(const std::string& literal) {
  std::vector<std::string> items;
  if (!literal.empty() && literal.front() == '[') {
    std::size_t i = 1;
    while ((i = literal.find('"', i)) != std::string::npos) {
      std::size_t end = i + 1;
      while (end < literal.size() && literal[end] != '"') end += literal[end] == '\\' ? 2 : 1;
      items.push_back(literal_string(literal.substr(i, end - i + 1)));
      i = end + 1;
    }
    return items;
  }
  const std::string text = literal_string(literal);
  if (text.empty()) return items;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

// Go's %#U of a byte read as a rune: U+0067 'g'.
std::string go_rune(unsigned char c) {
  std::string out = fmt::format("U+{:04X}", static_cast<unsigned>(c));
  if (c >= 0x20 && c < 0x7f) out += fmt::format(" '{}'", static_cast<char>(c));
  return out;
}

// encoding/hex.DecodeString's error, or "" when `text` is hex.
std::string hex_error(const std::string& text) {
  const auto is_hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  std::size_t i = 1;
  for (; i < text.size(); i += 2) {
    if (!is_hex(text[i - 1])) return "encoding/hex: invalid byte: " + go_rune(static_cast<unsigned char>(text[i - 1]));
    if (!is_hex(text[i])) return "encoding/hex: invalid byte: " + go_rune(static_cast<unsigned char>(text[i]));
  }
  if (text.size() % 2 == 1) {
    if (!is_hex(text.back())) return "encoding/hex: invalid byte: " + go_rune(static_cast<unsigned char>(text.back()));
    return "encoding/hex: odd length hex string";
  }
  return {};
}

class StartupCheck {
 public:
  StartupCheck(const Node& node, const std::string& line, const ConfigTable& table,
               const std::map<std::string, std::string>& derived,
               const std::map<std::string, std::string>& overrides, Diagnostics& out)
      : m_node(node), m_line(line), m_table(table), m_derived(derived), m_overrides(overrides), m_out(out) {}

  void run() {
    const bool v1 = m_line == "1.0";
    const bool v034 = m_line == "0.34";
    if (m_line == "0.38" || v1) version();
    rpc();
    if (v1) grpc();
    mempool(v1);
    statesync(v1);
    blocksync(v034, v1);
    if (v1) storage();
    if (!v034) nop_mempool();
  }

 private:
  bool has(const char* path) const { return m_table.find(path) != nullptr; }
  std::string literal(const std::string& path) const {
    if (auto it = m_overrides.find(path); it != m_overrides.end()) return it->second;
    if (auto it = m_derived.find(path); it != m_derived.end()) return it->second;
    const ConfigKey* k = m_table.find(path);
    return k != nullptr ? k->default_literal : std::string();
  }
  std::string text(const std::string& path) const { return literal_string(literal(path)); }
  long long integer(const std::string& path) const { return literal_integer(literal(path)).value_or(0); }
  double seconds(const std::string& path) const { return parse_go_duration(text(path)).value_or(0); }
  bool boolean(const std::string& path) const { return literal(path) == "true"; }

  // The first of `paths` an override sets: where the caret goes.
  Location where(std::initializer_list<const char*> paths) const {
    for (const char* path : paths) {
      if (m_overrides.count(path) == 0) continue;
      for (const auto& [section, keys] : m_node.config)
        for (const auto& [key, value] : keys)
          if ((section.empty() ? key : section + "." + key) == path) return value.loc;
    }
    return m_node.name.loc;
  }

  void refuse(std::initializer_list<const char*> paths, const std::string& node_error,
              const std::string& hint = {}) {
    add_error(m_out, "schema", where(paths),
              fmt::format("CometBFT {} refuses to start node \"{}\" with this config.toml: "
                          "\"error in config file: {}\"{}",
                          m_line, m_node.name.value, node_error, hint.empty() ? "" : "; " + hint),
              {m_node.name.value});
  }

  // BaseConfig.ValidateBasic (0.38, 1.0): a non-empty version must be semver.
  void version() {
    // The derived version comes from chain.binary_version, which the loader checks once.
    if (!has("version") || m_overrides.count("version") == 0) return;
    const std::string v = text("version");
    if (!v.empty() && !is_semver(v))
      refuse({"version"}, "invalid version string: " + v,
             "write MAJOR.MINOR.PATCH, such as \"" + m_line + ".0\"");
  }

  // RPCConfig.ValidateBasic: the subscription buffers.
  void rpc() {
    const char* sub = "rpc.experimental_subscription_buffer_size";
    const char* ws = "rpc.experimental_websocket_write_buffer_size";
    if (!has(sub) || !has(ws)) return;
    const long long buffer = integer(sub);
    if (buffer < 100)
      refuse({sub}, "error in [rpc] section: experimental_subscription_buffer_size must be >= 100");
    else if (integer(ws) < buffer)
      refuse({ws, sub}, fmt::format("error in [rpc] section: experimental_websocket_write_buffer_size "
                                    "must be >= experimental_subscription_buffer_size ({})",
                                    buffer));
  }

  // GRPCConfig.ValidateBasic (1.0): a listen address needs its scheme.
  void grpc() {
    if (!has("grpc.laddr")) return;
    const std::string laddr = text("grpc.laddr");
    if (!laddr.empty() && laddr.find("://") == std::string::npos)
      refuse({"grpc.laddr"},
             "error in [grpc] section: invalid listening address " + laddr +
                 " (use fully formed addresses, including the tcp:// or unix:// prefix)");
  }

  // MempoolConfig.ValidateBasic (1.0): a flood mempool of zero capacity.
  void mempool(bool v1) {
    if (!v1 || text("mempool.type") == "nop") return;
    for (const char* key : {"size", "max_txs_bytes", "max_tx_bytes"}) {
      const std::string path = std::string("mempool.") + key;
      if (has(path.c_str()) && integer(path) == 0)
        refuse({m_table.find(path)->path.c_str()},
               std::string("error in [mempool] section: ") + key + " must be positive");
    }
  }

  // StateSyncConfig.ValidateBasic: only when enabled.
  void statesync(bool v1) {
    if (!has("statesync.enable") || !boolean("statesync.enable")) return;
    const std::string in = "error in [statesync] section: ";
    const auto servers = literal_list(literal("statesync.rpc_servers"));
    if (servers.empty())
      refuse({"statesync.rpc_servers", "statesync.enable"}, in + "rpc_servers is required");
    else if (servers.size() < 2)
      refuse({"statesync.rpc_servers"},
             in + (v1 ? "at least two rpc_servers entries are required"
                      : "at least two rpc_servers entries is required"));
    else
      for (const auto& s : servers)
        if (s.empty()) {
          refuse({"statesync.rpc_servers"}, in + "found empty rpc_servers entry");
          break;
        }
    const double discovery = seconds("statesync.discovery_time");
    if (discovery != 0 && discovery < 5)
      refuse({"statesync.discovery_time"},
             in + (v1 ? "snapshot discovery time must be at least five seconds"
                      : "discovery time must be 0s or greater than five seconds"));
    if (seconds("statesync.trust_period") <= 0)
      refuse({"statesync.trust_period", "statesync.enable"}, in + "trusted_period is required");
    if (integer("statesync.trust_height") <= 0)
      refuse({"statesync.trust_height", "statesync.enable"}, in + "trusted_height is required");
    const std::string hash = text("statesync.trust_hash");
    if (hash.empty())
      refuse({"statesync.trust_hash", "statesync.enable"}, in + "trusted_hash is required");
    else if (const std::string bad = hex_error(hash); !bad.empty())
      refuse({"statesync.trust_hash"}, in + "invalid trusted_hash: " + bad);
    if (seconds("statesync.chunk_request_timeout") < 5)
      refuse({"statesync.chunk_request_timeout"},
             in + (v1 ? "timeout for re-requesting a chunk (chunk_request_timeout) is less than 5 seconds"
                      : "chunk_request_timeout must be at least 5 seconds"));
    if (integer("statesync.chunk_fetchers") <= 0)
      refuse({"statesync.chunk_fetchers"}, in + "chunk_fetchers is required");
    if (has("statesync.max_snapshot_chunks") && integer("statesync.max_snapshot_chunks") == 0)
      refuse({"statesync.max_snapshot_chunks"}, in + "max_snapshot_chunks is required");
  }

  // FastSyncConfig (0.34) / BlockSyncConfig (0.37+) ValidateBasic.
  void blocksync(bool v034, bool v1) {
    const char* path = v034 ? "fastsync.version" : "blocksync.version";
    if (!has(path)) return;
    const std::string v = text(path);
    if (v034) {
      if (v != "v0" && v != "v1" && v != "v2")
        refuse({path}, "error in [fastsync] section: unknown fastsync version " + v);
      return;
    }
    if (v == "v0") return;
    if (v == "v1" || v == "v2")
      refuse({path}, "error in [blocksync] section: blocksync version " + v +
                         " has been deprecated. Please use " + (v1 ? "[v0]" : "v0") + " instead");
    else
      refuse({path}, "error in [blocksync] section: unknown blocksync version " + v);
  }

  // StorageConfig.ValidateBasic (1.0).
  void storage() {
    if (has("storage.pruning.interval") && seconds("storage.pruning.interval") <= 0)
      refuse({"storage.pruning.interval"},
             "error in [storage] section: error in [pruning] section: interval must be > 0");
    if (!has("storage.experimental_db_key_layout")) return;
    const std::string layout = text("storage.experimental_db_key_layout");
    if (layout != "v1" && layout != "v2")
      refuse({"storage.experimental_db_key_layout"},
             "error in [storage] section: unsupported version of DB Key layout, expected v1 or "
             "v2, got " + layout);
  }

  // Config.ValidateBasic (0.37+): a nop mempool cannot wait for transactions.
  void nop_mempool() {
    if (!has("mempool.type") || text("mempool.type") != "nop") return;
    if (!boolean("consensus.create_empty_blocks"))
      refuse({"consensus.create_empty_blocks", "mempool.type"},
             "`nop` mempool does not support create_empty_blocks = false");
  }

  const Node& m_node;
  const std::string& m_line;
  const ConfigTable& m_table;
  const std::map<std::string, std::string>& m_derived;
  const std::map<std::string, std::string>& m_overrides;
  Diagnostics& m_out;
};

}  // namespace

void check_startup(const Node& node, const std::string& line, const ConfigTable& table,
                   const std::map<std::string, std::string>& derived,
                   const std::map<std::string, std::string>& overrides, Diagnostics& out) {
  StartupCheck(node, line, table, derived, overrides, out).run();
}

}  // namespace picket
