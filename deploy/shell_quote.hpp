#pragma once
// Quoting values for a POSIX shell. Every value picket puts into a remote command goes
// through shell_quote: host names, paths and unit names come from files an operator edits.

#include <string>

namespace picket {

/// `value` as one single-quoted shell word: 'it'\''s' for it's; '' for the empty string.
std::string shell_quote(const std::string& value);

/// Replaces every `{file}` in an inventory command template (reload_vpn, reload_firewall)
/// with shell_quote(path). The rest of the template is the operator's shell text, as written.
std::string substitute_file(const std::string& command_template, const std::string& path);

}  // namespace picket
