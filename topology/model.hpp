#pragma once
// The model of a topology file and an inventory file (topology-format.md §1 and §2).
// Every value read from a file keeps its location, so later checks can point at it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "topology/location.hpp"

namespace picket {

enum class Role { validator, private_sentry, public_sentry, signer };
enum class LinkKind { vpn, private_net, public_net };
enum class DomainKind { host, datacenter, region, provider };
/// Where an Alertmanager receiver sends alerts (topology-format.md §1, `monitoring`).
enum class ReceiverKind { webhook, email, slack, pagerduty, opsgenie };

/// The file spelling: "validator", "private-sentry", "public-sentry", "signer".
const char* role_name(Role r);
/// The file spelling: "vpn", "private", "public".
const char* link_kind_name(LinkKind k);
/// The file spelling: "host", "datacenter", "region", "provider".
const char* domain_kind_name(DomainKind k);
/// The file spelling: "webhook", "email", "slack", "pagerduty", "opsgenie".
const char* receiver_kind_name(ReceiverKind k);
/// Parses the file spellings above; nullopt when unknown.
std::optional<Role> parse_role(const std::string& s);
std::optional<LinkKind> parse_link_kind(const std::string& s);
std::optional<DomainKind> parse_domain_kind(const std::string& s);

/// One config.toml override value: a scalar as written, or an array of scalars.
struct ConfigValue {
  enum class Kind { string, integer, floating, boolean, array };
  Kind kind = Kind::string;
  std::string text;                // the scalar as written (strings unquoted)
  std::vector<ConfigValue> items;  // for arrays
  Location loc;
};
/// section -> key -> value (top-level keys use the section "").
using ConfigOverrides = std::map<std::string, std::map<std::string, ConfigValue>>;

/// A file the chain names as its base (chain.base_config, chain.base_app): the path as
/// written (relative to the topology file) and, once the CLI has read it, its values by
/// section ("" top level, "storage.pruning" nested) and key, each with its place in that file
/// and its TOML literal as written there. topology/ and render/ read no files: until the CLI
/// fills `values`, `loaded` is false and render keeps the defaults.
struct BaseFile {
  Located<std::string> path;
  ConfigOverrides values;
  std::map<std::string, std::string> literals;  // "section.key" (or "key") -> TOML literal
  std::vector<std::string> order;                // the same paths, table by table (keys sorted)
  bool loaded = false;
};

struct Chain {
  Located<std::string> id;
  Located<std::string> cometbft;  // "0.34" | "0.37" | "0.38" | "1.0"
  std::optional<Located<std::string>> binary_version;
  std::optional<BaseFile> base_config;  // the chain's own config.toml (what `init` writes)
  std::optional<BaseFile> base_app;     // the chain's own app.toml
  std::optional<Located<std::string>> sdk;  // Cosmos SDK line: "0.46" | "0.47" | "0.50" | "0.53"
  std::optional<Located<int>> p2p_port;
  std::optional<Located<int>> rpc_port;
  std::optional<Located<int>> metrics_port;
  /// The chain uses ABCI vote extensions (0.38 and 1.0 only): tmkms must sign them.
  Located<bool> vote_extensions{false, {}};
};

/// The Cosmos SDK lines picket renders app.toml for: "0.46", "0.47", "0.50", "0.53".
const std::vector<std::string>& sdk_lines();
/// The CometBFT line an SDK line runs on ("0.47" -> "0.37"); "" for an unknown line.
std::string sdk_cometbft_line(const std::string& sdk);
/// The chain's SDK line: `sdk`, else the default for its CometBFT line (0.34 -> 0.46,
/// 0.37 -> 0.47, 0.38 -> 0.50); "" when none is known (CometBFT 1.0).
std::string effective_sdk_line(const Chain& chain);
/// Whether the nodes get an app.toml: the chain names its SDK line or its base app.toml.
bool renders_app_toml(const Chain& chain);

struct Policy {
  Located<int> min_paths{2, {}};
  std::vector<DomainKind> survive{DomainKind::host, DomainKind::datacenter, DomainKind::region,
                                  DomainKind::provider};
  Location survive_loc;
};

/// How a signer's tmkms holds the consensus key (topology-format.md §1, `tmkms`): tmkms's
/// providers. The YubiHSM settings are only read with provider "yubihsm".
struct Tmkms {
  Located<std::string> provider{"softsign", {}};  // "softsign" | "yubihsm" | "ledger"
  Located<std::string> adapter{"usb", {}};        // yubihsm: "usb" | "http"
  std::optional<Located<std::string>> connector;  // yubihsm http: yubihsm-connector's tcp://host:port
  Located<int> auth_key{1, {}};                   // yubihsm: authentication key ID
  std::optional<Located<std::string>> password_file;  // yubihsm: absolute path on the signer's host
  Located<int> key{1, {}};                        // yubihsm: the consensus key's object ID
  std::optional<Located<std::string>> serial_number;  // yubihsm: 10 digits
  std::vector<Located<std::string>> wrapped_exports;  // yubihsm: key exports `picket backup` reads
  Location loc;                                   // the `tmkms:` key
};

/// One cosigner of a horcrux signer (topology-format.md §1, `horcrux`): a host and its shard.
struct HorcruxCosigner {
  Located<std::string> host;
  Located<int> shard{0, {}};  // 1..N; default: its place in the list
  std::string node;           // the cosigner node the loader makes: "<signer>-<shard>"
  Location loc;               // the list item
};

/// A threshold signer (horcrux): N cosigners on their own hosts, T of which sign together.
struct Horcrux {
  Located<int> threshold{0, {}};
  std::vector<HorcruxCosigner> cosigners;  // in file order
  Located<int> p2p_port{2222, {}};         // cosigner to cosigner (raft and gRPC)
  Located<int> debug_port{8543, {}};       // debugAddr: /metrics for Prometheus
  Located<std::string> grpc_timeout{"1000ms", {}};
  Located<std::string> raft_timeout{"1000ms", {}};
  Location loc;  // the `horcrux:` key
};

struct Node {
  Located<std::string> name;  // location of the map key
  Located<Role> role;
  Located<std::string> host;
  std::optional<Located<std::string>> signer;
  Located<bool> standby{false, {}};
  std::optional<Located<int>> p2p_port;
  std::optional<Located<int>> rpc_port;
  std::optional<Located<int>> metrics_port;
  std::optional<Located<std::string>> node_id;
  std::optional<Located<std::string>> home;
  ConfigOverrides config;
  ConfigOverrides app;  // app.toml overrides, like `config`
  std::optional<Tmkms> tmkms;  // signers only; nullopt = softsign with the defaults
  /// A horcrux signer (the cluster): no host of its own; the loader adds one node of role
  /// signer per cosigner after it, named "<signer>-<shard>", with `cosigner_of` set.
  std::optional<Horcrux> horcrux;
  std::optional<std::string> cosigner_of;  // a cosigner node: its horcrux signer's name
  int shard = 0;                           // a cosigner node: its shard ID
};

/// A tmkms signer: a node of role signer that is neither a horcrux signer nor a cosigner.
bool is_tmkms_signer(const Node& n);


struct Link {
  Located<std::string> a;  // first name of `between`
  Located<std::string> b;  // second name of `between`
  Located<LinkKind> over{LinkKind::vpn, {}};
  Location loc;            // the list item
};

/// A peer outside our topology: a partner's node, or a seed or peer of the network.
struct PartnerPeer {
  Located<std::string> id;       // 40 lower-case hex
  Located<std::string> address;  // host:port
  Location loc;                  // the list item
};

struct PartnerWireguard {
  Located<std::string> public_key;
  Located<std::string> endpoint;
};

struct Partner {
  Located<std::string> name;  // location of the map key
  std::vector<PartnerPeer> peers;
  std::vector<Located<std::string>> with;  // our nodes that peer with them
  Located<LinkKind> over{LinkKind::public_net, {}};
  std::optional<PartnerWireguard> wireguard;
};

/// The rest of the chain's network: where public sentries find it (topology-format.md, `network`).
/// Only public sentries dial these; every other node keeps to the graph.
struct NetworkPeers {
  std::vector<PartnerPeer> seeds;  // p2p.seeds
  std::vector<PartnerPeer> peers;  // added to p2p.persistent_peers
  Location loc;                    // the `network:` key
};

struct Vpn {
  Located<std::string> subnet;
  Located<int> port{51820, {}};
  Location loc;
};

/// One receiver of `monitoring.receivers`: its kind's settings as written (secrets only as
/// `*_file` paths on the monitor host), the lowest severity it gets, or the watchdog only.
struct Receiver {
  Located<std::string> name;  // location of the map key
  Located<ReceiverKind> kind;
  std::map<std::string, Located<std::string>> settings;  // key -> value, as written
  Located<std::string> severity{"warning", {}};          // "warning" (all alerts) | "critical"
  bool watchdog = false;  // receives only the dead-man's switch, repeated
};

/// The monitoring host: Prometheus and Alertmanager run there, on the WireGuard mesh.
struct Monitoring {
  Located<std::string> host;
  Located<std::string> scrape_interval{"15s", {}};
  /// Alertmanager's route timings: a group's first page after group_wait, a change to it at
  /// most every group_interval, the same page again after repeat_interval (Alertmanager's own
  /// defaults).
  Located<std::string> group_wait{"30s", {}};
  Located<std::string> group_interval{"5m", {}};
  Located<std::string> repeat_interval{"4h", {}};
  std::vector<Receiver> receivers;  // in file order
  Location loc;                     // the `monitoring:` key
};

/// Limits of the firewall picket renders (topology-format.md §1, `firewall`). The defaults
/// hold when the section or a key is left out.
struct Firewall {
  /// Public sentries: concurrent p2p connections from one IPv4 address or one IPv6 /64.
  Located<int> p2p_connections_per_address{8, {}};
  /// Public sentries: new p2p connections per minute from one address (burst: the cap above).
  Located<int> p2p_new_connections_per_minute{30, {}};
  /// Every host: ICMP echo requests answered per second (all sources together; burst the same).
  Located<int> icmp_echo_per_second{5, {}};
  Location loc;  // the `firewall:` key, when written
};

struct Topology {
  std::shared_ptr<const std::string> path;
  Located<int> version;
  Chain chain;
  std::optional<Located<std::string>> inventory;  // as written, relative to the file
  Policy policy;
  Location nodes_loc;  // the `nodes:` key
  std::vector<Node> nodes;  // in file order
  std::vector<Link> links;
  std::vector<Partner> partners;  // in file order
  std::optional<NetworkPeers> network;
  std::optional<Vpn> vpn;
  std::optional<Monitoring> monitoring;
  Firewall firewall;

  /// Index of the node with this name, or nullptr.
  const Node* find_node(const std::string& name) const;
  /// Rebuilds the name index after `nodes` changed (loaders call it).
  void index_nodes();

 private:
  std::unordered_map<std::string, std::size_t> m_node_index;
};

/// One `allow_ports` entry of a host: a port opened to a list of sources, or to everyone.
struct AllowedPort {
  Located<int> port;
  Located<std::string> proto{"tcp", {}};   // "tcp" | "udp"
  std::vector<Located<std::string>> from;  // addresses or CIDR prefixes (empty with `any`)
  bool any = false;                        // `from: any`
  Location loc;                            // the list item
};

/// A host after `defaults` were applied. Fields not set anywhere are nullopt.
struct Host {
  Located<std::string> name;  // location of the map key
  Located<std::string> address;
  std::optional<Located<std::string>> user, identity, home, service, datacenter, region,
      provider, jump, host_key, become, restart, check, reload_vpn, reload_firewall, root,
      reload_monitoring, signer_service, signer_restart, signer_check, reload_units;
  /// A pinned WireGuard tunnel address (IPv4, inside vpn.subnet); per host, never in defaults.
  std::optional<Located<std::string>> tunnel_address;
  Located<int> port{22, {}};
  /// Who may reach sshd (addresses or CIDR prefixes); nullopt: everyone.
  std::optional<std::vector<Located<std::string>>> ssh_allow;
  Location ssh_allow_loc;  // the `ssh_allow` key (of the host, or of `defaults`)
  /// Extra ports this host's firewall opens.
  std::vector<AllowedPort> allow_ports;

  /// The value of a failure-domain kind for this host (host: its name), or nullopt.
  std::optional<std::string> domain(DomainKind k) const;
};

/// The processes that sign for `signer`: its cosigner nodes for a horcrux signer, else itself.
std::vector<const Node*> signer_processes(const Topology& topology, const Node& signer);

struct Inventory {
  std::shared_ptr<const std::string> path;
  std::vector<Host> hosts;  // in file order
  /// Where picket's SSH connections come from (addresses or CIDR prefixes): every host's
  /// `ssh_allow` must admit them (a host behind `jump`: its jump host's address).
  std::vector<Located<std::string>> controller;
  Location controller_loc;  // the `controller` key

  const Host* find_host(const std::string& name) const;
  void index_hosts();

 private:
  std::unordered_map<std::string, std::size_t> m_host_index;
};

}  // namespace picket
