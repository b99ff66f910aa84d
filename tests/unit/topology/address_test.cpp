#include "topology/address.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

// Real keys made with ssh-keygen for these tests (public halves only).
constexpr const char* k_ed25519_key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH6RgHp6nLFwY9vHCj9zQ++EfS9utC/54krBT/LeOFHB";
constexpr const char* k_ecdsa_key =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKc87FUuUFbUYQsbU+"
    "EO8VfrDURsudO0OQilmkphX97hQCss3qvZqdt8N9AQUvfGQAGoLZD1jWHua9JbbLoK8wI=";

TEST(Address, Ipv4IsStrictDottedQuad) {
  EXPECT_TRUE(is_ipv4("198.51.100.10"));
  EXPECT_TRUE(is_ipv4("0.0.0.0"));
  EXPECT_TRUE(is_ipv4("255.255.255.255"));
  EXPECT_FALSE(is_ipv4("256.1.1.1"));
  EXPECT_FALSE(is_ipv4("1.2.3"));
  EXPECT_FALSE(is_ipv4("1.2.3.4.5"));
  EXPECT_FALSE(is_ipv4("01.2.3.4"));  // leading zeros read as octal by some tools
  EXPECT_FALSE(is_ipv4("1..3.4"));
  EXPECT_FALSE(is_ipv4("1.2.3.4 "));
  EXPECT_FALSE(is_ipv4(""));
}

TEST(Address, Ipv6TextForms) {
  EXPECT_TRUE(is_ipv6("2001:db8::1"));
  EXPECT_TRUE(is_ipv6("::1"));
  EXPECT_TRUE(is_ipv6("::ffff:192.0.2.1"));
  EXPECT_FALSE(is_ipv6("2001:db8:::1"));
  EXPECT_FALSE(is_ipv6("[2001:db8::1]"));
  EXPECT_FALSE(is_ipv6("198.51.100.10"));
  EXPECT_FALSE(is_ipv6("g::1"));
}

TEST(Address, DnsNames) {
  EXPECT_TRUE(is_dns_name("ams-2.example.com"));
  EXPECT_TRUE(is_dns_name("localhost"));
  EXPECT_TRUE(is_dns_name("example.com."));
  EXPECT_TRUE(is_dns_name("1a.example"));
  EXPECT_FALSE(is_dns_name("-a.example"));
  EXPECT_FALSE(is_dns_name("a-.example"));
  EXPECT_FALSE(is_dns_name("a..example"));
  EXPECT_FALSE(is_dns_name("a_b.example"));
  EXPECT_FALSE(is_dns_name(std::string(64, 'a')));
  EXPECT_TRUE(is_dns_name(std::string(63, 'a')));
  EXPECT_FALSE(is_dns_name("300.1.2.3"));  // a mistyped address, not a name
  EXPECT_FALSE(is_dns_name(""));
}

TEST(Address, HostAddressIsAnyOfTheThree) {
  EXPECT_TRUE(is_host_address("198.51.100.10"));
  EXPECT_TRUE(is_host_address("2001:db8::1"));
  EXPECT_TRUE(is_host_address("val-ams.example.com"));
  EXPECT_FALSE(is_host_address("300.1.2.3"));
  EXPECT_FALSE(is_host_address("host name"));
}

TEST(Address, HostPort) {
  EXPECT_TRUE(is_host_port("203.0.113.7:26656"));
  EXPECT_TRUE(is_host_port("seed.example.com:26656"));
  EXPECT_TRUE(is_host_port("[2001:db8::1]:26656"));
  EXPECT_TRUE(is_host_port("a:1"));
  EXPECT_TRUE(is_host_port("a:65535"));
  EXPECT_FALSE(is_host_port("a:65536"));
  EXPECT_FALSE(is_host_port("a:0"));
  EXPECT_FALSE(is_host_port("a:026656"));
  EXPECT_FALSE(is_host_port("a:"));
  EXPECT_FALSE(is_host_port("203.0.113.7"));
  EXPECT_FALSE(is_host_port("2001:db8::1:26656"));  // IPv6 needs brackets
  EXPECT_FALSE(is_host_port("[2001:db8::1]26656"));
  EXPECT_FALSE(is_host_port("[2001:db8::1"));
  EXPECT_FALSE(is_host_port(":26656"));
  EXPECT_FALSE(is_host_port("300.1.2.3:26656"));
}

TEST(Address, PortText) {
  EXPECT_TRUE(is_port_text("1"));
  EXPECT_TRUE(is_port_text("65535"));
  EXPECT_FALSE(is_port_text("0"));
  EXPECT_FALSE(is_port_text("65536"));
  EXPECT_FALSE(is_port_text("+80"));
  EXPECT_FALSE(is_port_text("123456"));
}

TEST(Address, NodeIds) {
  EXPECT_EQ(check_node_id("2b3d0123456789abcdef0123456789abcdef0123"), NodeIdCheck::ok);
  EXPECT_EQ(check_node_id("2B3D0123456789abcdef0123456789abcdef0123"), NodeIdCheck::upper_case);
  EXPECT_EQ(check_node_id("2b3d0123456789abcdef0123456789abcdef012"), NodeIdCheck::malformed);
  EXPECT_EQ(check_node_id("2b3d0123456789abcdef0123456789abcdef012g"), NodeIdCheck::malformed);
  EXPECT_EQ(check_node_id("2G3D0123456789abcdef0123456789abcdef0123"), NodeIdCheck::malformed);
}

// One check for `root:`/`home:` values (a directory) and for the files picket reads and
// writes over SSH (no trailing '/', not "/").
TEST(Address, CleanRemotePaths) {
  EXPECT_TRUE(is_clean_remote_path("/"));
  EXPECT_TRUE(is_clean_remote_path("/srv/node/"));
  EXPECT_TRUE(is_clean_remote_path("/srv/my node/$x"));
  EXPECT_FALSE(is_clean_remote_path("srv"));
  EXPECT_FALSE(is_clean_remote_path("/srv//node"));
  EXPECT_FALSE(is_clean_remote_path("/srv/./node"));
  EXPECT_FALSE(is_clean_remote_path("/srv/../node"));
  EXPECT_FALSE(is_clean_remote_path("/srv/no\tde"));
  EXPECT_TRUE(is_clean_remote_file("/etc/wireguard/wg0.conf"));
  EXPECT_FALSE(is_clean_remote_file("/"));
  EXPECT_FALSE(is_clean_remote_file("/etc/"));
  EXPECT_FALSE(is_clean_remote_file("/etc/../x"));
  EXPECT_FALSE(is_clean_remote_file(std::string("/etc/x\0y", 8)));
  EXPECT_EQ(format_ipv4(0x0A2C0001), "10.44.0.1");
}

TEST(Address, WireguardKeys) {
  EXPECT_TRUE(is_wireguard_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
  EXPECT_FALSE(is_wireguard_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"));  // 30 bytes
  EXPECT_FALSE(is_wireguard_key("not a key"));
}

TEST(Address, Ipv4Subnets) {
  auto s = parse_ipv4_subnet("10.44.0.0/24");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prefix, 24);
  EXPECT_EQ(s->address, 0x0A2C0000U);
  EXPECT_EQ(format_subnet(*s), "10.44.0.0/24");
  auto host_bits = parse_ipv4_subnet("10.44.0.1/24");
  ASSERT_TRUE(host_bits);
  EXPECT_EQ(format_subnet(network_of(*host_bits)), "10.44.0.0/24");
  EXPECT_EQ(format_subnet(network_of(*parse_ipv4_subnet("10.1.2.3/0"))), "0.0.0.0/0");
  EXPECT_EQ(format_subnet(network_of(*parse_ipv4_subnet("10.1.2.3/32"))), "10.1.2.3/32");
  EXPECT_FALSE(parse_ipv4_subnet("10.44.0.0"));
  EXPECT_FALSE(parse_ipv4_subnet("10.44.0.0/33"));
  EXPECT_FALSE(parse_ipv4_subnet("10.44.0.0/"));
  EXPECT_FALSE(parse_ipv4_subnet("10.44.0/24"));
}

TEST(Address, SshHostKeys) {
  EXPECT_EQ(check_ssh_host_key(k_ed25519_key), HostKeyCheck::ok);
  EXPECT_EQ(check_ssh_host_key(k_ecdsa_key), HostKeyCheck::ok);
  const std::string ed_blob = std::string(k_ed25519_key).substr(12);
  EXPECT_EQ(check_ssh_host_key(ed_blob), HostKeyCheck::form);
  EXPECT_EQ(check_ssh_host_key(std::string(k_ed25519_key) + " root@vm"), HostKeyCheck::form);
  EXPECT_EQ(check_ssh_host_key("ssh-dss " + ed_blob), HostKeyCheck::type);
  EXPECT_EQ(check_ssh_host_key("ssh-ed25519 AAAA*AAA"), HostKeyCheck::base64);
  EXPECT_EQ(check_ssh_host_key("ssh-rsa " + ed_blob), HostKeyCheck::mismatch);
  EXPECT_EQ(check_ssh_host_key("ssh-ed25519 AAAA"), HostKeyCheck::mismatch);
}

}  // namespace
}  // namespace picket
