// Status. Two passes over the hosts, each in parallel on one connection per host: `make_plan`
// reads every rendered file back (the drift), then each host's job asks its running nodes'
// RPC through that same connection. Judging is pure: what each node should have comes from
// the graph (its neighbours and their IDs, as config.toml is rendered from them), what it
// has from its RPC, and the report lists the differences. Nothing is written anywhere.
#include "deploy/status.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deploy/parallel.hpp"
#include "deploy/plan.hpp"
#include "render/neighbours.hpp"
#include "render/tunnel.hpp"
#include "topology/effective.hpp"
#include "topology/monitoring.hpp"
#include "topology/peering.hpp"
#include "util/text.hpp"

namespace picket {

namespace {
using Json = nlohmann::ordered_json;

const Json* rpc_result(const std::string& body) {
  static thread_local Json doc;
  doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return nullptr;
  auto it = doc.find("result");
  return it != doc.end() && it->is_object() ? &*it : nullptr;
}

// CometBFT encodes 64-bit integers as strings; accept a number too.
std::optional<std::int64_t> integer(const Json& j) {
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (!j.is_string()) return std::nullopt;
  const std::string& s = j.get_ref<const std::string&>();
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(s);
}

const Json* member(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string string_at(const Json* j) {
  return j != nullptr && j->is_string() ? j->get<std::string>() : std::string();
}

void problem(std::vector<StatusProblem>& to, StatusSeverity s, std::string message) {
  to.push_back({s, std::move(message)});
}

bool has(const std::vector<StatusProblem>& problems, StatusSeverity s) {
  return std::any_of(problems.begin(), problems.end(), [s](const StatusProblem& p) { return p.severity == s; });
}

// What the graph gives one running node.
struct Expected {
  const Node* node = nullptr;
  std::map<std::string, std::string> peers;  // node ID -> neighbour name
};

// Asks one node's RPC and judges what it says against `expected`.
void ask_node(Transport& t, const Topology& topology, const Expected& expected, const StatusOptions& options,
              NodeStatus& s) {
  const int port = effective_rpc_port(topology, *expected.node);
  auto status_body = t.http_get(port, "/status");
  if (!status_body) {
    problem(s.problems, StatusSeverity::error, "RPC not answering: " + status_body.error().message);
    return;
  }
  const auto status = parse_rpc_status(*status_body);
  if (!status) {
    problem(s.problems, StatusSeverity::error, "RPC /status: not CometBFT's answer");
    return;
  }
  s.reached = true;
  s.height = status->height;
  s.catching_up = status->catching_up;

  auto net_body = t.http_get(port, "/net_info");
  const auto peers = net_body ? parse_rpc_peers(*net_body) : std::nullopt;
  if (!peers) {
    problem(s.problems, StatusSeverity::error,
            "RPC /net_info: " + (net_body ? std::string("not CometBFT's answer") : net_body.error().message));
  } else {
    s.peers = peers->size();
    std::set<std::string> live;
    for (const auto& p : *peers) {
      live.insert(p.id);
      if (!expected.peers.count(p.id) && s.role != Role::public_sentry) s.unexpected.push_back(p);
    }
    for (const auto& [id, name] : expected.peers)
      if (!live.count(id)) s.missing.push_back(name);
    std::sort(s.missing.begin(), s.missing.end());
  }

  if (s.role == Role::validator) {
    if (status->voting_power == 0)
      problem(s.problems, StatusSeverity::error, "not in the active validator set (voting power 0)");
    // The last `commits` commits this node has, newest first.
    int looked = 0, signed_count = 0;
    for (int i = 0; i < options.commits && status->height - i >= 1; ++i) {
      auto body = t.http_get(port, "/commit?height=" + std::to_string(status->height - i));
      const auto signers = body ? parse_rpc_commit_signers(*body) : std::nullopt;
      if (!signers) continue;
      ++looked;
      if (std::find(signers->begin(), signers->end(), status->validator_address) != signers->end()) ++signed_count;
    }
    s.commits_looked_at = looked;
    if (looked > 0) s.signed_commits = signed_count;
    if (looked > 0 && signed_count == 0)
      problem(s.problems, StatusSeverity::error,
              fmt::format("not signing: its signature is in none of the last {}", plural(looked, "commit", "commits")));
    if (expected.node->signer) {
      // The node listens on priv_validator_laddr and the signer dials in: an established
      // connection on that port is the signer. `ss` only reads the socket table.
      auto ss = t.exec(fmt::format("ss -Htn state established '( sport = :{} )'", k_signer_port), false);
      if (ss && ss->ok()) {
        s.signer_connected = !std::string(trim(ss->out)).empty();
        if (!*s.signer_connected)
          problem(s.problems, StatusSeverity::error,
                  fmt::format("signer {} not connected (no connection on port {})", picket::quoted(expected.node->signer->value),
                              k_signer_port));
      }
    }
  }
}

// Problems that need the whole picture (lag) or only the observations (peers, sync).
void judge(NodeStatus& s, std::int64_t best, const StatusOptions& options) {
  if (!s.reached) return;
  if (s.height) s.lag = best - *s.height;
  if (s.catching_up) problem(s.problems, StatusSeverity::warning, "catching up (block sync)");
  if (s.lag > options.max_lag)
    problem(s.problems, StatusSeverity::warning, fmt::format("{} behind the best height {}", plural(static_cast<std::size_t>(s.lag), "block", "blocks"), best));
  for (const auto& p : s.unexpected) {
    const std::string who = fmt::format("{} ({}{})", p.id, p.remote_ip.empty() ? "?" : p.remote_ip,
                                        p.moniker.empty() ? "" : ", " + picket::quoted(p.moniker));
    if (s.role == Role::validator)
      problem(s.problems, StatusSeverity::error,
              "unexpected peer " + who + ": the validator must peer with its sentries only (exposure)");
    else
      problem(s.problems, StatusSeverity::warning, "unexpected peer " + who + ": not a neighbour in the graph");
  }
  if (!s.missing.empty())
    problem(s.problems, s.role == Role::validator && s.peers == 0 ? StatusSeverity::error : StatusSeverity::warning,
            fmt::format("missing {} {}", s.missing.size() == 1 ? "peer" : "peers", quoted_list(s.missing)));
}

int rank(const std::vector<StatusProblem>& problems) {
  return has(problems, StatusSeverity::error) ? 0 : has(problems, StatusSeverity::warning) ? 1 : 2;
}

const char* severity_word(StatusSeverity s) { return s == StatusSeverity::error ? "error" : "warning"; }
}  // namespace

std::optional<RpcStatus> parse_rpc_status(const std::string& body) {
  const Json* result = rpc_result(body);
  if (result == nullptr) return std::nullopt;
  const Json* sync = member(*result, "sync_info");
  const Json* info = member(*result, "node_info");
  if (sync == nullptr || info == nullptr) return std::nullopt;
  const Json* height = member(*sync, "latest_block_height");
  const Json* catching = member(*sync, "catching_up");
  if (height == nullptr || catching == nullptr || !catching->is_boolean()) return std::nullopt;
  RpcStatus s;
  const auto h = integer(*height);
  if (!h) return std::nullopt;
  s.height = *h;
  s.catching_up = catching->get<bool>();
  s.node_id = string_at(member(*info, "id"));
  if (const Json* v = member(*result, "validator_info")) {
    s.validator_address = string_at(member(*v, "address"));
    if (const Json* power = member(*v, "voting_power"))
      s.voting_power = integer(*power).value_or(0);
  }
  return s;
}

std::optional<std::vector<UnexpectedPeer>> parse_rpc_peers(const std::string& body) {
  const Json* result = rpc_result(body);
  if (result == nullptr) return std::nullopt;
  const Json* peers = member(*result, "peers");
  if (peers == nullptr || !(peers->is_array() || peers->is_null())) return std::nullopt;
  std::vector<UnexpectedPeer> out;
  if (peers->is_null()) return out;
  for (const Json& p : *peers) {
    const Json* info = member(p, "node_info");
    if (info == nullptr) return std::nullopt;
    out.push_back({string_at(member(*info, "id")), string_at(member(p, "remote_ip")), string_at(member(*info, "moniker"))});
  }
  return out;
}

std::optional<std::vector<std::string>> parse_rpc_commit_signers(const std::string& body) {
  const Json* result = rpc_result(body);
  if (result == nullptr) return std::nullopt;
  const Json* header = member(*result, "signed_header");
  const Json* commit = header != nullptr ? member(*header, "commit") : nullptr;
  const Json* sigs = commit != nullptr ? member(*commit, "signatures") : nullptr;
  if (sigs == nullptr || !sigs->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const Json& sig : *sigs) {
    const Json* flag = member(sig, "block_id_flag");
    if (flag == nullptr || integer(*flag).value_or(0) != 2) continue;  // 2: signed for the block
    out.push_back(string_at(member(sig, "validator_address")));
  }
  return out;
}

std::size_t StatusReport::count(StatusSeverity s) const {
  std::size_t n = 0;
  for (const auto& node : nodes)
    n += static_cast<std::size_t>(std::count_if(node.problems.begin(), node.problems.end(),
                                                [s](const StatusProblem& p) { return p.severity == s; }));
  for (const auto& host : hosts)
    n += static_cast<std::size_t>(std::count_if(host.problems.begin(), host.problems.end(),
                                                [s](const StatusProblem& p) { return p.severity == s; }));
  return n;
}

StatusReport collect_status(const FileSet& files, const Topology& topology, const Inventory& inventory,
                            const std::vector<std::string>& node_ids, Connections& connections,
                            const StatusOptions& options) {
  StatusReport report;
  // Drift, and the connections every later question goes through.
  const Plan plan = make_plan(files, topology, inventory, connections, PlanOptions{options.parallel});

  // What the graph gives each running node.
  const PeeringIndex peering(topology);
  Diagnostics ignored;  // lint and render have reported everything already
  const TunnelPlan tunnels = plan_tunnels(topology, inventory, ignored);
  std::map<std::string, std::vector<Expected>> by_host;
  for (const Node& node : topology.nodes) {
    if (!is_scraped(node)) continue;
    Expected e;
    e.node = &node;
    for (const Neighbour& n : neighbours(peering, inventory, tunnels, node_ids, node)) {
      const Node* peer = n.partner.empty() ? topology.find_node(n.name) : nullptr;
      if (peer != nullptr && !is_scraped(*peer)) continue;  // a standby is stopped on purpose
      if (!n.node_id.empty()) e.peers.emplace(n.node_id, n.name);
    }
    by_host[node.host.value].push_back(std::move(e));
  }

  // Every host that gets files or runs a node.
  std::set<std::string> host_names;
  for (const auto& hp : plan.hosts) host_names.insert(hp.host);
  for (const auto& [host, nodes] : by_host) host_names.insert(host);
  const std::vector<std::string> hosts(host_names.begin(), host_names.end());
  std::vector<HostStatus> host_status(hosts.size());
  std::vector<std::vector<NodeStatus>> node_status(hosts.size());
  parallel_for(hosts.size(), options.parallel, [&](std::size_t i) {
    HostStatus& hs = host_status[i];
    hs.host = hosts[i];
    const HostPlan* hp = plan.find(hosts[i]);
    std::optional<TransportError> error = hp != nullptr ? hp->error : std::nullopt;
    Transport* t = nullptr;
    if (!error) {
      auto got = connections.get(hosts[i]);
      if (got) t = *got;
      else error = got.error();
    }
    if (error) {
      problem(hs.problems, StatusSeverity::error, "unreachable: " + error->message);
    } else {
      hs.reached = true;
      if (hp != nullptr)
        for (const auto& f : hp->files)
          if (f.change != FileChange::unchanged) hs.drift.push_back(f.path);
      if (!hs.drift.empty())
        problem(hs.problems, StatusSeverity::warning,
                fmt::format("{} from the render (deploy would change {})",
                            plural(hs.drift.size(), "file differs", "files differ"), quoted_list(hs.drift, 3)));
    }
    auto it = by_host.find(hosts[i]);
    if (it == by_host.end()) return;
    for (const Expected& e : it->second) {
      NodeStatus s;
      s.node = e.node->name.value;
      s.host = hosts[i];
      s.role = e.node->role.value;
      s.expected_peers = e.peers.size();
      if (t == nullptr) {
        problem(s.problems, StatusSeverity::error, "not asked: its host is unreachable");
      } else {
        ask_node(*t, topology, e, options, s);
        // The host's record of restarts a deploy held back or did not live to do.
        if (hp != nullptr) {
          auto pending = hp->pending.find(s.node);
          s.pending_restart = pending != hp->pending.end();
          if (*s.pending_restart)
            problem(s.problems, StatusSeverity::warning,
                    fmt::format("restart pending since {} (new files of {} are in place; the next deploy "
                                "restarts it)", pending->second.since, pending->second.by));
        }
      }
      node_status[i].push_back(std::move(s));
    }
  });

  for (auto& list : node_status)
    for (auto& s : list)
      if (s.height) report.best_height = std::max(report.best_height, *s.height);
  // File order, then problems first.
  std::map<std::string, NodeStatus> by_name;
  for (auto& list : node_status)
    for (auto& s : list) {
      judge(s, report.best_height, options);
      by_name.emplace(s.node, std::move(s));
    }
  for (const Node& node : topology.nodes) {
    auto it = by_name.find(node.name.value);
    if (it != by_name.end()) report.nodes.push_back(std::move(it->second));
  }
  std::stable_sort(report.nodes.begin(), report.nodes.end(),
                   [](const NodeStatus& a, const NodeStatus& b) { return rank(a.problems) < rank(b.problems); });
  report.hosts = std::move(host_status);
  return report;
}

std::string format_status_text(const StatusReport& report) {
  std::vector<std::vector<std::string>> rows = {{"NODE", "ROLE", "HOST", "HEIGHT", "LAG", "PEERS", "SIGNED", "SIGNER"}};
  for (const auto& s : report.nodes) {
    std::string sign = "-";
    if (s.signed_commits) sign = fmt::format("{}/{}", *s.signed_commits, s.commits_looked_at);
    std::string signer = "-";
    if (s.signer_connected) signer = *s.signer_connected ? "connected" : "NONE";
    rows.push_back({s.node, role_name(s.role), s.host, s.height ? std::to_string(*s.height) : "-",
                    s.reached ? std::to_string(s.lag) : "-",
                    s.reached ? fmt::format("{}/{}", s.peers, s.expected_peers) : "-", sign, signer});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (std::size_t c = 0; c < rows[i].size(); ++c)
      line += c + 1 == rows[i].size() ? rows[i][c] : fmt::format("{:<{}}  ", rows[i][c], width[c]);
    out += std::string(trim(line)) + "\n";
    if (i == 0) continue;
    for (const auto& p : report.nodes[i - 1].problems)
      out += fmt::format("  {}: {}\n", severity_word(p.severity), p.message);
  }
  for (const auto& h : report.hosts)
    for (const auto& p : h.problems) out += fmt::format("host {}: {}: {}\n", h.host, severity_word(p.severity), p.message);
  const std::size_t errors = report.count(StatusSeverity::error);
  const std::size_t warnings = report.count(StatusSeverity::warning);
  const std::string scope = fmt::format("{}, {}", plural(report.nodes.size(), "node", "nodes"),
                                        plural(report.hosts.size(), "host", "hosts"));
  if (report.ok())
    out += fmt::format("as designed: {} at height {}\n", scope, report.best_height);
  else
    out += fmt::format("{}: {}, {}\n", scope, plural(errors, "error", "errors"), plural(warnings, "warning", "warnings"));
  return out;
}

std::string format_status_json(const StatusReport& report) {
  const auto problems = [](const std::vector<StatusProblem>& list) {
    Json a = Json::array();
    for (const auto& p : list) a.push_back({{"severity", severity_word(p.severity)}, {"message", p.message}});
    return a;
  };
  Json nodes = Json::array();
  for (const auto& s : report.nodes) {
    Json unexpected = Json::array();
    for (const auto& p : s.unexpected) unexpected.push_back({{"id", p.id}, {"remote_ip", p.remote_ip}, {"moniker", p.moniker}});
    Json n = {{"node", s.node}, {"role", role_name(s.role)}, {"host", s.host}, {"reached", s.reached},
              {"height", s.height ? Json(*s.height) : Json()}, {"lag", s.reached ? Json(s.lag) : Json()},
              {"catching_up", s.catching_up}, {"peers", s.peers}, {"expected_peers", s.expected_peers},
              {"missing_peers", s.missing}, {"unexpected_peers", unexpected},
              {"signed_commits", s.signed_commits ? Json(*s.signed_commits) : Json()},
              {"commits_looked_at", s.commits_looked_at},
              {"signer_connected", s.signer_connected ? Json(*s.signer_connected) : Json()},
              {"pending_restart", s.pending_restart ? Json(*s.pending_restart) : Json()},
              {"problems", problems(s.problems)}};
    nodes.push_back(std::move(n));
  }
  Json hosts = Json::array();
  for (const auto& h : report.hosts)
    hosts.push_back({{"host", h.host}, {"reached", h.reached}, {"drift", h.drift}, {"problems", problems(h.problems)}});
  Json doc = {{"format_version", 1},
              {"ok", report.ok()},
              {"best_height", report.best_height},
              {"nodes", nodes},
              {"hosts", hosts},
              {"summary", {{"errors", report.count(StatusSeverity::error)}, {"warnings", report.count(StatusSeverity::warning)}}}};
  return doc.dump(2) + "\n";
}

}  // namespace picket
