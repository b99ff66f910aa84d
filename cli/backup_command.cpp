// `picket backup` and `picket restore`: the key material and configs every peer list depends
// on, in one encrypted archive (deploy/backup_archive.hpp), and back onto one host.
//
// backup: lints and renders (to know every managed file and the signer's key files), reads
// each over SSH as plan does (read-only), adds the controller's secrets folder, seals the
// lot under the key file (created 0600 on first use, never printed) and writes the archive
// 0600. Signing state files are never read.
// restore: opens the archive whole (any alteration: nothing is restored), then writes the
// host's files back atomically, each keeping its previous version beside it. It never
// restores a signing state file: an archive that holds one for the host is refused, with
// the reason, unless --keys-only asks for the key material alone.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output_dir.hpp"
#include "cli/rollout_inputs.hpp"
#include "cli/secrets_store.hpp"
#include "cli/terminal.hpp"
#include "deploy/backup_archive.hpp"
#include "deploy/connections.hpp"
#include "deploy/deploy_log.hpp"
#include "deploy/host_commands.hpp"
#include "deploy/parallel.hpp"
#include "deploy/ssh/shell_quote.hpp"
#include "topology/yaml_read.hpp"
#include "util/text.hpp"

namespace picket::cli {

namespace fs = std::filesystem;

namespace {

std::string default_key_path(const std::string& topology) { return state_path(topology, "backup.key"); }

tl::expected<std::string, std::string> read_local(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::make_unexpected("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The key: read it, or (backup only) create it. Never printed.
tl::expected<BackupKey, std::string> load_key(const std::string& path, bool create, bool& created) {
  created = false;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (!create) return tl::make_unexpected("no backup key at " + path + " (pass --key FILE: the key the archive was made with)");
    fs::create_directories(fs::path(path).parent_path(), ec);
    const BackupKey key = new_backup_key();
    if (auto written = write_file_atomic(path, backup_key_text(key), 0600); !written)
      return tl::make_unexpected(written.error());
    created = true;
    return key;
  }
  const auto perms = fs::status(path, ec).permissions();
  if (!ec && (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
    return tl::make_unexpected(path + ": permissions are too open: the backup key must be accessible by its owner only (chmod 600 " + path + ")");
  auto text = read_local(path);
  if (!text) return tl::make_unexpected(text.error());
  auto key = parse_backup_key(*text);
  if (!key) return tl::make_unexpected(path + " is not a picket backup key (44 base64 characters)");
  return *key;
}

// What to read from one host: every rendered file, a YubiHSM signer's `wrapped_exports`, the
// key files its tmkms.toml names (never its state_file), and beside a horcrux cosigner's config.yaml its shard
// (<chain>_shard.json) and ecies_keys.json (never its state/ or raft/ folders).
struct Wanted {
  std::string path;  // as the topology names it
  std::string node;
};

// A YubiHSM signer's key exports under a wrap key on `host`, where the topology names them.
std::vector<Wanted> wrapped_exports_on(const Topology& topology, const std::string& host) {
  std::vector<Wanted> exports;
  for (const Node& n : topology.nodes)
    if (n.host.value == host && n.tmkms)
      for (const auto& path : n.tmkms->wrapped_exports) exports.push_back({path.value, n.name.value});
  return exports;
}

std::vector<Wanted> wanted_on(const FileSet& files, const Topology& topology, const std::string& host) {
  const std::string& chain_id = topology.chain.id.value;
  std::vector<Wanted> wanted = wrapped_exports_on(topology, host);
  for (const RenderedFile& f : files) {
    if (f.host != host) continue;
    wanted.push_back({f.path, f.node});
    if (f.action == ApplyAction::restart_signer && f.path.size() > 12 &&
        f.path.compare(f.path.size() - 12, 12, "/config.yaml") == 0) {
      const std::string home = f.path.substr(0, f.path.size() - 12);
      wanted.push_back({home + "/" + chain_id + "_shard.json", f.node});
      wanted.push_back({home + "/ecies_keys.json", f.node});
      continue;
    }
    if (f.path.size() < 11 || f.path.compare(f.path.size() - 10, 10, "tmkms.toml") != 0) continue;
    toml::table doc;
    try {
      doc = toml::parse(f.content);
    } catch (const toml::parse_error&) {
      continue;  // render wrote it: cannot happen
    }
    if (const auto* providers = doc["providers"]["softsign"].as_array())
      for (const auto& p : *providers)
        if (const auto path = p.as_table() ? (*p.as_table())["path"].value<std::string>() : std::nullopt)
          wanted.push_back({*path, f.node});
    if (const auto* validators = doc["validator"].as_array())
      for (const auto& v : *validators)
        if (const auto path = v.as_table() ? (*v.as_table())["secret_key"].value<std::string>() : std::nullopt)
          wanted.push_back({*path, f.node});
  }
  return wanted;
}

struct BackupFlags {
  RolloutFlags common;
  std::string out;
  std::string key;
  std::string units;                            // --systemd-units DIR
  std::string archive_dir = "/var/backups/picket";  // where the timer's archives go
  std::string on_calendar = "daily";
};

std::string absolute(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

// systemd quoting inside ExecStart: the command goes through /bin/sh -c "...", a systemd
// double-quoted word (backslash and double quote escaped), where `$` and `%` must reach the
// shell as they are ($$ and %% for systemd).
std::string for_unit(const std::string& shell) {
  std::string out;
  for (const char c : shell) {
    if (c == '$') out += "$$";
    else if (c == '%') out += "%%";
    else if (c == '"' || c == '\\') out += std::string("\\") + c;
    else out += c;
  }
  return out;
}

// The controller's timer: picket backup of this topology into a dated archive, as the user
// that runs it (it reads the secrets folder and the backup key, so it is the operator's).
int write_backup_units(const BackupFlags& flags) {
  std::error_code ec;
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  std::string command = shell_quote(ec ? std::string("picket") : self) + " backup " +
                        shell_quote(absolute(flags.common.paths.topology));
  if (flags.common.paths.inventory) command += " --inventory " + shell_quote(absolute(*flags.common.paths.inventory));
  if (!flags.common.secrets.empty()) command += " --secrets " + shell_quote(absolute(flags.common.secrets));
  command += " --key " + shell_quote(absolute(flags.key.empty() ? default_key_path(flags.common.paths.topology) : flags.key));
  if (!flags.common.known_hosts.empty()) command += " --known-hosts " + shell_quote(absolute(flags.common.known_hosts));
  command += " --out " + shell_quote(flags.archive_dir) + "/picket-$(date -u +%Y%m%dT%H%M%SZ).pkb";
  const std::string service =
      "# picket-backup.service, written by `picket backup --systemd-units`: a backup of the\n"
      "# validator network's key material and configs (encrypted; see `picket backup`).\n"
      "[Unit]\n"
      "Description=picket backup of " + absolute(flags.common.paths.topology) + "\n"
      "Wants=network-online.target\n"
      "After=network-online.target\n\n"
      "[Service]\n"
      "Type=oneshot\n"
      "UMask=0077\n"
      "ExecStartPre=/bin/mkdir -p \"" + for_unit(flags.archive_dir) + "\"\n"
      "ExecStart=/bin/sh -c \"" + for_unit(command) + "\"\n";
  const std::string timer =
      "# picket-backup.timer: runs picket-backup.service " + flags.on_calendar + " (and at the next boot\n"
      "# when a run was missed). Enable with: systemctl enable --now picket-backup.timer\n"
      "[Unit]\n"
      "Description=Regular picket backups\n\n"
      "[Timer]\n"
      "OnCalendar=" + flags.on_calendar + "\n"
      "Persistent=true\n"
      "RandomizedDelaySec=15min\n\n"
      "[Install]\n"
      "WantedBy=timers.target\n";
  fs::create_directories(flags.units, ec);
  for (const auto& [name, text] : {std::pair{"picket-backup.service", service}, std::pair{"picket-backup.timer", timer}}) {
    if (auto written = write_file_atomic((fs::path(flags.units) / name).string(), text, 0644); !written) {
      std::fprintf(stderr, "picket: error: %s\n", written.error().c_str());
      return k_exit_usage;
    }
  }
  std::printf("wrote %s/picket-backup.service and picket-backup.timer (archives into %s, %s)\n", flags.units.c_str(),
              flags.archive_dir.c_str(), flags.on_calendar.c_str());
  return k_exit_ok;
}

int run_backup(const BackupFlags& flags) {
  if (!flags.units.empty()) return write_backup_units(flags);
  if (flags.out.empty()) {
    std::fprintf(stderr, "picket: error: backup needs --out ARCHIVE (or --systemd-units DIR)\n");
    return k_exit_usage;
  }
  auto inputs = prepare_rollout(flags.common, "backup");
  if (!inputs) return inputs.error();
  bool created = false;
  auto key = load_key(flags.key.empty() ? default_key_path(flags.common.paths.topology) : flags.key, true, created);
  if (!key) {
    std::fprintf(stderr, "picket: error: %s\n", key.error().c_str());
    return k_exit_usage;
  }
  if (created)
    std::fprintf(stderr, "picket: created the backup key %s (0600): keep a copy apart from the archives; without it no archive opens\n",
                 (flags.key.empty() ? default_key_path(flags.common.paths.topology) : flags.key).c_str());

  // The hosts, read-only, in parallel; each worker fills its own slot.
  std::vector<std::string> hosts;
  for (const RenderedFile& f : inputs->files)
    if (!f.host.empty() && std::find(hosts.begin(), hosts.end(), f.host) == hosts.end()) hosts.push_back(f.host);
  std::sort(hosts.begin(), hosts.end());
  struct HostResult {
    std::vector<ArchiveEntry> entries;
    std::vector<std::string> absent;
    std::string error;
  };
  std::vector<HostResult> results(hosts.size());
  auto connector = make_connector();
  Connections connections(*connector, inputs->inventory(), connect_options(flags.common));
  parallel_for(hosts.size(), flags.common.parallel, [&](std::size_t i) {
    HostResult& r = results[i];
    const Host* host = inputs->inventory().find_host(hosts[i]);
    auto t = connections.get(hosts[i]);
    if (host == nullptr || !t) {
      r.error = t ? "not in the inventory" : t.error().message;
      return;
    }
    for (const Wanted& w : wanted_on(inputs->files, inputs->topology(), hosts[i])) {
      if (is_signing_state(w.path)) continue;
      RenderedFile probe;
      probe.host = hosts[i];
      probe.path = w.path;
      probe.node = w.node;
      auto file = (*t)->read_file(remote_path(*host, w.path), needs_root(probe, inputs->topology(), *host));
      if (!file) {
        r.error = w.path + ": " + file.error().message;
        return;
      }
      if (!*file) {
        r.absent.push_back(w.path);
        continue;
      }
      ArchiveEntry entry;
      entry.host = hosts[i];
      entry.path = w.path;
      entry.mode = (*file)->mode;
      entry.content = std::move((*file)->content);
      r.entries.push_back(std::move(entry));
    }
  });
  Archive archive;
  archive.created = iso8601_utc_now();
  bool failed = false;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const HostResult& r = results[i];
    if (!r.error.empty()) {
      std::fprintf(stderr, "picket: error: %s: %s\n", hosts[i].c_str(), r.error.c_str());
      failed = true;
      continue;
    }
    std::printf("%s: %s%s\n", hosts[i].c_str(), plural(r.entries.size(), "file", "files").c_str(),
                r.absent.empty() ? "" : (", not on the host yet: " + join(r.absent)).c_str());
    archive.entries.insert(archive.entries.end(), r.entries.begin(), r.entries.end());
  }
  if (failed) {
    std::fprintf(stderr, "picket: error: no archive written: every host must be read for a whole backup\n");
    return k_exit_findings;
  }
  // The controller's own keys: the secrets folder, every regular file.
  const std::string secrets = flags.common.secrets.empty() ? default_secrets_dir(flags.common.paths.topology) : flags.common.secrets;
  std::size_t local = 0;
  std::error_code ec;
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(secrets, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) paths.push_back(it->path());
  std::sort(paths.begin(), paths.end());
  for (const fs::path& p : paths) {
    auto content = read_local(p.string());
    if (!content) {
      std::fprintf(stderr, "picket: error: %s\n", content.error().c_str());
      return k_exit_usage;
    }
    archive.entries.push_back({"", fs::relative(p, secrets).string(), 0600, std::move(*content)});
    ++local;
  }
  std::printf("secrets folder %s: %s\n", secrets.c_str(), plural(local, "file", "files").c_str());
  const std::string sealed = seal_archive(archive, *key);
  if (auto written = write_file_atomic(flags.out, sealed, 0600); !written) {
    std::fprintf(stderr, "picket: error: %s\n", written.error().c_str());
    return k_exit_usage;
  }
  std::printf("backed up %s from %s into %s (0600, encrypted; signing state files are never read)\n",
              plural(archive.entries.size(), "file", "files").c_str(), plural(hosts.size(), "host", "hosts").c_str(),
              flags.out.c_str());
  return k_exit_ok;
}

struct RestoreFlags {
  RolloutFlags common;
  std::string archive;
  std::string host;
  bool controller = false;  // the controller's secrets folder instead of a host's files
  std::string key;
  bool keys_only = false;
  bool yes = false;
};

// The archive's copy of the controller's secrets folder (its entries of host "") back into
// the secrets folder: each file written atomically, 0600; a file there that differs is kept as
// <file>.picket-bak first, an identical one left alone.
int restore_secrets_folder(const RestoreFlags& flags, const Archive& archive) {
  const std::string secrets =
      flags.common.secrets.empty() ? default_secrets_dir(flags.common.paths.topology) : flags.common.secrets;
  std::vector<const ArchiveEntry*> chosen;
  for (const ArchiveEntry& e : archive.entries) {
    if (!e.host.empty()) continue;
    const fs::path rel = fs::path(e.path).lexically_normal();
    if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") {
      std::fprintf(stderr, "picket: error: the archive names %s in the secrets folder, outside it; nothing restored\n",
                   in_quotes(e.path).c_str());
      return k_exit_findings;
    }
    chosen.push_back(&e);
  }
  if (chosen.empty()) {
    std::fprintf(stderr, "picket: error: the archive holds no file of the secrets folder; nothing restored\n");
    return k_exit_findings;
  }
  std::printf("restoring %s of the secrets folder %s from the archive of %s:\n",
              plural(chosen.size(), "file", "files").c_str(), secrets.c_str(), archive.created.c_str());
  for (const ArchiveEntry* e : chosen) std::printf("  %s\n", e->path.c_str());
  if (!flags.yes) {
    std::fprintf(stderr, "picket: error: nothing restored without confirmation (pass --yes)\n");
    return k_exit_usage;
  }
  std::error_code ec;
  fs::create_directories(secrets, ec);
  fs::permissions(secrets, fs::perms::owner_all, fs::perm_options::replace, ec);
  std::size_t written = 0, same = 0;
  for (const ArchiveEntry* e : chosen) {
    const fs::path target = fs::path(secrets) / e->path;
    fs::create_directories(target.parent_path(), ec);
    if (fs::exists(target, ec)) {
      auto current = read_local(target.string());
      if (current && *current == e->content) {
        ++same;
        continue;
      }
      if (current) {
        if (auto kept = write_file_atomic(target.string() + ".picket-bak", *current, 0600); !kept) {
          std::fprintf(stderr, "picket: error: %s (%zu of %zu restored)\n", kept.error().c_str(), written, chosen.size());
          return k_exit_deploy_failed;
        }
      }
    }
    if (auto done = write_file_atomic(target.string(), e->content, 0600); !done) {
      std::fprintf(stderr, "picket: error: %s (%zu of %zu restored)\n", done.error().c_str(), written, chosen.size());
      return k_exit_deploy_failed;
    }
    ++written;
  }
  std::printf("restored %s into %s (0600)%s; a file that differed is kept as <file>.picket-bak\n",
              plural(written, "file", "files").c_str(), secrets.c_str(),
              same == 0 ? "" : (", " + plural(same, "file", "files") + " already the same").c_str());
  return k_exit_ok;
}

int run_restore(const RestoreFlags& flags) {
  if (flags.controller == !flags.host.empty()) {
    std::fprintf(stderr, "picket: error: restore needs one of --host HOST (a host's files) or --controller (the "
                         "secrets folder)\n");
    return k_exit_usage;
  }
  if (flags.controller && flags.keys_only) {
    std::fprintf(stderr, "picket: error: --keys-only is for --host: the secrets folder holds only keys\n");
    return k_exit_usage;
  }
  // Only the inventory is needed to reach the host: a restore may come after the secrets are
  // gone, so neither lint errors of the render kind nor missing keys stop it.
  auto checked = load_or_usage_error(flags.common.paths);
  if (!checked) return checked.error();
  const Host* host = flags.controller ? nullptr : checked->result.inventory.find_host(flags.host);
  if (!flags.controller && host == nullptr) {
    std::fprintf(stderr, "picket: error: no host %s in the inventory\n", in_quotes(flags.host).c_str());
    return k_exit_usage;
  }
  bool created = false;
  auto key = load_key(flags.key.empty() ? default_key_path(flags.common.paths.topology) : flags.key, false, created);
  if (!key) {
    std::fprintf(stderr, "picket: error: %s\n", key.error().c_str());
    return k_exit_usage;
  }
  auto sealed = read_local(flags.archive);
  if (!sealed) {
    std::fprintf(stderr, "picket: error: %s\n", sealed.error().c_str());
    return k_exit_usage;
  }
  auto archive = open_archive(*sealed, *key);
  if (!archive) {
    std::fprintf(stderr, "picket: error: %s: %s; nothing restored\n", flags.archive.c_str(), archive.error().c_str());
    return k_exit_findings;
  }
  if (flags.controller) return restore_secrets_folder(flags, *archive);
  // A YubiHSM signer's wrapped exports are key material too.
  const std::vector<Wanted> exports = wrapped_exports_on(checked->result.topology, flags.host);
  const auto is_key = [&](const ArchiveEntry& e) {
    return is_key_material(e) ||
           std::any_of(exports.begin(), exports.end(), [&](const Wanted& w) { return w.path == e.path; });
  };
  std::vector<const ArchiveEntry*> chosen;
  std::vector<std::string> state;
  for (const ArchiveEntry& e : archive->entries) {
    if (e.host != flags.host) continue;
    if (is_signing_state(e.path)) state.push_back(e.path);
    if (flags.keys_only ? is_key(e) : true) chosen.push_back(&e);
  }
  if (!state.empty() && !flags.keys_only) {
    std::fprintf(stderr,
                 "picket: error: the archive holds signing state for %s (%s): restoring an older one lets the "
                 "validator sign a height twice (a double-sign: slashed and jailed for good); picket never "
                 "restores one. Restore the key material alone with --keys-only; nothing restored\n",
                 flags.host.c_str(), join(state).c_str());
    return k_exit_findings;
  }
  std::erase_if(chosen, [](const ArchiveEntry* e) { return is_signing_state(e->path); });
  if (chosen.empty()) {
    std::fprintf(stderr, "picket: error: the archive holds no %sfiles of host %s; nothing restored\n",
                 flags.keys_only ? "key " : "", in_quotes(flags.host).c_str());
    return k_exit_findings;
  }
  std::printf("restoring %s of %s from the archive of %s:\n", plural(chosen.size(), "file", "files").c_str(),
              flags.host.c_str(), archive->created.c_str());
  for (const ArchiveEntry* e : chosen) std::printf("  %s (mode %04o)\n", e->path.c_str(), e->mode);
  if (!flags.yes) {
    std::fprintf(stderr, "picket: error: nothing restored without confirmation (pass --yes)\n");
    return k_exit_usage;
  }
  auto connector = make_connector();
  Connections connections(*connector, checked->result.inventory, connect_options(flags.common));
  auto t = connections.get(flags.host);
  if (!t) {
    std::fprintf(stderr, "picket: error: %s: %s; nothing restored\n", flags.host.c_str(), t.error().message.c_str());
    return k_exit_findings;
  }
  std::size_t done = 0;
  for (const ArchiveEntry* e : chosen) {
    // Inside one of the host's node homes the login user writes it; elsewhere `become`.
    RenderedFile probe;
    probe.host = flags.host;
    probe.path = e->path;
    bool as_root = needs_root(probe, checked->result.topology, *host);
    for (const Node& n : checked->result.topology.nodes) {
      if (n.host.value != flags.host) continue;
      probe.node = n.name.value;
      as_root = as_root && needs_root(probe, checked->result.topology, *host);
    }
    const std::string target = remote_path(*host, e->path);
    auto written = (*t)->write_file(target, e->content, e->mode, backup_path(target), as_root);
    if (!written) {
      std::fprintf(stderr, "picket: error: %s: %s (%zu of %zu restored; each restored file's previous version is at <file>.picket-bak)\n",
                   e->path.c_str(), written.error().message.c_str(), done, chosen.size());
      return k_exit_deploy_failed;
    }
    ++done;
  }
  std::printf("restored %s on %s; previous versions kept as <file>.picket-bak; restart its services (or run picket deploy) to use them\n",
              plural(done, "file", "files").c_str(), flags.host.c_str());
  return k_exit_ok;
}

}  // namespace

Command add_backup_command(CLI::App& app) {
  auto flags = std::make_shared<BackupFlags>();
  auto* cmd = app.add_subcommand("backup", "Pull every host's key material and configs and the secrets folder into one encrypted archive");
  add_rollout_flags(*cmd, flags->common);
  cmd->add_option("--out,-o", flags->out, "The archive to write (0600)");
  cmd->add_option("--key", flags->key, "Backup key file (default: .picket/backup.key beside the topology; created on first use)");
  cmd->add_option("--systemd-units", flags->units,
                  "Instead of a backup: write picket-backup.service and .timer for regular backups into DIR");
  cmd->add_option("--archive-dir", flags->archive_dir, "Where the timer's archives go (default /var/backups/picket)");
  cmd->add_option("--on-calendar", flags->on_calendar, "The timer's OnCalendar= (default daily)");
  return [flags] { return run_backup(*flags); };
}

Command add_restore_command(CLI::App& app) {
  auto flags = std::make_shared<RestoreFlags>();
  auto* cmd = app.add_subcommand("restore", "Put one host's files, or the secrets folder, back from a backup archive (never a signing state file)");
  add_rollout_flags(*cmd, flags->common, RolloutScope::one_host);
  cmd->add_option("archive", flags->archive, "The archive `picket backup` wrote")->required();
  cmd->add_option("--host", flags->host, "The inventory host whose files to restore");
  cmd->add_flag("--controller", flags->controller,
                "Restore the controller's secrets folder (--secrets, default .picket/secrets) instead of a host's files");
  cmd->add_option("--key", flags->key, "Backup key file (default: .picket/backup.key beside the topology)");
  cmd->add_flag("--keys-only", flags->keys_only, "Restore only key material (node keys, WireGuard and tmkms keys, HSM wrapped exports, horcrux shards)");
  cmd->add_flag("--yes,-y", flags->yes, "Do not ask for confirmation");
  return [flags] { return run_restore(*flags); };
}

}  // namespace picket::cli
