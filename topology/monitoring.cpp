// The `monitoring:` section, read against key tables (topology/key_table.hpp) as the topology
// loader reads its sections: one for the section, one for a receiver, and one per receiver
// kind with the keys it needs and the keys it may have. A secret (a webhook's bearer
// token, an SMTP password, a chat or pager API key) is only ever named as a file on the monitor
// host (`*_file`, read by Alertmanager itself), so no secret reaches the topology, the
// rendered files, a plan or a log; the inline spelling is refused with the file key to use.
#include "topology/monitoring.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "topology/address.hpp"
#include "topology/key_table.hpp"
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

const std::vector<std::string> k_severities = {"warning", "critical"};

// Secrets written inline, and the key that names them as a file instead.
const std::array<std::pair<const char*, const char*>, 6> k_inline_secrets{{
    {"credentials", "credentials_file"},
    {"auth_password", "auth_password_file"},
    {"api_url", "api_url_file"},
    {"routing_key", "routing_key_file"},
    {"service_key", "routing_key_file"},
    {"api_key", "api_key_file"},
}};

bool is_receiver_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A Prometheus or Alertmanager duration as picket renders it: digits and one unit (ms, s, m,
// h). Both also take compound and longer forms ("1h30m", "1d"); picket keeps to this one.
bool is_duration(std::string_view s) {
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
    MonitoringDraft m;
    m.loc = m_reader.loc(section.key);
    for (Located<std::string>* d :
         {&m.scrape_interval, &m.group_wait, &m.group_interval, &m.repeat_interval})
      d->loc = m.loc;  // a duration left out: its default, located at the section
    std::vector<YamlField> fields;
    const std::uint32_t written =
        monitoring_keys().read(*this, m_reader, section.value, m, m.loc, ctx, fields);
    if (!m.host_ok) {
      // A host written but not read is missing too (the table reported it when not written).
      if ((written & monitoring_keys().bit("host")) != 0) m_reader.missing_key("host", m.loc, ctx);
      return;
    }
    m_topology.monitoring = Monitoring(std::move(m));
  }

 private:
  // --- the schema: one table per map, each key with its reader ---

  template <class Target>
  using Table = KeyTable<MonitoringReader, Target>;

  // The section and a receiver are read into these: the model's type plus what the checks
  // after the keys need.
  struct MonitoringDraft : Monitoring {
    bool host_ok = false;
  };
  struct ReceiverDraft : Receiver {
    bool has_kind = false;
    bool kind_ok = false;  // the kind's map read with every required key
    const Table<ReceiverDraft>* kind_keys = nullptr;  // the kind's settings
  };
  // A receiver kind: its settings, required keys first (the order messages list them).
  struct KindSchema {
    ReceiverKind kind;
    Table<ReceiverDraft> settings;
  };

  static const Table<MonitoringDraft>& monitoring_keys() {
    static const Table<MonitoringDraft> table({
        {"host", true, &MonitoringReader::read_host},
        {"scrape_interval", false, &MonitoringReader::read_scrape_interval},
        {"group_wait", false, &MonitoringReader::read_group_wait},
        {"group_interval", false, &MonitoringReader::read_group_interval},
        {"repeat_interval", false, &MonitoringReader::read_repeat_interval},
        {"receivers", false, &MonitoringReader::read_receivers},
    });
    return table;
  }
  static const std::vector<KindSchema>& kinds() {
    constexpr auto setting = &MonitoringReader::read_setting;
    constexpr auto secret = &MonitoringReader::read_inline_secret;
    static const std::vector<KindSchema> table{
        {ReceiverKind::webhook,
         Table<ReceiverDraft>({{"url", true, setting}, {"credentials_file", false, setting}},
                              Extensions::refused, secret)},
        {ReceiverKind::email,
         Table<ReceiverDraft>({{"to", true, setting},
                               {"from", true, setting},
                               {"smarthost", true, setting},
                               {"auth_username", false, setting},
                               {"auth_password_file", false, setting}},
                              Extensions::refused, secret)},
        {ReceiverKind::slack,
         Table<ReceiverDraft>({{"api_url_file", true, setting}, {"channel", false, setting}},
                              Extensions::refused, secret)},
        {ReceiverKind::pagerduty,
         Table<ReceiverDraft>({{"routing_key_file", true, setting}}, Extensions::refused, secret)},
        {ReceiverKind::opsgenie,
         Table<ReceiverDraft>({{"api_key_file", true, setting}}, Extensions::refused, secret)},
    };
    return table;
  }
  // A receiver's keys: one per kind (the kind's settings as its value), then the rest.
  static const Table<ReceiverDraft>& receiver_keys() {
    static const Table<ReceiverDraft> table([] {
      std::vector<KeyRule<MonitoringReader, ReceiverDraft>> rules;
      for (const KindSchema& k : kinds())
        rules.push_back({receiver_kind_name(k.kind), false, &MonitoringReader::read_kind});
      rules.push_back({"severity", false, &MonitoringReader::read_severity});
      rules.push_back({"watchdog", false, &MonitoringReader::read_watchdog});
      return rules;
    }());
    return table;
  }
  static std::vector<std::string> kind_names() {
    std::vector<std::string> names;
    for (const KindSchema& k : kinds()) names.emplace_back(receiver_kind_name(k.kind));
    return names;
  }

  // --- `monitoring:` ---

  void read_host(const YamlField& f, MonitoringDraft& m, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      m.host = std::move(*v);
      m.host_ok = true;
    }
  }

  void read_scrape_interval(const YamlField& f, MonitoringDraft& m, const YamlContext& ctx) {
    read_duration(f, m.scrape_interval, ctx);
  }
  void read_group_wait(const YamlField& f, MonitoringDraft& m, const YamlContext& ctx) {
    read_duration(f, m.group_wait, ctx);
  }
  void read_group_interval(const YamlField& f, MonitoringDraft& m, const YamlContext& ctx) {
    read_duration(f, m.group_interval, ctx);
  }
  void read_repeat_interval(const YamlField& f, MonitoringDraft& m, const YamlContext& ctx) {
    read_duration(f, m.repeat_interval, ctx);
  }

  // A duration key's value (is_duration), kept in `into`; a bad one leaves the default.
  void read_duration(const YamlField& f, Located<std::string>& into, const YamlContext& ctx) {
    if (auto v = m_reader.string(f, ctx)) {
      if (is_duration(v->value))
        into = std::move(*v);
      else
        m_reader.error("schema", f.value,
                       fmt::format("{} must be a duration like \"15s\" or "
                                   "\"1m\" (digits and one of ms, s, m, h), found {}",
                                   in_quotes(m_reader.key(f)), in_quotes(v->value)),
                       ctx);
    }
  }

  void read_receivers(const YamlField& f, MonitoringDraft& m, const YamlContext& ctx) {
    if (!m_reader.expect_map(f.value, "\"receivers\"", ctx)) return;
    std::vector<YamlField> fields;
    m_reader.fields(f.value, fields, {"in \"receivers\"", {"monitoring"}});
    for (const YamlField& entry : fields) read_receiver(entry, m);
  }

  // --- one receiver ---

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
    ReceiverDraft r;
    r.name = {name, m_reader.loc(entry.key)};
    r.severity.loc = r.name.loc;
    std::vector<YamlField> fields;
    receiver_keys().read(*this, m_reader, entry.value, r, r.name.loc, ctx, fields);
    if (!r.has_kind) {
      m_reader.error("schema", r.name.loc,
                     fmt::format("receiver {} names no kind; give one of {}", in_quotes(name),
                                 in_quotes_list(kind_names())),
                     ctx);
      return;
    }
    const auto same = std::find_if(m.receivers.begin(), m.receivers.end(),
                                   [&](const Receiver& o) { return o.name.value == name; });
    if (same != m.receivers.end()) return;  // the YAML reader reported the duplicate key
    if (r.kind_ok && m_reader.out().size() == problems_before)
      m.receivers.push_back(Receiver(std::move(r)));
  }

  void read_severity(const YamlField& f, ReceiverDraft& r, const YamlContext& ctx) {
    if (auto v = m_reader.choice(f, k_severities, ctx)) r.severity = std::move(*v);
  }

  void read_watchdog(const YamlField& f, ReceiverDraft& r, const YamlContext& ctx) {
    if (auto v = m_reader.boolean(f, ctx)) r.watchdog = v->value;
  }

  // A kind's key: its map of settings, against the kind's table; one kind per receiver.
  void read_kind(const YamlField& f, ReceiverDraft& r, const YamlContext& outer) {
    const std::string& kind = m_reader.key(f);
    if (r.has_kind) {
      m_reader.error("schema", f.key,
                     fmt::format("receiver {} has two kinds ({} and {}); give each its own "
                                 "receiver",
                                 in_quotes(r.name.value), in_quotes(receiver_kind_name(r.kind.value)),
                                 in_quotes(kind)),
                     outer);
      return;
    }
    r.has_kind = true;
    const KindSchema& schema = *std::find_if(kinds().begin(), kinds().end(), [&](const KindSchema& k) {
      return kind == receiver_kind_name(k.kind);
    });
    r.kind = {schema.kind, m_reader.loc(f.key)};
    r.kind_keys = &schema.settings;
    const YamlContext ctx{fmt::format("in {} of receiver {}", in_quotes(kind), in_quotes(r.name.value)),
                          {"monitoring"}};
    if (!m_reader.expect_map(f.value, fmt::format("{}", in_quotes(kind)), outer)) return;
    std::vector<YamlField> fields;
    const std::uint32_t written =
        schema.settings.read(*this, m_reader, f.value, r, m_reader.loc(f.key), ctx, fields);
    r.kind_ok = schema.settings.complete(written);
  }

  // A setting of the kind: a string, checked by its key (secrets only as absolute file paths).
  void read_setting(const YamlField& f, ReceiverDraft& r, const YamlContext& ctx) {
    const std::string& k = m_reader.key(f);
    auto v = m_reader.string(f, ctx);
    if (v && valid_value(k, *v, f, ctx)) r.settings.emplace(k, std::move(*v));
  }

  // A secret written inline where the kind takes it as a file: refused, naming the file key.
  const char* read_inline_secret(const YamlField& f, ReceiverDraft& r, const YamlContext& ctx) {
    const std::string& k = m_reader.key(f);
    const auto secret = std::find_if(k_inline_secrets.begin(), k_inline_secrets.end(),
                                     [&](const auto& s) { return k == s.first; });
    if (secret == k_inline_secrets.end()) return nullptr;
    if (!r.kind_keys->knows(secret->second)) return nullptr;
    m_reader.error("schema", f.key,
                   fmt::format("{} is a secret and is never written in the topology: name the "
                               "file on the monitor host that holds it with {}",
                               in_quotes(k), in_quotes(secret->second)),
                   ctx);
    return secret->second;
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
