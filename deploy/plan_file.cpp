#include "deploy/plan_file.hpp"

#include <map>
#include <set>

#include <nlohmann/json.hpp>

namespace picket {

namespace {
using Json = nlohmann::json;

constexpr const char* k_kind = "picket-plan";

std::optional<ApplyAction> parse_action(const std::string& s) {
  for (ApplyAction a : {ApplyAction::restart_node, ApplyAction::reload_vpn,
                        ApplyAction::reload_firewall, ApplyAction::restart_signer, ApplyAction::reload_monitoring,
                        ApplyAction::reload_units, ApplyAction::none})
    if (s == apply_action_name(a)) return a;
  return std::nullopt;
}

std::optional<FileChange> parse_change(const std::string& s) {
  for (FileChange c : {FileChange::create, FileChange::change, FileChange::unchanged})
    if (s == file_change_name(c)) return c;
  return std::nullopt;
}

// Permission bits only, as save_plan writes them (a larger value would not survive a save).
std::optional<std::uint32_t> parse_mode(const Json& j) {
  if (!j.is_string()) return std::nullopt;
  const std::string& s = j.get_ref<const std::string&>();
  if (s.empty() || s.size() > 6 || s.find_first_not_of("01234567") != std::string::npos)
    return std::nullopt;
  const auto mode = std::stoul(s, nullptr, 8);
  if (mode > 07777) return std::nullopt;
  return static_cast<std::uint32_t>(mode);
}

// A member of an object, null when absent. Unlike Json::value(key, default) it never throws
// when the member has another type than the default (a hand-edited plan file).
const Json& member(const Json& object, const char* key) {
  static const Json absent;
  const auto it = object.find(key);
  return it == object.end() ? absent : *it;
}

std::string string_or_empty(const Json& j) { return j.is_string() ? j.get<std::string>() : ""; }

std::string describe(const std::string& host, const std::string& path) {
  return host + ": " + path;
}
}  // namespace

nlohmann::ordered_json planned_file_json(const PlannedFile& f) {
  nlohmann::ordered_json file;
  file["path"] = f.path;
  file["remote_path"] = f.remote_path;
  file["node"] = f.node;
  file["action"] = apply_action_name(f.action);
  file["secret"] = f.secret;
  file["change"] = file_change_name(f.change);
  file["mode"] = octal_mode(f.mode);
  file["old_mode"] =
      f.old_mode ? nlohmann::ordered_json(octal_mode(*f.old_mode)) : nlohmann::ordered_json();
  file["sha256"] = f.sha256;
  file["old_sha256"] =
      f.old_sha256.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(f.old_sha256);
  return file;
}

tl::expected<PlannedFile, std::string> planned_file_from_json(const Json& f, const std::string& host) {
  if (!f.is_object()) return tl::make_unexpected(host + ": a file entry is not an object");
  PlannedFile p;
  p.path = string_or_empty(member(f, "path"));
  p.remote_path = string_or_empty(member(f, "remote_path"));
  p.node = string_or_empty(member(f, "node"));
  p.sha256 = string_or_empty(member(f, "sha256"));
  p.old_sha256 = string_or_empty(member(f, "old_sha256"));
  auto action = parse_action(string_or_empty(member(f, "action")));
  auto change = parse_change(string_or_empty(member(f, "change")));
  auto mode = parse_mode(member(f, "mode"));
  if (p.path.empty() || p.sha256.empty() || !action || !change || !mode)
    return tl::make_unexpected(host + ": a file entry lacks path, sha256, action, change or mode");
  const Json& secret = member(f, "secret");
  if (!secret.is_null() && !secret.is_boolean())
    return tl::make_unexpected(host + ": " + p.path + ": `secret` is not true or false");
  p.secret = secret.is_boolean() && secret.get<bool>();
  p.action = *action;
  p.change = *change;
  p.mode = *mode;
  if (f.contains("old_mode") && !f["old_mode"].is_null()) {
    auto old = parse_mode(f["old_mode"]);
    if (!old) return tl::make_unexpected(host + ": " + p.path + ": bad old_mode");
    p.old_mode = old;
  }
  return p;
}

std::string save_plan(const Plan& plan) {
  nlohmann::ordered_json doc;
  doc["format_version"] = 1;
  doc["kind"] = k_kind;
  doc["hosts"] = nlohmann::ordered_json::array();
  for (const HostPlan& h : plan.hosts) {
    nlohmann::ordered_json host;
    host["host"] = h.host;
    host["files"] = nlohmann::ordered_json::array();
    for (const PlannedFile& f : h.files) host["files"].push_back(planned_file_json(f));
    host["restart"] = h.restart;
    doc["hosts"].push_back(std::move(host));
  }
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

tl::expected<Plan, std::string> read_plan(const std::string& text) {
  const Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return tl::make_unexpected("not a JSON object");
  if (string_or_empty(member(doc, "kind")) != k_kind) return tl::make_unexpected("not a picket plan file");
  if (!doc.contains("format_version") || doc["format_version"] != 1)
    return tl::make_unexpected("unsupported format_version (this picket reads 1)");
  if (!doc.contains("hosts") || !doc["hosts"].is_array())
    return tl::make_unexpected("`hosts` is missing or not a list");
  Plan plan;
  for (const Json& h : doc["hosts"]) {
    if (!h.is_object() || !h.contains("host") || !h["host"].is_string() ||
        !h.contains("files") || !h["files"].is_array())
      return tl::make_unexpected("a host entry lacks `host` or `files`");
    HostPlan hp;
    hp.host = h["host"].get<std::string>();
    for (const Json& f : h["files"]) {
      auto p = planned_file_from_json(f, hp.host);
      if (!p) return tl::make_unexpected(p.error());
      hp.files.push_back(std::move(*p));
    }
    if (h.contains("restart") && h["restart"].is_array())
      for (const Json& n : h["restart"])
        if (n.is_string()) hp.restart.push_back(n.get<std::string>());
    plan.hosts.push_back(std::move(hp));
  }
  return plan;
}

std::vector<std::string> plan_differences(const Plan& saved, const Plan& current) {
  std::map<std::pair<std::string, std::string>, const PlannedFile*> before, after;
  for (const HostPlan& h : saved.hosts)
    for (const PlannedFile& f : h.files) before[{h.host, f.path}] = &f;
  for (const HostPlan& h : current.hosts)
    for (const PlannedFile& f : h.files) after[{h.host, f.path}] = &f;

  std::vector<std::string> out;
  for (const auto& [key, f] : before)
    if (!after.count(key)) out.push_back(describe(key.first, key.second) + ": no longer rendered");
  for (const auto& [key, f] : after) {
    auto it = before.find(key);
    if (it == before.end()) {
      out.push_back(describe(key.first, key.second) + ": rendered now, not in the saved plan");
      continue;
    }
    const PlannedFile& was = *it->second;
    if (was.sha256 != f->sha256 || was.mode != f->mode)
      out.push_back(describe(key.first, key.second) + ": rendered differently than in the saved plan");
    if (was.old_sha256 != f->old_sha256 || was.old_mode != f->old_mode)
      out.push_back(describe(key.first, key.second) + ": changed on the host since the plan");
  }
  return out;
}

}  // namespace picket
