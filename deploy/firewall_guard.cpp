#include "deploy/firewall_guard.hpp"

#include "deploy/ssh/shell_quote.hpp"

namespace picket {

std::string guard_arm_command(const std::string& file, const std::optional<std::string>& backup,
                              const std::string& reload_command, int seconds,
                              const std::string& lock_path, const std::string& token) {
  // The restore goes through a temp file and a rename, like every write: a half-copied
  // ruleset must never be what the reload reads.
  // Whatever stands at the temp name is removed first (cp and > would follow a symlink
  // planted there), and the rename replaces a link at `file` instead of following it.
  const std::string tmp = file + ".picket-guard";
  std::string restore = "rm -f -- " + shell_quote(tmp) + " && ";
  restore += backup ? "cp -p -- " + shell_quote(*backup) + " " + shell_quote(tmp)
                    : "printf 'flush ruleset\\n' > " + shell_quote(tmp);
  restore += " && mv -f -T -- " + shell_quote(tmp) + " " + shell_quote(file);
  std::string timer = "sleep " + std::to_string(seconds) + "; ";
  if (!lock_path.empty() && !token.empty())
    // No lock (its deploy ended, or died and nobody took over) or our own: restore.
    timer += "IFS= read -r l 2>/dev/null <" + shell_quote(lock_path) + "; case $l in ''|*" +
             shell_quote("\"token\":\"" + token + "\"") + "*) ;; *) exit 0;; esac; ";
  timer += restore + "; " + reload_command;
  // nohup and closed descriptors: the timer must outlive the SSH channel that started it.
  return "nohup sh -c " + shell_quote(timer) +
         (token.empty() ? "" : " " + shell_quote("picket-deploy=" + token)) +
         " </dev/null >/dev/null 2>&1 & echo $!";
}

std::string ssh_client_command() { return "printf '%s\\n' \"${SSH_CONNECTION%% *}\""; }

std::optional<std::string> parse_ssh_client(const std::string& out) {
  std::string s = out;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty() || s.find_first_of(" \t\n") != std::string::npos) return std::nullopt;
  return s;
}

std::string guard_disarm_command(int pid) { return "kill " + std::to_string(pid); }

std::optional<int> parse_pid(const std::string& out) {
  std::string s = out;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const int pid = std::stoi(s);
  if (pid <= 1) return std::nullopt;
  return pid;
}

}  // namespace picket
