#include "cli/handoff_records.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "cli/output_dir.hpp"

namespace picket::cli {

namespace fs = std::filesystem;

namespace {
std::string record_path(const std::string& dir, const std::string& partner) {
  return (fs::path(dir) / (partner + ".txt")).string();
}
}  // namespace

std::vector<PartnerUpdate> partner_updates(const std::vector<Handoff>& handoffs, const std::string& dir) {
  std::vector<PartnerUpdate> updates;
  for (const Handoff& h : handoffs) {
    const std::string now = format_handoff_text(h);
    std::ifstream in(record_path(dir, h.partner), std::ios::binary);
    if (!in) {
      updates.push_back({h.partner, true, {}});
      continue;
    }
    std::ostringstream before;
    before << in.rdbuf();
    auto changes = handoff_changes(before.str(), now);
    if (!changes.empty()) updates.push_back({h.partner, false, std::move(changes)});
  }
  return updates;
}

std::string format_partner_updates(const std::vector<PartnerUpdate>& updates, const std::string& topology_path) {
  std::string out;
  for (const PartnerUpdate& u : updates) {
    if (u.first) {
      out += "partner " + u.partner + ": no handoff recorded yet (deploy records it); send them `picket partner " +
             topology_path + " " + u.partner + "`\n";
      continue;
    }
    out += "partner " + u.partner + " must update its side: what we hand it changed since the last deploy\n";
    for (const std::string& c : u.changes) out += "  " + c + "\n";
    out += "  (send them `picket partner " + topology_path + " " + u.partner + "`)\n";
  }
  return out;
}

std::string with_partner_updates(const std::string& plan_json, const std::vector<PartnerUpdate>& updates) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(plan_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return plan_json;  // ours, so never; kept whole
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const PartnerUpdate& u : updates)
    list.push_back({{"partner", u.partner}, {"first", u.first}, {"changes", u.changes}});
  doc["partner_updates"] = std::move(list);
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

tl::expected<void, std::string> record_handoffs(const std::vector<Handoff>& handoffs, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return tl::make_unexpected("cannot create " + dir + ": " + ec.message());
  for (const Handoff& h : handoffs)
    if (auto written = write_file_atomic(record_path(dir, h.partner), format_handoff_text(h), 0644); !written)
      return written;
  return {};
}

}  // namespace picket::cli
