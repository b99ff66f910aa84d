#include "deploy/pending.hpp"

#include <nlohmann/json.hpp>

namespace picket {

std::string format_pending(const PendingRestarts& pending) {
  nlohmann::ordered_json restart = nlohmann::ordered_json::object();
  for (const auto& [node, p] : pending) restart[node] = {{"since", p.since}, {"by", p.by}};
  nlohmann::ordered_json doc;
  doc["restart"] = std::move(restart);
  return doc.dump() + "\n";
}

std::optional<PendingRestarts> parse_pending(const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  PendingRestarts out;
  auto it = doc.find("restart");
  if (it == doc.end()) return out;
  if (!it->is_object()) return std::nullopt;
  for (const auto& [node, entry] : it->items()) {
    if (!entry.is_object()) return std::nullopt;
    PendingRestart p;
    if (auto s = entry.find("since"); s != entry.end() && s->is_string()) p.since = s->get<std::string>();
    if (auto b = entry.find("by"); b != entry.end() && b->is_string()) p.by = b->get<std::string>();
    out[node] = std::move(p);
  }
  return out;
}

}  // namespace picket
