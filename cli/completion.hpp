#pragma once
// Shell completions generated from the CLI11 definitions of picket's commands, so they list
// exactly the commands, flags and values `--help` shows and cannot drift from them.

#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace picket::cli {

/// One flag or option of a command, as a shell completes it.
struct CompletionOption {
  std::vector<std::string> names;           // "-i", "--inventory"
  std::string description;
  bool takes_value = false;
  bool repeatable = false;
  bool file_value = false;                  // a TEXT value: complete file names
  std::vector<std::string> choices;         // from a CLI::IsMember check: the only values
  std::vector<std::string> prefix_choices;  // KIND of a KIND=VALUE option
};

/// A command (or the top level, whose name is "") and what it accepts.
struct CompletionCommand {
  std::string name;
  std::string description;
  std::vector<CompletionOption> options;
  std::string positional;  // the positional's name ("topology"), "" when there is none
  int files = 0;           // how many positional arguments: 0, 1, or -1 for any number
  std::vector<std::string> positional_choices;  // its only values; none: it names files
};

/// The top level first, then every command in definition order. `prefix_choices` maps an
/// option's long name ("--fail") to the KINDs of its KIND=VALUE values.
std::vector<CompletionCommand> completion_model(
    CLI::App& app, const std::map<std::string, std::vector<std::string>>& prefix_choices);

/// A bash-completion script (`complete -F _picket picket`) for the model.
std::string bash_completion(const std::vector<CompletionCommand>& model);
/// A zsh completion function file (`#compdef picket`) for the model.
std::string zsh_completion(const std::vector<CompletionCommand>& model);

}  // namespace picket::cli
