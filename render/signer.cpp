// tmkms.toml: one per signer node, on the signer's host, in the signer's home. The signer
// dials each active validator that names it (the validator listens on priv_validator_laddr).
// The consensus key is the operator's: picket only writes the path tmkms reads it from and
// never creates, reads or copies it. Standby validators are left out on purpose: a signer that
// reconnects to a standby would sign for it the moment someone starts it beside the primary.
#include "render/checks.hpp"
#include "render/host_common.hpp"
#include "render/template_engine.hpp"
#include "util/toml_string.hpp"
#include "topology/effective.hpp"

#include <algorithm>

namespace picket {

namespace {
// tmkms's `protocol_version` per CometBFT line (tmkms 0.15 knows "v0.34" and "v0.38"): the
// signer protocol changed with 0.38 (vote extensions); 0.37 still speaks the 0.34 protocol.
// CometBFT 1.0 has no value in tmkms: nullptr, and check_signer refuses it.
const char* protocol_version(const std::string& cometbft) {
  if (cometbft == "0.34" || cometbft == "0.37") return "v0.34";
  if (cometbft == "0.38") return "v0.38";
  return nullptr;
}

// How tmkms prints keys. Bech32 needs the chain's prefixes, which only well-known chain IDs
// tell us; any other chain gets cosmos-json, which needs none.
std::string key_format(const std::string& chain_id) {
  if (chain_id.rfind("cosmoshub-", 0) == 0)
    return R"({ type = "bech32", account_key_prefix = "cosmospub", consensus_key_prefix = "cosmosvalconspub" })";
  return R"({ type = "cosmos-json" })";
}

// The signer's home: its own or its host's `home`; else ~/.tmkms of the host's user (tmkms's
// own default place), /root/.tmkms for root; "" when there is neither.
std::string signer_home(const Node& signer, const Host* host) {
  std::string home = effective_home(signer, host);
  if (home.empty() && host != nullptr && host->user)
    home = host->user->value == "root" ? "/root/.tmkms" : "/home/" + host->user->value + "/.tmkms";
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  return home;
}
// A double-quoted YAML scalar (YAML's double quotes take JSON's escapes).
std::string yaml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A cosigner's home: its signer's `home`, else ~/.horcrux of the host's user (horcrux's own
// default, so `horcrux start` finds it without --home); "" when there is neither. The host's
// `home` is its CometBFT nodes' and is not used.
std::string horcrux_home(const Node& cosigner, const Host* host) {
  std::string home = cosigner.home ? cosigner.home->value : std::string();
  if (home.empty() && host != nullptr && host->user)
    home = host->user->value == "root" ? "/root/.horcrux" : "/home/" + host->user->value + "/.horcrux";
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  return home;
}

// The CometBFT line horcrux v3.3.2 (the release the lab pins) is built against: its go.mod
// requires cometbft v0.38.2 and it speaks that line's privval protocol (vote extensions).
constexpr const char* k_horcrux_line = "0.38";

void check_horcrux(const RenderContext& ctx, Diagnostics& out) {
  const Chain& chain = ctx.topology.chain;
  bool line_said = false;
  for (const auto& node : ctx.topology.nodes) {
    if (node.horcrux && !line_said && !chain.cometbft.value.empty() &&
        chain.cometbft.value != k_horcrux_line) {
      line_said = true;
      add_error(out, "schema", chain.cometbft.loc,
                "signer \"" + node.name.value + "\" runs horcrux, which picket supports on CometBFT " +
                    k_horcrux_line + " only (horcrux v3.3.2 is built against CometBFT 0.38.2 and speaks "
                    "its privval protocol), not on CometBFT " + chain.cometbft.value +
                    ": use a tmkms signer or CometBFT's own key file on this line",
                {node.name.value, "chain"});
    }
    if (!node.cosigner_of) continue;
    const Host* host = ctx.inventory.find_host(node.host.value);
    if (host == nullptr || !horcrux_home(node, host).empty()) continue;
    add_error(out, "schema", node.name.loc,
              "cosigner \"" + node.name.value + "\" of signer \"" + *node.cosigner_of +
                  "\" has no home for horcrux's config.yaml: set `home` on the signer, or `user` on host \"" +
                  host->name.value + "\"",
              {*node.cosigner_of, node.name.value});
  }
}

// One cosigner's config.yaml.
void render_cosigner(const RenderContext& ctx, const Node& cosigner, FileSet& files, Diagnostics& out) {
  const Node* cluster = ctx.topology.find_node(*cosigner.cosigner_of);
  const Host* host = ctx.inventory.find_host(cosigner.host.value);
  if (cluster == nullptr || !cluster->horcrux || host == nullptr) return;
  if (ctx.topology.chain.cometbft.value != k_horcrux_line) return;  // check_horcrux reports it
  const std::string home = horcrux_home(cosigner, host);
  if (home.empty()) return;  // check_horcrux reports it
  const Horcrux& h = *cluster->horcrux;
  const auto& tunnels = ctx.tunnels.addresses;
  const std::vector<const Node*> processes = signer_processes(ctx.topology, *cluster);
  // The cosigners talk over the tunnel when every one of them has a tunnel address.
  const bool mesh = std::all_of(processes.begin(), processes.end(),
                                [&](const Node* p) { return tunnels.count(p->host.value) != 0; });
  TemplateValue data;
  data["cosigner"] = cosigner.name.value;
  data["signer"] = cluster->name.value;
  data["shard"] = std::to_string(cosigner.shard);
  data["host"] = host->name.value;
  data["home"] = home;
  data["chain_id"] = ctx.topology.chain.id.value;
  data["threshold"] = std::to_string(h.threshold.value);
  TemplateValue cosigners = TemplateValue::list();
  std::vector<const Node*> by_shard = processes;
  std::sort(by_shard.begin(), by_shard.end(), [](const Node* a, const Node* b) { return a->shard < b->shard; });
  for (const Node* p : by_shard) {
    const Host* ph = ctx.inventory.find_host(p->host.value);
    std::string address = mesh ? tunnels.at(p->host.value) : (ph != nullptr ? ph->address.value : "");
    TemplateValue c;
    c["shard"] = std::to_string(p->shard);
    c["p2p_addr"] = yaml_string("tcp://" + join_host_port(address, h.p2p_port.value));
    cosigners.push_back(std::move(c));
  }
  data["cosigners"] = std::move(cosigners);
  data["grpc_timeout"] = yaml_string(h.grpc_timeout.value);
  data["raft_timeout"] = yaml_string(h.raft_timeout.value);
  TemplateValue validators = TemplateValue::list();
  for (const Node* validator : ctx.peering.validators_of(cluster->name.value, false)) {
    const SignerRoute route = signer_route(ctx, *validator, cosigner);
    TemplateValue v;
    v["name"] = validator->name.value;
    v["addr"] = yaml_string("tcp://" + join_host_port(route.validator_address, k_signer_port));
    validators.push_back(std::move(v));
  }
  data["validators"] = std::move(validators);
  // The monitoring host scrapes the metrics over the tunnel; else they stay on loopback.
  const auto own = tunnels.find(host->name.value);
  const bool scraped = ctx.topology.monitoring && own != tunnels.end() &&
                       ctx.topology.monitoring->host.value != host->name.value;
  data["debug_addr"] = yaml_string(join_host_port(scraped ? own->second : "127.0.0.1", h.debug_port.value));
  auto text = fill_template(ctx.templates, "horcrux.yaml", data, out);
  if (!text) return;
  RenderedFile file;
  file.host = host->name.value;
  file.path = home + "/config.yaml";
  file.mode = 0600;
  file.content = std::move(*text);
  file.node = cosigner.name.value;
  file.action = ApplyAction::restart_signer;
  files.push_back(std::move(file));
}
}  // namespace

void check_signer(const RenderContext& ctx, Diagnostics& out) {
  const Chain& chain = ctx.topology.chain;
  bool line_said = false;
  check_horcrux(ctx, out);
  for (const auto& signer : ctx.topology.nodes) {
    if (!is_tmkms_signer(signer)) continue;
    if (!line_said && !chain.cometbft.value.empty() && protocol_version(chain.cometbft.value) == nullptr) {
      // Once: the line is the chain's, every signer shares the problem.
      line_said = true;
      add_error(out, "schema", chain.cometbft.loc,
                "signer \"" + signer.name.value + "\" runs tmkms, which has no protocol_version for CometBFT " +
                    chain.cometbft.value + " (tmkms 0.15 speaks \"v0.34\" for 0.34 and 0.37, \"v0.38\" for 0.38): "
                    "it could not sign for the validator; use CometBFT's own key file instead of a signer",
                {signer.name.value, "chain"});
    }
    const Host* host = ctx.inventory.find_host(signer.host.value);
    if (host == nullptr || !signer_home(signer, host).empty()) continue;
    add_error(out, "schema", signer.name.loc,
              "signer \"" + signer.name.value + "\" has no home for tmkms.toml: set `home` on the node, or `home` or `user` on host \"" +
                  host->name.value + "\"",
              {signer.name.value});
  }
}

void render_signer(const RenderContext& ctx, FileSet& files, Diagnostics& out) {
  const std::string& chain_id = ctx.topology.chain.id.value;
  for (const auto& signer : ctx.topology.nodes) {
    if (signer.cosigner_of) render_cosigner(ctx, signer, files, out);
    if (!is_tmkms_signer(signer)) continue;
    const Host* host = ctx.inventory.find_host(signer.host.value);
    if (host == nullptr) continue;  // the loader reports the dangling host
    const std::string home = signer_home(signer, host);
    if (home.empty()) continue;  // check_signer reports it
    TemplateValue data;
    data["signer"] = signer.name.value;
    data["host"] = host->name.value;
    data["chain_id"] = toml_string(chain_id);
    data["key_format"] = key_format(chain_id);
    data["state_file"] = toml_string(home + "/state/" + chain_id + "-consensus.json");
    const char* protocol = protocol_version(ctx.topology.chain.cometbft.value);
    if (protocol == nullptr) continue;  // check_signer reports it
    // tmkms 0.15 must sign vote extensions exactly when the chain has them ("extensions must
    // be present IFF…"); 0.34 and 0.37 have none, and no such key.
    data["has_sign_extensions"] = std::string(protocol) == "v0.38";
    data["sign_extensions"] = ctx.topology.chain.vote_extensions.value ? "true" : "false";
    const Tmkms tmkms = signer.tmkms.value_or(Tmkms{});
    const std::string& provider = tmkms.provider.value;
    data["softsign"] = provider == "softsign";
    data["yubihsm"] = provider == "yubihsm";
    data["ledger"] = provider == "ledger";
    data["consensus_key"] = toml_string(home + "/secrets/" + chain_id + "-consensus.key");
    if (provider == "yubihsm") {
      data["adapter"] = tmkms.adapter.value == "http"
                            ? "{ type = \"http\", addr = " + toml_string(tmkms.connector ? tmkms.connector->value : "") + " }"
                            : std::string("{ type = \"usb\" }");
      data["auth_key"] = std::to_string(tmkms.auth_key.value);
      data["password_file"] = toml_string(tmkms.password_file ? tmkms.password_file->value
                                                               : home + "/secrets/yubihsm-password");
      data["key"] = std::to_string(tmkms.key.value);
      data["has_serial_number"] = tmkms.serial_number.has_value();
      data["serial_number"] = toml_string(tmkms.serial_number ? tmkms.serial_number->value : "");
    }
    TemplateValue validators = TemplateValue::list();
    for (const Node* validator : ctx.peering.validators_of(signer.name.value, false)) {
      const SignerRoute route = signer_route(ctx, *validator, signer);
      TemplateValue v;
      v["name"] = validator->name.value;
      v["chain_id"] = toml_string(chain_id);
      v["addr"] = toml_string("tcp://" + join_host_port(route.validator_address, k_signer_port));
      v["secret_key"] = toml_string(home + "/secrets/kms-identity.key");
      v["protocol_version"] = toml_string(protocol);
      validators.push_back(std::move(v));
    }
    data["validators"] = std::move(validators);
    auto text = fill_template(ctx.templates, "tmkms.toml", data, out);
    if (!text) return;
    RenderedFile file;
    file.host = host->name.value;
    file.path = home + "/tmkms.toml";
    file.mode = 0644;
    file.content = std::move(*text);
    file.node = signer.name.value;
    file.action = ApplyAction::restart_signer;
    files.push_back(std::move(file));
  }
}

}  // namespace picket
