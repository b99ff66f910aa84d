// The `monitoring:` section. Receivers are read kind by kind against a small schema table:
// for every kind, the keys it needs and the keys it may have. A secret (a webhook's bearer
// token, an SMTP password, a chat or pager API key) is only ever named as a file on the monitor
// host (`*_file`, read by Alertmanager itself), so no secret reaches the topology, the
// rendered files, a plan or a log; the inline spelling is refused with the file key to use.
#include "topology/monitoring.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "topology/address.hpp"
#include "util/text.hpp"

namespace picket {

const char* receiver_kind_name(ReceiverKind k) {
  switch (k) {
    case ReceiverKind::webhook: return "webhook";
    case ReceiverKind::email: return "email";
    case ReceiverKind::slack: return "slack";
    case ReceiverKind::pagerduty: return "pagerduty";
    case ReceiverKind::opsgenie: return "opsgenie";
  }
  return "?";
}

bool is_scraped(const Node& node) {
  return node.role.value != Role::signer && !node.standby.value;
}

namespace {

const std::vector<std::string> k_monitoring_keys = {"host", "scrape_interval", "receivers"};
const std::vector<std::string> k_severities = {"warning", "critical"};

struct KindSchema {
  ReceiverKind kind;
  std::vector<std::string> required;
  std::vector<std::string> optional;
};

const std::array<KindSchema, 5> k_kinds{{
    {ReceiverKind::webhook, {"url"}, {"credentials_file"}},
    {ReceiverKind::email, {"to", "from", "smarthost"}, {"auth_username", "auth_password_file"}},
    {ReceiverKind::slack, {"api_url_file"}, {"channel"}},
    {ReceiverKind::pagerduty, {"routing_key_file"}, {}},
    {ReceiverKind::opsgenie, {"api_key_file"}, {}},
}};

// Secrets written inline, and the key that names them as a file instead.
const std::array<std::pair<const char*, const char*>, 6> k_inline_secrets{{
    {"credentials", "credentials_file"},
    {"auth_password", "auth_password_file"},
    {"api_url", "api_url_file"},
    {"routing_key", "routing_key_file"},
    {"service_key", "routing_key_file"},
    {"api_key", "api_key_file"},
}};

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  for (const auto& k : k_kinds) names.push_back(receiver_kind_name(k.kind));
  return names;
}

bool is_receiver_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A Prometheus duration as picket renders it: digits and one unit (ms, s, m, h).
bool is_scrape_interval(std::string_view s) {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 6) return false;
  const std::string_view unit = s.substr(digits);
  const bool positive = s.substr(0, digits).find_first_not_of('0') != std::string_view::npos;
  return positive && (unit == "ms" || unit == "s" || unit == "m" || unit == "h");
}

class MonitoringReader {
 public:
  MonitoringReader(YamlReader& reader, Topology& topology) : m_reader(reader), m_topology(topology) {}

  void read(const YamlField& section) {
    const YamlContext ctx{"in \"monitoring\"", {"monitoring"}};
    if (!m_reader.expect_map(section.value, "\"monitoring\"", ctx)) return;
    Monitoring m;
    m.loc = m_reader.loc(section.key);
    m.scrape_interval.loc = m.loc;
    std::vector<YamlField> fields;
    m_reader.fields(section.value, fields, ctx);
    bool has_host = false;
    for (const YamlField& f : fields) {
      const std::string& k = m_reader.key(f);
      if (k == "host") {
        if (auto v = m_reader.string(f, ctx)) {
          m.host = std::move(*v);
          has_host = true;
        }
      } else if (k == "scrape_interval") {
        if (auto v = m_reader.string(f, ctx)) {
          if (is_scrape_interval(v->value))
            m.scrape_interval = std::move(*v);
          else
            m_reader.error("schema", f.value,
                           fmt::format("\"scrape_interval\" must be a duration like \"15s\" or "
                                       "\"1m\" (digits and one of ms, s, m, h), found {}",
                                       in_quotes(v->value)),
                           ctx);
        }
      } else if (k == "receivers") {
        if (m_reader.expect_map(f.value, "\"receivers\"", ctx)) read_receivers(f.value, m);
      } else {
        m_reader.unknown_key(f, k_monitoring_keys, ctx);
      }
    }
    if (!has_host) {
      m_reader.missing_key("host", m.loc, ctx);
      return;
    }
    m_topology.monitoring = std::move(m);
  }

 private:
  void read_receivers(YamlId map, Monitoring& m) {
    std::vector<YamlField> fields;
    m_reader.fields(map, fields, {"in \"receivers\"", {"monitoring"}});
    for (const YamlField& f : fields) read_receiver(f, m);
  }

  void read_receiver(const YamlField& entry, Monitoring& m) {
    const std::string& name = m_reader.key(entry);
    const YamlContext ctx{fmt::format("in receiver {}", in_quotes(name)), {"monitoring"}};
    if (!is_receiver_name(name) || name.rfind("picket-", 0) == 0) {
      m_reader.error("schema", entry.key,
                     fmt::format("receiver name {} must be 1 to 63 characters of [a-z0-9-] and "
                                 "not start with \"picket-\" (picket's own routes use it)",
                                 in_quotes(name)),
                     ctx);
      return;
    }
    if (!m_reader.expect_map(entry.value, fmt::format("receiver {}", in_quotes(name)), ctx)) return;
    const std::size_t problems_before = m_reader.out().size();  // a receiver with any is left out
    Receiver r;
    r.name = {name, m_reader.loc(entry.key)};
    r.severity.loc = r.name.loc;
    std::vector<YamlField> fields;
    m_reader.fields(entry.value, fields, ctx);
    const std::vector<std::string> kinds = kind_names();
    std::vector<std::string> allowed = kinds;
    allowed.push_back("severity");
    allowed.push_back("watchdog");
    bool has_kind = false, kind_ok = false;
    for (const YamlField& f : fields) {
      const std::string& k = m_reader.key(f);
      const auto kind = std::find(kinds.begin(), kinds.end(), k);
      if (kind != kinds.end()) {
        if (has_kind) {
          m_reader.error("schema", f.key,
                         fmt::format("receiver {} has two kinds ({} and {}); give each its own "
                                     "receiver",
                                     in_quotes(name), in_quotes(receiver_kind_name(r.kind.value)),
                                     in_quotes(k)),
                         ctx);
          continue;
        }
        has_kind = true;
        r.kind = {k_kinds[static_cast<std::size_t>(kind - kinds.begin())].kind, m_reader.loc(f.key)};
        kind_ok = read_settings(f, r, ctx);
      } else if (k == "severity") {
        if (auto v = m_reader.choice(f, k_severities, ctx)) r.severity = std::move(*v);
      } else if (k == "watchdog") {
        if (auto v = m_reader.boolean(f, ctx)) r.watchdog = v->value;
      } else {
        m_reader.unknown_key(f, allowed, ctx);
      }
    }
    if (!has_kind) {
      m_reader.error("schema", r.name.loc,
                     fmt::format("receiver {} names no kind; give one of {}", in_quotes(name),
                                 in_quotes_list(kinds)),
                     ctx);
      return;
    }
    const auto same = std::find_if(m.receivers.begin(), m.receivers.end(),
                                   [&](const Receiver& o) { return o.name.value == name; });
    if (same != m.receivers.end()) return;  // the YAML reader reported the duplicate key
    if (kind_ok && m_reader.out().size() == problems_before) m.receivers.push_back(std::move(r));
  }

  // The kind's map: required and optional keys, secrets only as absolute file paths.
  bool read_settings(const YamlField& kind_field, Receiver& r, const YamlContext& outer) {
    const std::string kind = m_reader.key(kind_field);
    const YamlContext ctx{fmt::format("in {} of receiver {}", in_quotes(kind), in_quotes(r.name.value)),
                          {"monitoring"}};
    if (!m_reader.expect_map(kind_field.value, fmt::format("{}", in_quotes(kind)), outer)) return false;
    const KindSchema& schema = k_kinds[static_cast<std::size_t>(r.kind.value)];
    std::vector<std::string> allowed = schema.required;
    allowed.insert(allowed.end(), schema.optional.begin(), schema.optional.end());
    std::vector<YamlField> fields;
    m_reader.fields(kind_field.value, fields, ctx);
    bool ok = true;
    std::vector<std::string> named;  // keys written, an inline secret counting as its file key
    for (const YamlField& f : fields) {
      const std::string& k = m_reader.key(f);
      const auto secret = std::find_if(k_inline_secrets.begin(), k_inline_secrets.end(),
                                       [&](const auto& s) { return k == s.first; });
      if (secret != k_inline_secrets.end() &&
          std::find(allowed.begin(), allowed.end(), secret->second) != allowed.end()) {
        m_reader.error("schema", f.key,
                       fmt::format("{} is a secret and is never written in the topology: name the "
                                   "file on the monitor host that holds it with {}",
                                   in_quotes(k), in_quotes(secret->second)),
                       ctx);
        named.push_back(secret->second);
        ok = false;
        continue;
      }
      named.push_back(k);
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        m_reader.unknown_key(f, allowed, ctx);
        ok = false;
        continue;
      }
      auto v = m_reader.string(f, ctx);
      if (!v) {
        ok = false;
        continue;
      }
      if (!valid_value(k, *v, f, ctx)) {
        ok = false;
        continue;
      }
      r.settings.emplace(k, std::move(*v));
    }
    for (const auto& k : schema.required)
      if (std::find(named.begin(), named.end(), k) == named.end()) {
        m_reader.missing_key(k, m_reader.loc(kind_field.key), ctx);
        ok = false;
      }
    return ok;
  }

  bool valid_value(const std::string& key, const Located<std::string>& v, const YamlField& f,
                   const YamlContext& ctx) {
    const bool is_file = key.size() > 5 && key.compare(key.size() - 5, 5, "_file") == 0;
    if (is_file && !is_clean_remote_file(v.value)) {
      m_reader.error("schema", f.value,
                     fmt::format("{} must be an absolute path of a file on the monitor host, "
                                 "found {}",
                                 in_quotes(key), in_quotes(v.value)),
                     ctx);
      return false;
    }
    if (key == "url" && v.value.rfind("http://", 0) != 0 && v.value.rfind("https://", 0) != 0) {
      m_reader.error("schema", f.value,
                     fmt::format("\"url\" must start with http:// or https://, found {}",
                                 in_quotes(v.value)),
                     ctx);
      return false;
    }
    if (key == "smarthost" && !is_host_port(v.value)) {
      m_reader.error("address", f.value,
                     fmt::format("\"smarthost\" must be host:port, found {}", in_quotes(v.value)),
                     ctx);
      return false;
    }
    const bool control = std::any_of(v.value.begin(), v.value.end(),
                                     [](unsigned char c) { return c < 0x20 || c == 0x7f; });
    if (control) {
      m_reader.error("schema", f.value,
                     fmt::format("{} must not hold control characters", in_quotes(key)), ctx);
      return false;
    }
    return true;
  }

  YamlReader& m_reader;
  Topology& m_topology;
};

}  // namespace

void read_monitoring(YamlReader& reader, const YamlField& field, Topology& topology) {
  MonitoringReader(reader, topology).read(field);
}

void check_monitoring(const Topology& topology, const Inventory& inventory, Diagnostics& out, bool sound) {
  if (!topology.monitoring) {
    if (!sound) return;
    std::vector<std::string> scraped;
    for (const Node& n : topology.nodes)
      if (is_scraped(n)) scraped.push_back(n.name.value);
    if (scraped.empty()) return;
    add_warning(out, "no-monitor", topology.nodes_loc,
                fmt::format("no \"monitoring:\" host: the metrics of {} {} are scraped from "
                            "nowhere picket sets up, and nothing alerts when the validator "
                            "stops signing; name a monitoring host",
                            scraped.size() == 1 ? "node" : "nodes", quoted_list(scraped, 5)),
                scraped);
    return;
  }
  const Monitoring& m = *topology.monitoring;
  if (!inventory.hosts.empty() && inventory.find_host(m.host.value) == nullptr)
    add_error(out, "reference", m.host.loc,
              fmt::format("unknown host {} for \"monitoring\"; expected a host of the inventory",
                          in_quotes(m.host.value)),
              {"host=" + m.host.value});
  if (!topology.vpn)
    add_error(out, "schema", m.loc,
              "\"monitoring\" scrapes every host over the WireGuard mesh and needs a \"vpn:\" "
              "section with a subnet to allocate tunnel addresses from");
}

}  // namespace picket
