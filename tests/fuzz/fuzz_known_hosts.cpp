// Fuzz target: how picket reads host keys before connecting (deploy/ssh/ssh_host_keys.cpp):
// the inventory's pinned `host_key` value and the known_hosts file, through libssh2's
// known_hosts parser (libssh2_knownhost_readfile, then a lookup per key type for the host's
// name), exactly as host_key_algorithms does it for a real connection.
// Input: the first line is the pinned host_key value, the rest is the known_hosts file. An
// error saying the file or the key is malformed is fine; a crash, a sanitizer report, an
// uncaught exception or a hang is a bug.

#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "deploy/ssh/ssh_host_keys.hpp"
#include "deploy/ssh/ssh_session.hpp"

namespace {

// One session for every input: it only carries libssh2's known_hosts parser and never talks
// to the other end of its socket pair. Kept until exit.
picket::SshSession& session() {
  static picket::SshSession* s = [] {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
    auto made = picket::SshSession::over_fd("fuzz", fds[0], std::chrono::milliseconds(100));
    if (!made) std::abort();
    return made->release();
  }();
  return *s;
}

// The known_hosts file: a memory file, read by libssh2 through /proc/self/fd/N.
const std::string& known_hosts_path(int& fd) {
  static int file = ::memfd_create("known_hosts", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(file);
  if (file < 0) std::abort();
  fd = file;
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string pinned = input.substr(0, newline);
  const std::string file = newline == std::string::npos ? "" : input.substr(newline + 1);

  int fd = -1;
  const std::string& path = known_hosts_path(fd);
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, file.data(), file.size(), 0) != static_cast<ssize_t>(file.size()))
    std::abort();

  picket::HostKeyPolicy policy;
  policy.host = "fuzz-1";
  policy.address = "192.0.2.10";
  policy.known_hosts = path;
  policy.pinned = pinned;
  policy.pinned_where = "inventory.yaml:3";
  (void)picket::host_key_algorithms(session(), policy);

  policy.pinned.reset();
  for (int port : {22, 2222}) {
    policy.port = port;
    (void)picket::host_key_algorithms(session(), policy);
  }
  policy.address = "2001:db8::10";
  (void)picket::host_key_algorithms(session(), policy);
  return 0;
}
