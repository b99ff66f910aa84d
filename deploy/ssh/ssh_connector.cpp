// SshConnector: for a host reached through jump hosts, connect to the first jump host over
// TCP, open a tunnel (direct-tcpip + pump thread) to the next hop, run the next session over
// the tunnel's socket, and so on; every hop is verified and authenticated with its own
// inventory entry, exactly like `ssh -J`.

#include "deploy/ssh/ssh_connector.hpp"

#include <pwd.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <libssh2.h>

#include "deploy/ssh/ssh_auth.hpp"
#include "deploy/ssh/ssh_host_keys.hpp"
#include "deploy/ssh/ssh_session.hpp"
#include "deploy/ssh/ssh_transport.hpp"
#include "deploy/ssh/ssh_tunnel.hpp"

namespace picket {

namespace {

using Kind = TransportError::Kind;

std::once_flag g_init_once;

std::string endpoint(const Host& h) {
  const std::string& a = h.address.value;
  return fmt::format("{}:{}", a.find(':') != std::string::npos ? "[" + a + "]" : a, h.port.value);
}

std::string where(const Location& loc) {
  if (!loc.known()) return "";
  return fmt::format("{}:{}", loc.path(), loc.line);
}

// The hops to `host`, first jump host first, `host` last.
Result<std::vector<const Host*>> route(const Host& host, const Inventory& inventory) {
  std::vector<const Host*> hops{&host};
  std::set<std::string> seen{host.name.value};
  const Host* h = &host;
  while (h->jump) {
    const std::string& next = h->jump->value;
    const Host* j = inventory.find_host(next);
    if (j == nullptr)
      return tl::unexpected(TransportError{
          Kind::failed, fmt::format("{}: jump host {} is not in the inventory", h->name.value, next)});
    if (!seen.insert(next).second) {
      std::string chain;
      for (auto it = hops.begin(); it != hops.end(); ++it) chain += (*it)->name.value + " -> ";
      return tl::unexpected(TransportError{
          Kind::failed, fmt::format("{}: jump hosts form a loop: {}{}", host.name.value, chain, next)});
    }
    hops.push_back(j);
    h = j;
  }
  return std::vector<const Host*>(hops.rbegin(), hops.rend());
}

std::string default_user() {
  // The account picket runs as, like ssh without `-l`.
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* out = nullptr;
  if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &out) == 0 && out != nullptr)
    return out->pw_name;
  return "root";
}

// Handshake, host key, authentication on a fresh session.
Result<void> establish(SshSession& s, const Host& h, const ConnectOptions& options) {
  HostKeyPolicy policy;
  policy.host = h.name.value;
  policy.address = h.address.value;
  policy.port = h.port.value;
  if (h.host_key) {
    policy.pinned = h.host_key->value;
    policy.pinned_where = where(h.host_key->loc);
  }
  policy.known_hosts = expand_home(options.known_hosts.empty() ? "~/.ssh/known_hosts" : options.known_hosts);
  policy.accept_new = options.accept_new;
  policy.on_recorded = options.on_recorded_key;

  if (auto p = prefer_known_host_key_types(s, policy); !p) return p;
  const int rc = s.retry([&] { return libssh2_session_handshake(s.raw(), s.fd()); });
  if (rc != 0) {
    if (rc == LIBSSH2_ERROR_KEX_FAILURE || rc == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED) {
      // We offered only the key types we know for this host; it has none of them now.
      return tl::unexpected(TransportError{
          Kind::host_key_changed,
          fmt::format("host key of {} ({}) CHANGED: it offers none of the key types {} lists "
                      "for it: refusing; if the host was reinstalled, remove its line from {}",
                      h.name.value, endpoint(h), policy.pinned ? "the inventory" : policy.known_hosts,
                      policy.pinned ? "host_key" : policy.known_hosts)});
    }
    return tl::unexpected(s.error(rc, "SSH handshake"));
  }
  if (auto v = verify_host_key(s, policy); !v) return v;
  const std::string user = h.user ? h.user->value : default_user();
  std::optional<std::string> identity;
  if (h.identity) identity = h.identity->value;
  return authenticate(s, user, identity, options.passphrase);
}

}  // namespace

void ssh_global_init() {
  std::call_once(g_init_once, [] { libssh2_init(0); });
}

void ssh_global_cleanup() { libssh2_exit(); }

SshConnector::SshConnector() { ssh_global_init(); }

Result<std::unique_ptr<Transport>> SshConnector::connect(const Host& host, const Inventory& inventory,
                                                         const ConnectOptions& options) {
  auto hops = route(host, inventory);
  if (!hops) return tl::unexpected(hops.error());

  std::vector<std::unique_ptr<SshTunnel>> tunnels;
  std::unique_ptr<SshSession> session;
  const Host* prev = nullptr;
  for (const Host* h : *hops) {
    const std::string label = prev == nullptr
                                  ? fmt::format("{} ({})", h->name.value, endpoint(*h))
                                  : fmt::format("{} ({} via {})", h->name.value, endpoint(*h), prev->name.value);
    Result<std::unique_ptr<SshSession>> next;
    if (session == nullptr) {
      next = SshSession::over_tcp(label, h->address.value, h->port.value, options.timeout);
    } else {
      auto tunnel = SshTunnel::open(std::move(session), h->address.value, h->port.value, label);
      if (!tunnel) return tl::unexpected(tunnel.error());
      next = SshSession::over_fd(label, (*tunnel)->release_fd(), options.timeout);
      tunnels.push_back(std::move(*tunnel));
    }
    auto ready = next ? establish(**next, *h, options) : Result<void>(tl::unexpected(next.error()));
    if (!ready) {
      TransportError e = ready.error();
      if (h != &host) e.message += fmt::format(" (jump host for {})", host.name.value);
      // Unwind in order: this session, then the tunnels, last hop first.
      if (next) next->reset();
      while (!tunnels.empty()) tunnels.pop_back();
      return tl::unexpected(e);
    }
    session = std::move(*next);
    prev = h;
  }
  SshHostInfo info;
  info.name = host.name.value;
  info.user = host.user ? host.user->value : default_user();
  if (host.become) info.become = host.become->value;
  return std::unique_ptr<Transport>(
      std::make_unique<SshTransport>(std::move(session), std::move(tunnels), std::move(info)));
}

}  // namespace picket
