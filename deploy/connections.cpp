#include "deploy/connections.hpp"

namespace picket {

Connections::Connections(Connector& connector, const Inventory& inventory, ConnectOptions options)
    : m_connector(connector), m_inventory(inventory), m_options(std::move(options)) {}

Result<Transport*> Connections::get(const std::string& host) {
  {
    std::lock_guard<std::mutex> guard(m_mutex);
    auto it = m_open.find(host);
    if (it != m_open.end()) return it->second.get();
  }
  // Connect outside the lock: handshakes with many hosts run in parallel.
  auto opened = fresh(host);
  if (!opened) return tl::make_unexpected(opened.error());
  std::lock_guard<std::mutex> guard(m_mutex);
  auto& slot = m_open[host];
  slot = std::move(*opened);
  return slot.get();
}

Result<std::unique_ptr<Transport>> Connections::fresh(const std::string& host) {
  const Host* h = m_inventory.find_host(host);
  if (h == nullptr)
    return tl::make_unexpected(
        TransportError{TransportError::Kind::not_found, host + ": not in the inventory"});
  return m_connector.connect(*h, m_inventory, m_options);
}

Transport* Connections::adopt(const std::string& host, std::unique_ptr<Transport> transport) {
  std::lock_guard<std::mutex> guard(m_mutex);
  auto& slot = m_open[host];
  slot = std::move(transport);
  return slot.get();
}

void Connections::drop(const std::string& host) {
  std::lock_guard<std::mutex> guard(m_mutex);
  m_open.erase(host);
}

}  // namespace picket
