#include "render/manifest.hpp"

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "topology/effective.hpp"

namespace picket {

std::string sha256_hex(const std::string& text) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  std::string hex(digest.size() * 2, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, digest.data(), digest.size());
  return hex;
}

namespace {
std::string restart_service(const RenderedFile& f, const Inventory& inventory) {
  const Host* host = inventory.find_host(f.host);
  if (host == nullptr) return {};
  switch (f.action) {
    case ApplyAction::restart_node:
      if (host->restart) return host->restart->value;
      return host->service ? host->service->value : std::string();
    case ApplyAction::restart_signer:
      // tmkms writes tmkms.toml, a horcrux cosigner config.yaml (render/signer.cpp).
      return host->signer_restart ? host->signer_restart->value
                                  : signer_service(*host, f.path.size() >= 12 &&
                                                              f.path.compare(f.path.size() - 12, 12, "/config.yaml") == 0);
    case ApplyAction::reload_vpn: return host->reload_vpn ? host->reload_vpn->value : std::string();
    case ApplyAction::reload_firewall:
      return host->reload_firewall ? host->reload_firewall->value : std::string();
    case ApplyAction::reload_monitoring:
      return host->reload_monitoring ? host->reload_monitoring->value : std::string();
    case ApplyAction::reload_units:
      return host->reload_units ? host->reload_units->value : std::string();
    case ApplyAction::none: return {};
  }
  return {};
}

std::string octal_mode(std::uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}
}  // namespace

std::string manifest_json(const FileSet& files, const Inventory& inventory) {
  nlohmann::ordered_json doc;
  doc["format_version"] = 1;
  doc["files"] = nlohmann::ordered_json::array();
  for (const auto& f : files) {
    nlohmann::ordered_json entry;
    entry["host"] = f.host;
    entry["path"] = f.path;
    entry["mode"] = octal_mode(f.mode);
    entry["sha256"] = sha256_hex(f.content);
    entry["node"] = f.node;
    entry["secret"] = f.secret;
    entry["action"] = apply_action_name(f.action);
    entry["service"] = restart_service(f, inventory);
    doc["files"].push_back(std::move(entry));
  }
  return doc.dump(2) + "\n";
}

}  // namespace picket
