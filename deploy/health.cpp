// Health gate. Each attempt runs the cheapest, most telling probe first (is the service
// running at all), then asks CometBFT itself. A transport error counts as "not yet": a node
// that is still starting refuses its RPC port for a while.

#include "deploy/health.hpp"

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "util/text.hpp"

namespace picket {

namespace {
using Json = nlohmann::json;

// CometBFT wraps answers in JSON-RPC: {"jsonrpc":"2.0","id":-1,"result":{…}}.
const Json* result_of(const Json& doc) {
  if (!doc.is_object()) return nullptr;
  auto it = doc.find("result");
  if (it == doc.end() || !it->is_object()) return nullptr;
  return &*it;
}
}  // namespace

std::string judge_status(const std::string& body) {
  const Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return "/status: not JSON";
  const Json* result = result_of(doc);
  if (result == nullptr) return "/status: no result";
  auto sync = result->find("sync_info");
  if (sync == result->end() || !sync->is_object()) return "/status: no sync_info";
  auto catching_up = sync->find("catching_up");
  if (catching_up == sync->end() || !catching_up->is_boolean())
    return "/status: no sync_info.catching_up";
  return catching_up->get<bool>() ? "/status: catching up" : "";
}

std::optional<std::vector<std::string>> connected_peer_ids(const std::string& body) {
  const Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::nullopt;
  const Json* result = result_of(doc);
  if (result == nullptr) return std::nullopt;
  std::vector<std::string> ids;
  auto peers = result->find("peers");
  if (peers == result->end() || !peers->is_array()) return ids;
  for (const Json& p : *peers) {
    if (!p.is_object()) continue;
    auto info = p.find("node_info");
    if (info == p.end() || !info->is_object()) continue;
    auto id = info->find("id");
    if (id != info->end() && id->is_string()) ids.push_back(lower(id->get<std::string>()));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string judge_net_info(const std::string& body, const std::vector<OwnPeer>& expected) {
  const Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return "/net_info: not JSON";
  const Json* result = result_of(doc);
  if (result == nullptr) return "/net_info: no result";
  auto it = result->find("n_peers");
  if (it == result->end()) return "/net_info: no n_peers";
  long long peers = -1;
  // CometBFT encodes integers as strings ("n_peers": "3"); accept a number too.
  if (it->is_number_integer()) {
    peers = it->get<long long>();
  } else if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
      return "/net_info: n_peers is not a count";
    peers = std::stoll(s);
  } else {
    return "/net_info: n_peers is not a count";
  }
  if (peers < 1) return "/net_info: no peers";
  if (expected.empty()) return "";
  const auto ids = connected_peer_ids(body).value_or(std::vector<std::string>{});
  std::vector<std::string> missing;
  for (const OwnPeer& p : expected)
    if (!std::binary_search(ids.begin(), ids.end(), lower(p.id))) missing.push_back(p.name);
  if (missing.empty()) return "";
  return "/net_info: not yet connected again to " + join(missing);
}

HealthResult check_once(Transport& transport, const HealthTarget& target) {
  HealthResult r;
  r.attempts = 1;
  if (target.check) {
    auto ran = transport.exec(*target.check, target.check_as_root);
    if (!ran) {
      r.reason = "check command: " + ran.error().message;
      return r;
    }
    if (!ran->ok()) {
      r.reason = ran->signal.empty()
                     ? "check command exited " + std::to_string(ran->exit_code)
                     : "check command killed by " + ran->signal;
      return r;
    }
  }
  if (target.rpc_port) {
    auto status = transport.http_get(*target.rpc_port, "/status");
    if (!status) {
      r.reason = "/status: " + status.error().message;
      return r;
    }
    if (std::string why = judge_status(*status); !why.empty()) {
      r.reason = why;
      return r;
    }
    auto net = transport.http_get(*target.rpc_port, "/net_info");
    if (!net) {
      r.reason = "/net_info: " + net.error().message;
      return r;
    }
    if (std::string why = judge_net_info(*net, target.peers); !why.empty()) {
      r.reason = why;
      return r;
    }
  }
  r.healthy = true;
  return r;
}

HealthResult wait_healthy(Transport& transport, const HealthTarget& target,
                          const HealthOptions& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  int attempts = 0;
  auto wait = std::min(options.interval, k_health_first_wait);
  for (;;) {
    HealthResult r = check_once(transport, target);
    r.attempts = ++attempts;
    const auto now = std::chrono::steady_clock::now();
    if (r.healthy || now >= deadline) return r;
    // Poll fast while a node is likely just starting, then back off; the last wait ends at
    // the deadline so the final attempt is not made late.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    const auto pause = std::max(std::chrono::milliseconds(0), std::min(wait, left));
    if (options.sleep)
      options.sleep(pause);
    else
      std::this_thread::sleep_for(pause);
    wait = std::min(options.interval, wait * 2);
  }
}

}  // namespace picket
