#pragma once
// Shared by the host-file tests: a small network built in C++ (two hosts on vpn, a private
// link, a partner over vpn, a remote signer, an IPv6 public sentry), fixed keys, golden files
// (UPDATE_GOLDEN=1 rewrites them) and a runner for the real checkers (nft, wg, promtool).

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "render/render.hpp"

namespace picket::test {

struct Network {
  Topology topology;
  Inventory inventory;
  Secrets secrets;
};

inline std::shared_ptr<const std::string> topology_file() {
  static auto f = std::make_shared<const std::string>("topology.yaml");
  return f;
}
inline std::shared_ptr<const std::string> inventory_file() {
  static auto f = std::make_shared<const std::string>("inventory.yaml");
  return f;
}

template <class T>
Located<T> at(T value, std::uint32_t line, bool inventory = false) {
  return {std::move(value), {inventory ? inventory_file() : topology_file(), line, 5}};
}

inline Node make_node(const std::string& name, Role role, const std::string& host, std::uint32_t line) {
  Node n;
  n.name = at(name, line);
  n.role = at(role, line);
  n.host = at(host, line);
  return n;
}

inline Host make_host(const std::string& name, const std::string& address, std::uint32_t line) {
  Host h;
  h.name = at(name, line, true);
  h.address = at(address, line, true);
  h.user = at(std::string("cosmos"), 1, true);
  h.home = at(std::string("/home/cosmos/.gaia"), 1, true);
  h.datacenter = at("dc-" + name, line, true);
  h.region = at(std::string("eu-west"), line, true);
  h.provider = at(std::string("acme"), line, true);
  return h;
}

inline Link make_link(const std::string& a, const std::string& b, LinkKind over, std::uint32_t line) {
  Link l;
  l.a = at(a, line);
  l.b = at(b, line);
  l.over = at(over, line);
  l.loc = {topology_file(), line, 3};
  return l;
}

/// A fixed, distinct private key per host (key material is not what these tests are about).
inline Bytes32 fixed_key(std::uint8_t seed) {
  Bytes32 k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed * 31 + i * 7 + 1);
  return k;
}

/// True once the keys work has landed (the stub's base64_key returns "").
inline bool keys_available() { return !base64_key(fixed_key(1)).empty(); }

/// The golden network:
///   validator(val-1) --vpn-- sentry-a(sen-a) --vpn-- public-a(pub-a, IPv6)
///   validator(val-1) --private-- sentry-b(sen-b) --private-- public-a
///   kms(kms-1) signs for validator and, the validator's host being on the tunnel, joins it;
///   partner certus over vpn with sentry-a; partner dorado over public with sentry-b.
inline Network small_network() {
  Network net;
  Topology& t = net.topology;
  t.path = topology_file();
  t.version = at(1, 1);
  t.chain.id = at(std::string("cosmoshub-4"), 3);
  t.chain.cometbft = at(std::string("0.38"), 4);
  t.nodes_loc = {topology_file(), 6, 1};
  Node validator = make_node("validator", Role::validator, "val-1", 7);
  validator.signer = at(std::string("kms"), 7);
  t.nodes.push_back(validator);
  t.nodes.push_back(make_node("kms", Role::signer, "kms-1", 8));
  t.nodes.push_back(make_node("sentry-a", Role::private_sentry, "sen-a", 9));
  t.nodes.push_back(make_node("sentry-b", Role::private_sentry, "sen-b", 10));
  t.nodes.push_back(make_node("public-a", Role::public_sentry, "pub-a", 11));
  t.links.push_back(make_link("validator", "sentry-a", LinkKind::vpn, 13));
  t.links.push_back(make_link("validator", "sentry-b", LinkKind::private_net, 14));
  t.links.push_back(make_link("sentry-a", "public-a", LinkKind::vpn, 15));
  t.links.push_back(make_link("sentry-b", "public-a", LinkKind::private_net, 16));

  Partner certus;
  certus.name = at(std::string("certus"), 18);
  certus.peers.push_back({at(std::string("2b3d5f7a9c1e4b6d8f0a2c4e6a8b0d2f4a6c8e0b"), 20),
                          at(std::string("10.44.0.200:26656"), 20), {topology_file(), 20, 9}});
  certus.with.push_back(at(std::string("sentry-a"), 21));
  certus.over = at(LinkKind::vpn, 22);
  certus.wireguard = PartnerWireguard{at(std::string("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="), 24),
                                      at(std::string("198.51.100.77:51820"), 25)};
  t.partners.push_back(certus);
  Partner dorado;
  dorado.name = at(std::string("dorado"), 26);
  dorado.peers.push_back({at(std::string("7c9e1a3b5d7f9b1d3f5a7c9e1b3d5f7a9c1e3b5d"), 28),
                          at(std::string("203.0.113.8:26656"), 28), {topology_file(), 28, 9}});
  dorado.with.push_back(at(std::string("sentry-b"), 29));
  t.partners.push_back(dorado);

  Vpn vpn;
  vpn.subnet = at(std::string("10.44.0.0/24"), 31);
  vpn.port = at(51820, 32);
  t.vpn = vpn;
  t.index_nodes();

  Inventory& inv = net.inventory;
  inv.path = inventory_file();
  inv.hosts.push_back(make_host("val-1", "198.51.100.10", 3));
  inv.hosts.push_back(make_host("kms-1", "198.51.100.11", 4));
  inv.hosts.push_back(make_host("sen-a", "198.51.100.20", 5));
  inv.hosts.push_back(make_host("sen-b", "198.51.100.21", 6));
  inv.hosts.push_back(make_host("pub-a", "2001:db8::30", 7));
  inv.index_hosts();

  std::uint8_t seed = 1;
  for (const auto& h : inv.hosts) net.secrets.wireguard[h.name.value] = wireguard_key_from_private(fixed_key(seed++));
  return net;
}

using Part = void (*)(const RenderContext&, FileSet&, Diagnostics&);

/// Runs one renderer on the network (tunnels planned as render_all plans them).
inline FileSet render_part(const Network& net, Part part, Diagnostics& out) {
  RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(),
                    plan_tunnels(net.topology, net.inventory, out)};
  FileSet files;
  part(ctx, files, out);
  sort_files(files);
  return files;
}

/// Every file with its metadata, as one text: what the goldens hold.
inline std::string dump(const FileSet& files) {
  std::ostringstream s;
  for (const auto& f : files) {
    s << "==== host=" << (f.host.empty() ? "(local)" : f.host) << " path=" << f.path << " mode=0"
      << std::oct << f.mode << std::dec << " node=" << f.node << " secret=" << f.secret
      << " action=" << apply_action_name(f.action) << "\n"
      << f.content;
  }
  return s.str();
}

/// Diagnostics as "rule severity file:line subjects: message" lines.
inline std::string dump(const Diagnostics& diags) {
  std::string s;
  for (const auto& d : diags) {
    s += d.rule + " " + severity_name(d.severity) + " " + d.location.path() + ":" +
         std::to_string(d.location.line);
    for (const auto& subject : d.subjects) s += " " + subject;
    s += ": " + d.message + "\n";
  }
  return s;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

/// Compares `actual` with tests/unit/render/golden/hostfiles/<name>; UPDATE_GOLDEN=1 rewrites.
inline void expect_golden(const std::string& name, const std::string& actual) {
  const std::filesystem::path path =
      std::filesystem::path(PICKET_SOURCE_DIR) / "tests/unit/render/golden/hostfiles" / name;
  const char* update = std::getenv("UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    write_text(path, actual);
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing: run with UPDATE_GOLDEN=1";
  EXPECT_EQ(read_text(path), actual) << "golden " << name << " differs (UPDATE_GOLDEN=1 rewrites it)";
}

/// A fresh temporary directory, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "picket-hostfiles-XXXXXX").string();
    m_path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

struct CommandResult {
  int status = -1;  // exit code; -1 when it did not exit normally
  std::string output;  // stdout and stderr together
};

/// Runs `command` through the shell, capturing its output.
inline CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// True when `tool` is on PATH.
inline bool have_tool(const std::string& tool) {
  return run("command -v " + tool + " >/dev/null").status == 0;
}

/// How many times `needle` occurs in `text`.
inline std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

/// The files of `files` at `path` (any host).
inline std::vector<const RenderedFile*> with_path(const FileSet& files, const std::string& path) {
  std::vector<const RenderedFile*> out;
  for (const auto& f : files)
    if (f.path == path) out.push_back(&f);
  return out;
}

/// The file for `host` at `path`, or nullptr.
inline const RenderedFile* find_file(const FileSet& files, const std::string& host, const std::string& path) {
  for (const auto& f : files)
    if (f.host == host && f.path == path) return &f;
  return nullptr;
}

}  // namespace picket::test
