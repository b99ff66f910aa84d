#pragma once
// Validators for the address-like values of the two files (rule `address`): IP addresses,
// DNS names, host:port, node IDs, WireGuard keys, IPv4 subnets, SSH host keys. Pure string
// checks; nothing is resolved or looked up.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace picket {

/// A dotted-quad IPv4 address: four decimal numbers 0..255 without leading zeros.
bool is_ipv4(std::string_view s);
/// The value of such an address in host byte order; nullopt when `s` is not one.
std::optional<std::uint32_t> ipv4_value(std::string_view s);
/// An IPv6 address in RFC 4291 text form, without brackets or zone.
bool is_ipv6(std::string_view s);
/// What CometBFT's NetAddress.Routable() says of an IP (p2p/netaddress.go, the same in 0.34
/// to 1.0): false for RFC 1918, RFC 3927, loopback, 0.0.0.0/8 and broadcast, and for IPv6
/// unspecified, loopback, RFC 3849, RFC 4193, RFC 4843 and RFC 4862. A DNS name: true (it is
/// judged by what it resolves to). An address book with addr_book_strict refuses the others.
bool is_cometbft_routable(std::string_view s);
/// A DNS name: dot-separated labels of letters, digits and inner hyphens (1..63 characters
/// each, 253 in all, one trailing dot allowed); the last label is not all digits.
bool is_dns_name(std::string_view s);
/// What an inventory `address` may be: IPv4, IPv6 or a DNS name.
bool is_host_address(std::string_view s);
/// A decimal port 1..65535 (no sign, no leading zeros beyond "0" itself being invalid).
bool is_port_text(std::string_view s);
/// "host:port": host an IPv4 address, [IPv6] in brackets or a DNS name; port 1..65535.
bool is_host_port(std::string_view s);

/// A remote path picket may use as `root:` or `home:`: starts with '/', no empty, "." or
/// ".." segment (one trailing '/' is allowed and dropped by the users), no control character
/// (NUL, newline, tab, DEL). Any other byte (spaces, quotes, `$`, unicode) is allowed: every
/// value is quoted where it reaches a remote shell.
bool is_clean_remote_path(std::string_view s);
/// A clean remote path that names a file: not "/" and no trailing '/'.
bool is_clean_remote_file(std::string_view s);

/// How a CometBFT node ID is wrong, if it is.
enum class NodeIdCheck { ok, malformed, upper_case };
/// A node ID is 40 lower-case hex digits; upper case is told apart because CometBFT compares
/// IDs as strings, so "AB…" would never match the ID it derives from the key.
NodeIdCheck check_node_id(std::string_view s);

/// A WireGuard public key: base64 of exactly 32 bytes.
bool is_wireguard_key(std::string_view s);

/// An IPv4 subnet in CIDR form.
struct Ipv4Subnet {
  std::uint32_t address = 0;  // host byte order
  int prefix = 0;
};
/// Parses "a.b.c.d/n" (n 0..32); nullopt when malformed. Host bits are not checked here.
std::optional<Ipv4Subnet> parse_ipv4_subnet(std::string_view s);
/// The subnet with its host bits cleared.
Ipv4Subnet network_of(const Ipv4Subnet& subnet);
/// "a.b.c.d/n".
std::string format_subnet(const Ipv4Subnet& subnet);
/// "a.b.c.d" (`address` in host byte order).
std::string format_ipv4(std::uint32_t address);
/// The prefixes a `vpn.subnet` may have: /8 leaves the allocator a 24-bit range, /30 the two
/// addresses it never hands out plus one tunnel.
inline constexpr int k_min_tunnel_prefix = 8;
inline constexpr int k_max_tunnel_prefix = 30;

/// An IPv4 or IPv6 address or CIDR prefix (an allowlist entry: `controller`, `ssh_allow`).
struct IpPrefix {
  bool v6 = false;
  unsigned char bytes[16] = {};  // network byte order; IPv4 uses the first 4
  int bits = 0;                  // 32 or 128 for a single address
};
/// Parses "ADDRESS" or "ADDRESS/N" of either family; nullopt when malformed.
std::optional<IpPrefix> parse_ip_prefix(std::string_view s);
/// True when every address of `inner` lies in `outer` (same family).
bool prefix_contains(const IpPrefix& outer, const IpPrefix& inner);
/// The prefix with its host bits cleared, in nft's spelling ("ADDRESS" for a single address,
/// else "NETWORK/N").
std::string format_prefix(const IpPrefix& p);
/// True when the prefix has bits set past its length (198.51.100.7/24).
bool has_host_bits(const IpPrefix& p);

/// How an SSH host key is wrong, if it is.
enum class HostKeyCheck { ok, form, type, base64, mismatch };
/// A pinned host key "TYPE BASE64": TYPE one of k_host_key_types, BASE64 valid and the key
/// blob inside it naming the same TYPE (catches a key pasted under the wrong type).
HostKeyCheck check_ssh_host_key(std::string_view s);
/// The accepted host key types, comma separated, for messages.
inline constexpr const char* k_host_key_types =
    "ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa";

}  // namespace picket
