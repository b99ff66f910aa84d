#pragma once
// The open connections of one plan or deploy run, one per host, opened on first use and
// reused from plan to deploy. Each Transport is used by one thread at a time: the callers
// give every host to exactly one worker.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "deploy/connector.hpp"

namespace picket {

class Connections {
 public:
  Connections(Connector& connector, const Inventory& inventory, ConnectOptions options);

  /// The host's connection, connecting on first use. Thread-safe across hosts; a failed
  /// connect is not cached (the next call tries again).
  Result<Transport*> get(const std::string& host);
  /// A new, separate connection (the firewall guard proves the host still lets us in).
  Result<std::unique_ptr<Transport>> fresh(const std::string& host);
  /// Makes `transport` the host's connection from now on (the old one is closed).
  Transport* adopt(const std::string& host, std::unique_ptr<Transport> transport);
  /// Drops the cached connection of a host (after it broke).
  void drop(const std::string& host);

  /// The inventory the hosts are looked up in.
  const Inventory& inventory() const { return m_inventory; }

 private:
  Connector& m_connector;
  const Inventory& m_inventory;
  ConnectOptions m_options;
  std::mutex m_mutex;
  std::map<std::string, std::unique_ptr<Transport>> m_open;
};

}  // namespace picket
