#include "topology/address.hpp"
// Hand-written scanners for the simple forms (dotted quads, DNS labels, CIDR) so the
// messages can be exact; IPv6 text forms are left to inet_pton, which knows all of them.

#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "util/base64.hpp"

namespace picket {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Parses a decimal number of 1..max_digits digits without leading zeros into `value`.
bool parse_number(std::string_view s, std::size_t max_digits, std::uint32_t& value) {
  if (s.empty() || s.size() > max_digits || (s.size() > 1 && s[0] == '0')) return false;
  value = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return true;
}

bool parse_ipv4(std::string_view s, std::uint32_t& address) {
  address = 0;
  for (int part = 0; part < 4; ++part) {
    const std::size_t dot = part < 3 ? s.find('.') : s.size();
    if (dot == std::string_view::npos) return false;
    std::uint32_t octet = 0;
    if (!parse_number(s.substr(0, dot), 3, octet) || octet > 255) return false;
    address = address << 8 | octet;
    s = part < 3 ? s.substr(dot + 1) : std::string_view{};
  }
  return true;
}

}  // namespace

bool is_ipv4(std::string_view s) {
  std::uint32_t address = 0;
  return parse_ipv4(s, address);
}

std::optional<std::uint32_t> ipv4_value(std::string_view s) {
  std::uint32_t address = 0;
  if (!parse_ipv4(s, address)) return std::nullopt;
  return address;
}

bool is_ipv6(std::string_view s) {
  if (s.empty() || s.size() > 45 || s.find(':') == std::string_view::npos) return false;
  const std::string text(s);  // inet_pton needs a terminated string
  std::array<unsigned char, 16> buffer{};
  return inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

bool is_cometbft_routable(std::string_view s) {
  std::uint32_t v4 = 0;
  if (parse_ipv4(s, v4)) {
    const auto in = [v4](std::uint32_t net, int prefix) {
      return (v4 >> (32 - prefix)) == (net >> (32 - prefix));
    };
    if (v4 == 0xFFFFFFFFu) return false;                                    // broadcast: invalid
    return !(in(0x0A000000u, 8) || in(0xC0A80000u, 16) || in(0xAC100000u, 12) ||  // RFC 1918
             in(0xA9FE0000u, 16) ||                                         // RFC 3927
             in(0x7F000000u, 8) || in(0x00000000u, 8));                     // loopback, 0/8
  }
  if (!is_ipv6(s)) return true;  // a DNS name: CometBFT judges what it resolves to
  const std::string text(s);
  std::array<unsigned char, 16> a{};
  inet_pton(AF_INET6, text.c_str(), a.data());
  // An IPv4-mapped address is judged as IPv4, as Go's net.IP does.
  static constexpr unsigned char k_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(a.begin(), a.begin() + 12, k_mapped))
    return is_cometbft_routable(std::to_string(a[12]) + "." + std::to_string(a[13]) + "." +
                                std::to_string(a[14]) + "." + std::to_string(a[15]));
  const bool zero_prefix = std::all_of(a.begin(), a.begin() + 15, [](unsigned char c) { return c == 0; });
  if (zero_prefix && (a[15] == 0 || a[15] == 1)) return false;  // unspecified, loopback
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return false;  // RFC 3849
  if ((a[0] & 0xfe) == 0xfc) return false;                                       // RFC 4193
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && (a[3] & 0xf0) == 0x10) return false;  // RFC 4843
  if (a[0] == 0xfe && a[1] == 0x80 && std::all_of(a.begin() + 2, a.begin() + 8, [](unsigned char c) {
        return c == 0;
      }))
    return false;  // RFC 4862
  return true;
}

bool is_dns_name(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return false;
  bool last_all_digits = false;
  while (true) {
    const std::size_t dot = s.find('.');
    const std::string_view label = s.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    last_all_digits = true;
    for (char c : label) {
      if (!is_alnum(c) && c != '-') return false;
      if (!is_digit(c)) last_all_digits = false;
    }
    if (dot == std::string_view::npos) break;
    s = s.substr(dot + 1);
  }
  // "300.1.2.3" is a mistyped IPv4 address, not a name.
  return !last_all_digits;
}

bool is_clean_remote_path(std::string_view s) {
  if (s.empty() || s.front() != '/') return false;
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  if (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  if (s == "/") return true;
  std::size_t start = 1;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find('/', start), s.size());
    const std::string_view seg = s.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return true;
}

bool is_clean_remote_file(std::string_view s) {
  return s.size() >= 2 && s.back() != '/' && is_clean_remote_path(s);
}

bool is_host_address(std::string_view s) { return is_ipv4(s) || is_ipv6(s) || is_dns_name(s); }

bool is_port_text(std::string_view s) {
  std::uint32_t port = 0;
  return parse_number(s, 5, port) && port >= 1 && port <= 65535;
}

bool is_host_port(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return false;
    return is_ipv6(s.substr(1, close - 1)) && is_port_text(s.substr(close + 2));
  }
  const std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view host = s.substr(0, colon);
  if (host.find(':') != std::string_view::npos) return false;  // IPv6 needs brackets
  return (is_ipv4(host) || is_dns_name(host)) && is_port_text(s.substr(colon + 1));
}

NodeIdCheck check_node_id(std::string_view s) {
  if (s.size() != 40) return NodeIdCheck::malformed;
  bool upper = false;
  for (char c : s) {
    if (is_digit(c) || (c >= 'a' && c <= 'f')) continue;
    if (c >= 'A' && c <= 'F') {
      upper = true;
      continue;
    }
    return NodeIdCheck::malformed;
  }
  return upper ? NodeIdCheck::upper_case : NodeIdCheck::ok;
}

bool is_wireguard_key(std::string_view s) {
  const auto bytes = base64_decode(s);
  return bytes && bytes->size() == 32;
}

std::optional<Ipv4Subnet> parse_ipv4_subnet(std::string_view s) {
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  Ipv4Subnet subnet;
  std::uint32_t prefix = 0;
  if (!parse_ipv4(s.substr(0, slash), subnet.address) ||
      !parse_number(s.substr(slash + 1), 2, prefix) || prefix > 32)
    return std::nullopt;
  subnet.prefix = static_cast<int>(prefix);
  return subnet;
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view s) {
  const std::size_t slash = s.find('/');
  const std::string address(s.substr(0, slash));
  IpPrefix p;
  p.v6 = address.find(':') != std::string::npos;
  if (inet_pton(p.v6 ? AF_INET6 : AF_INET, address.c_str(), p.bytes) != 1) return std::nullopt;
  const int width = p.v6 ? 128 : 32;
  p.bits = width;
  if (slash != std::string_view::npos) {
    std::uint32_t bits = 0;
    if (!parse_number(s.substr(slash + 1), 3, bits) || bits > static_cast<std::uint32_t>(width))
      return std::nullopt;
    p.bits = static_cast<int>(bits);
  }
  return p;
}

namespace {
// Byte i of the mask of a prefix of `bits` bits.
unsigned char mask_byte(int bits, int i) {
  const int left = bits - 8 * i;
  if (left >= 8) return 0xFF;
  if (left <= 0) return 0;
  return static_cast<unsigned char>(0xFF << (8 - left));
}
}  // namespace

bool prefix_contains(const IpPrefix& outer, const IpPrefix& inner) {
  if (outer.v6 != inner.v6 || inner.bits < outer.bits) return false;
  const int n = outer.v6 ? 16 : 4;
  for (int i = 0; i < n; ++i) {
    const unsigned char m = mask_byte(outer.bits, i);
    if ((outer.bytes[i] & m) != (inner.bytes[i] & m)) return false;
  }
  return true;
}

bool has_host_bits(const IpPrefix& p) {
  const int n = p.v6 ? 16 : 4;
  for (int i = 0; i < n; ++i)
    if (p.bytes[i] & ~mask_byte(p.bits, i) & 0xFF) return true;
  return false;
}

std::string format_prefix(const IpPrefix& p) {
  IpPrefix net = p;
  const int n = p.v6 ? 16 : 4;
  for (int i = 0; i < n; ++i) net.bytes[i] &= mask_byte(p.bits, i);
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(p.v6 ? AF_INET6 : AF_INET, net.bytes, text, sizeof text);
  const int width = p.v6 ? 128 : 32;
  return p.bits == width ? std::string(text) : std::string(text) + "/" + std::to_string(p.bits);
}

Ipv4Subnet network_of(const Ipv4Subnet& subnet) {
  const std::uint32_t mask = subnet.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - subnet.prefix);
  return {subnet.address & mask, subnet.prefix};
}

std::string format_ipv4(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xFF) + "." +
         std::to_string(a >> 8 & 0xFF) + "." + std::to_string(a & 0xFF);
}

std::string format_subnet(const Ipv4Subnet& subnet) {
  return format_ipv4(subnet.address) + "/" + std::to_string(subnet.prefix);
}

HostKeyCheck check_ssh_host_key(std::string_view s) {
  const std::size_t space = s.find(' ');
  if (space == std::string_view::npos || space == 0) return HostKeyCheck::form;
  const std::string_view type = s.substr(0, space);
  const std::string_view data = s.substr(space + 1);
  if (data.empty() || data.find_first_of(" \t") != std::string_view::npos)
    return HostKeyCheck::form;
  constexpr std::array<std::string_view, 5> k_types = {"ssh-ed25519", "ecdsa-sha2-nistp256",
                                                       "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                                                       "ssh-rsa"};
  bool known = false;
  for (auto t : k_types) known = known || t == type;
  if (!known) return HostKeyCheck::type;
  const auto blob = base64_decode(data);
  if (!blob) return HostKeyCheck::base64;
  // The SSH wire format starts with the key type as a length-prefixed string.
  if (blob->size() < 4) return HostKeyCheck::mismatch;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>((*blob)[i]); };
  const std::size_t len = std::size_t{byte(0)} << 24 | std::size_t{byte(1)} << 16 |
                          std::size_t{byte(2)} << 8 | std::size_t{byte(3)};
  if (len != type.size() || blob->size() < 4 + len ||
      std::string_view(*blob).substr(4, len) != type)
    return HostKeyCheck::mismatch;
  return HostKeyCheck::ok;
}

}  // namespace picket
