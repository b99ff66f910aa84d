#pragma once
// One function per command: each registers its flags on the CLI11 app and returns the
// callback that runs it and yields the exit code.

#include <functional>

namespace CLI {
class App;
}

namespace picket::cli {

using Command = std::function<int()>;

/// `picket lint TOPOLOGY... [--inventory F] [--format text|json|github|sarif|codeclimate] [--strict]`
Command add_lint_command(CLI::App& app);
/// `picket graph TOPOLOGY [--inventory F] [--format dot|mermaid|svg] [-o FILE]`
Command add_graph_command(CLI::App& app);
/// `picket whatif TOPOLOGY [--inventory F] --fail KIND=VALUE ...`
Command add_whatif_command(CLI::App& app);
/// `picket keys TOPOLOGY [--inventory F] [--secrets DIR]`
Command add_keys_command(CLI::App& app);
/// `picket render TOPOLOGY [--inventory F] [--secrets DIR] [--templates DIR] --out DIR`
Command add_render_command(CLI::App& app);
/// `picket plan TOPOLOGY [--inventory F] [--secrets DIR] [--parallel N] [--format text|json]
/// [--detailed-exitcode] [--out PLANFILE] [--known-hosts F] [--accept-new] [--timeout S]`
Command add_plan_command(CLI::App& app);
/// `picket deploy TOPOLOGY [--inventory F] [--secrets DIR] [--plan PLANFILE] [--yes]
/// [--parallel N] [--no-restart] [--accept-new] [--force-unlock] [--health-timeout S]
/// [--known-hosts F] [--timeout S]`
Command add_deploy_command(CLI::App& app);
/// `picket status TOPOLOGY [--inventory F] [--secrets DIR] [--format text|json] [--watch]
/// [--interval S] [--parallel N] [--known-hosts F] [--timeout S]`
Command add_status_command(CLI::App& app);
/// `picket partner TOPOLOGY PARTNER [--inventory F] [--secrets DIR] [--format text|json]`
Command add_partner_command(CLI::App& app);
/// `picket backup TOPOLOGY --out ARCHIVE [--key F] [--inventory F] [--secrets DIR] [--parallel N]
/// [--known-hosts F] [--accept-new] [--timeout S]`
Command add_backup_command(CLI::App& app);
/// `picket restore TOPOLOGY ARCHIVE --host H [--key F] [--keys-only] [--yes] [--inventory F] ...`
Command add_restore_command(CLI::App& app);
/// `picket completion bash|zsh`: the shell completion script for every command above
Command add_completion_command(CLI::App& app);

}  // namespace picket::cli
