#pragma once
// The firewall lock-out guard: before a new ruleset is loaded, a timer on the host that puts
// the previous ruleset back and reloads it. Picket disarms the timer only after a FRESH
// connection got in under the new rules; if none can, the host heals itself.

#include <optional>
#include <string>

namespace picket {

constexpr int k_firewall_guard_seconds = 60;

/// The command that arms the timer in the background and prints its pid. After `seconds`
/// it copies `backup` back over `file` (or, when the ruleset is new and there is no backup,
/// replaces it with `flush ruleset`, the empty nftables ruleset) and runs `reload_command`.
/// With a `lock_path` and `token` (the deploy's fence), the timer steps aside when the lock
/// holds another deploy's token by then: that deploy reached the host over SSH after this
/// reload, which proves the ruleset lets picket in, and its files must not be overwritten.
/// The timer carries `picket-deploy=<token>` in its command line (break_lock ends it).
std::string guard_arm_command(const std::string& file, const std::optional<std::string>& backup,
                              const std::string& reload_command, int seconds,
                              const std::string& lock_path = "", const std::string& token = "");

/// The command that prints the address the host sees this SSH session come from (the first
/// word of $SSH_CONNECTION; through a jump host, the jump host's address).
std::string ssh_client_command();

/// The address printed by ssh_client_command; nullopt when it printed none.
std::optional<std::string> parse_ssh_client(const std::string& out);

/// The command that disarms the timer.
std::string guard_disarm_command(int pid);

/// The pid printed by the arm command (digits and a newline); nullopt when it is not one.
std::optional<int> parse_pid(const std::string& out);

}  // namespace picket
