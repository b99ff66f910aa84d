// Per node config.toml and node_key.json.
//
// Every value of a config.toml is a TOML literal filled into the line's template: the line's
// defaults (templates/cometbft/keys-<line>.txt), then the settings derived from the graph,
// then the node's `config:` overrides, last.
//
// Speed: filling a mustache template means parsing it and building its data tree, per node;
// for 10k nodes that alone takes seconds. A template made only of variable tags cannot
// branch on values, so its output is its literal text with the values spliced in. Such a
// template is filled once, with a unique marker as every value, and the result is split at
// the markers; each node then costs one string concatenation, byte for byte what filling the
// template for that node would give. A template with sections, partials or delimiter changes
// (a user's own, via --templates) is filled per node the ordinary way.
#include <string_view>

#include "render/config_table.hpp"
#include "render/render.hpp"
#include "render/overrides.hpp"
#include "render/settings.hpp"
#include "render/startup.hpp"
#include "render/template_engine.hpp"
#include "topology/effective.hpp"

namespace picket {

namespace {

// Value slots besides the table's keys (which take slots 0..keys-1).
enum ExtraSlot : std::size_t { k_slot_node, k_slot_role, k_slot_chain, k_extra_slots };
constexpr const char* k_extra_paths[k_extra_slots] = {"picket.node", "picket.role", "picket.chain_id"};

// Marker bytes: control characters that no TOML literal of ours contains (toml_string
// escapes them) and that a template would not contain either (checked).
constexpr char k_marker_open = '\x1e';
constexpr char k_marker_close = '\x1f';

// Sets `root.a.b.c` for the dotted path "a.b.c" (the template says {{a.b.c}}).
void set_path(TemplateValue& root, std::string_view path, std::string literal) {
  TemplateValue* at = &root;
  for (auto dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.')) {
    at = &(*at)[std::string(path.substr(0, dot))];
    path.remove_prefix(dot + 1);
  }
  (*at)[std::string(path)] = TemplateValue(std::move(literal));
}

// True when every tag of a mustache template is a variable or a comment: no section,
// inverted section, partial or delimiter change, so no output depends on a value's content.
bool only_variable_tags(std::string_view text) {
  for (auto open = text.find("{{"); open != std::string_view::npos; open = text.find("{{", open + 2)) {
    std::size_t i = open + 2;
    while (i < text.size() && (text[i] == '{' || text[i] == ' ' || text[i] == '\t' ||
                               text[i] == '\n' || text[i] == '\r'))
      ++i;
    if (i < text.size() && (text[i] == '#' || text[i] == '^' || text[i] == '/' || text[i] == '>' ||
                            text[i] == '=' || text[i] == '$' || text[i] == '<'))
      return false;
  }
  return text.find(k_marker_open) == std::string_view::npos &&
         text.find(k_marker_close) == std::string_view::npos;
}

// A filled template as literal text and value slots, in order.
struct CompiledTemplate {
  struct Segment {
    std::string text;       // literal text before the slot
    std::size_t slot = 0;   // value slot; npos for the trailing text
  };
  std::vector<Segment> segments;

  std::string render(const std::vector<std::string>& values) const {
    std::size_t size = 0;
    for (const auto& s : segments) size += s.text.size() + (s.slot < values.size() ? values[s.slot].size() : 0);
    std::string out;
    out.reserve(size);
    for (const auto& s : segments) {
      out += s.text;
      if (s.slot < values.size()) out += values[s.slot];
    }
    return out;
  }
};

// Splits a template filled with markers into segments; nullopt if a marker is damaged.
std::optional<CompiledTemplate> split_at_markers(const std::string& filled, std::size_t slots) {
  CompiledTemplate compiled;
  std::size_t pos = 0;
  while (true) {
    const auto open = filled.find(k_marker_open, pos);
    if (open == std::string::npos) break;
    const auto close = filled.find(k_marker_close, open);
    if (close == std::string::npos) return std::nullopt;
    std::size_t slot = 0;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (filled[i] < '0' || filled[i] > '9') return std::nullopt;
      slot = slot * 10 + static_cast<std::size_t>(filled[i] - '0');
    }
    if (close == open + 1 || slot >= slots) return std::nullopt;
    compiled.segments.push_back({filled.substr(pos, open - pos), slot});
    pos = close + 1;
  }
  if (filled.find(k_marker_close, pos) != std::string::npos) return std::nullopt;
  compiled.segments.push_back({filled.substr(pos), std::string::npos});
  return compiled;
}

std::string config_dir(std::string home) {
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  return home + "/config/";
}

// The values of one node, by slot: defaults, then derived settings, then overrides.
class NodeValues {
 public:
  NodeValues(const ConfigTable& table, std::vector<std::string> defaults)
      : m_table(table), m_values(std::move(defaults)) {}
  void set(const std::string& path, std::string literal) {
    const ConfigKey* key = m_table.find(path);
    if (key != nullptr) m_values[static_cast<std::size_t>(key - m_table.keys().data())] = std::move(literal);
  }
  void set_slot(std::size_t slot, std::string value) { m_values[slot] = std::move(value); }
  const std::vector<std::string>& values() const { return m_values; }

  // The same values as a mustache data tree (for templates that cannot be compiled).
  TemplateValue tree() const {
    TemplateValue data;
    for (std::size_t i = 0; i < m_table.keys().size(); ++i) set_path(data, m_table.keys()[i].path, m_values[i]);
    for (std::size_t i = 0; i < k_extra_slots; ++i)
      set_path(data, k_extra_paths[i], m_values[m_table.keys().size() + i]);
    return data;
  }

 private:
  const ConfigTable& m_table;
  std::vector<std::string> m_values;
};

}  // namespace

void render_node_configs(const RenderContext& ctx, FileSet& files, Diagnostics& out) {
  const Topology& topology = ctx.topology;
  const std::string& line = topology.chain.cometbft.value;
  const std::string list_name = key_list_name(line);
  const std::string template_name = config_template_name(line);

  // The line's key list and template, looked up and prepared once.
  const auto list = ctx.templates.find(list_name);
  if (list == ctx.templates.end()) {
    add_error(out, "template", topology.chain.cometbft.loc,
              "no key list \"" + list_name + "\" for CometBFT \"" + line + "\"");
    return;
  }
  std::string error;
  const auto parsed = parse_config_table(list->second, error);
  if (!parsed) {
    add_error(out, "template", {}, "key list \"" + list_name + "\": " + error);
    return;
  }
  // The chain's own base config.toml replaces the line's defaults (its problems are
  // check_render's to report, before render gets here).
  Diagnostics reported_by_checks;
  const std::optional<ConfigTable> table = base_config_table(topology.chain, *parsed, reported_by_checks);
  const auto tmpl = ctx.templates.find(template_name);
  if (tmpl == ctx.templates.end()) {
    add_error(out, "template", topology.chain.cometbft.loc,
              "template \"" + template_name + "\" is missing");
    return;
  }
  const std::size_t slots = table->keys().size() + k_extra_slots;
  std::vector<std::string> defaults(slots);
  for (std::size_t i = 0; i < table->keys().size(); ++i) defaults[i] = table->keys()[i].default_literal;
  defaults[table->keys().size() + k_slot_chain] = topology.chain.id.value;
  std::optional<CompiledTemplate> compiled;
  if (only_variable_tags(tmpl->second)) {
    std::vector<std::string> markers(slots);
    for (std::size_t i = 0; i < slots; ++i)
      markers[i] = k_marker_open + std::to_string(i) + k_marker_close;
    const auto filled = fill_template(ctx.templates, template_name, NodeValues(*table, markers).tree(), out);
    if (!filled) return;  // a broken template: reported once, not per node
    compiled = split_at_markers(*filled, slots);
  } else if (!fill_template(ctx.templates, template_name, NodeValues(*table, defaults).tree(), out)) {
    return;
  }

  const SettingsDeriver deriver(ctx.peering, ctx.inventory, ctx.tunnels, ctx.node_ids);
  for (const Node& node : topology.nodes) {
    if (node.role.value == Role::signer) continue;  // tmkms has its own file (render_signer)
    const std::string& name = node.name.value;
    const Host* host = ctx.inventory.find_host(node.host.value);
    const std::string home = effective_home(node, host);
    if (home.empty()) continue;  // check_render reports it

    // Managed nodes get their node key; a node with a pinned node_id keeps the one it has.
    if (!node.node_id) {
      auto key = ctx.secrets.node_keys.find(name);
      if (key == ctx.secrets.node_keys.end()) {
        add_error(out, "missing-key", node.name.loc,
                  "node \"" + name + "\" has no node key: run \"picket keys\" to create the keys " +
                      "of managed nodes, or pin its ID with node_id",
                  {name});
      } else {
        RenderedFile file;
        file.host = node.host.value;
        file.path = config_dir(home) + "node_key.json";
        file.mode = 0600;
        file.content = node_key_json(key->second);
        file.node = name;
        file.secret = true;
        file.action = ApplyAction::restart_node;
        files.push_back(std::move(file));
      }
    }

    // Never render a file the checks refused (both report errors only).
    const std::size_t reported = out.size();
    const auto overrides = check_override_values(node, line, *table, out);
    const NodeSettings settings = deriver.derive(node);
    check_override_conflicts(node, settings, overrides, out);
    check_startup(node, line, *table, derived_values(settings, *table), overrides, out);
    if (out.size() != reported) continue;

    NodeValues values(*table, defaults);
    for (auto& [key, literal] : derived_values(settings, *table)) values.set(key, std::move(literal));
    for (const auto& [key, literal] : overrides) values.set(key, literal);
    values.set_slot(table->keys().size() + k_slot_node, name);
    values.set_slot(table->keys().size() + k_slot_role, role_name(node.role.value));

    std::optional<std::string> content;
    if (compiled) content = compiled->render(values.values());
    else content = fill_template(ctx.templates, template_name, values.tree(), out);
    if (!content) continue;

    RenderedFile file;
    file.host = node.host.value;
    file.path = config_dir(home) + "config.toml";
    file.mode = 0644;
    file.content = std::move(*content);
    file.node = name;
    file.action = ApplyAction::restart_node;
    files.push_back(std::move(file));
  }
}

}  // namespace picket
