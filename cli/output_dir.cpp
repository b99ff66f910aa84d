#include "cli/output_dir.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <thread>
#include <unordered_set>
#include <sys/stat.h>
#include <unistd.h>

namespace picket::cli {

namespace fs = std::filesystem;

namespace {
std::string errno_text(const std::string& what, const std::string& path) {
  return path + ": " + what + ": " + std::strerror(errno);
}

tl::expected<void, std::string> write_all(int fd, const std::string& content,
                                          const std::string& path) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::make_unexpected(errno_text("cannot write", path));
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return {};
}

// A file of the fresh staging tree: created exclusively, no fsync of its own (the whole tree is
// synced once before it is swapped in, which is what makes 20k small files fast).
tl::expected<void, std::string> write_staged(const std::string& path, const std::string& content,
                                             unsigned mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
  if (fd < 0) return tl::make_unexpected(errno_text("cannot create", path));
  auto written = write_all(fd, content, path);
  if (written && ::fchmod(fd, mode & 07777) != 0) written = tl::make_unexpected(errno_text("chmod", path));
  ::close(fd);
  return written;
}

// A rendered path must stay inside its host folder: absolute, no "..".
bool safe_relative(const fs::path& p) {
  for (const auto& part : p)
    if (part == "..") return false;
  return true;
}
}  // namespace

tl::expected<void, std::string> write_file_atomic(const std::string& path,
                                                  const std::string& content, unsigned mode) {
  const std::string tmp = path + ".picket-tmp";
  // A stale temp file (or a link planted at its name) goes first; the new one is created
  // exclusively and never through a symlink.
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        mode & 07777);
  if (fd < 0) return tl::make_unexpected(errno_text("cannot create", tmp));
  auto written = write_all(fd, content, tmp);
  // The mode given to open() is filtered by the umask; secrets must end up exactly 0600.
  if (written && ::fchmod(fd, mode & 07777) != 0) written = tl::make_unexpected(errno_text("chmod", tmp));
  if (written && ::fsync(fd) != 0) written = tl::make_unexpected(errno_text("fsync", tmp));
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = errno_text("cannot rename into place", path);
    ::unlink(tmp.c_str());
    return tl::make_unexpected(err);
  }
  return {};
}

tl::expected<void, std::string> write_output_dir(
    const std::string& dir, const FileSet& files,
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::error_code ec;
  const fs::path target = fs::path(dir).lexically_normal();
  // The old tree is replaced whole: only ever replace an earlier render, never a directory
  // that holds something else.
  if (fs::exists(target, ec) &&
      (!fs::is_directory(target, ec) ||
       (!fs::is_empty(target, ec) && !fs::exists(target / k_render_marker, ec))))
    return tl::make_unexpected(target.string() +
                               ": exists and is not an earlier picket render output (no " +
                               std::string(k_render_marker) + "); choose a new or empty directory");
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) return tl::make_unexpected(parent.string() + ": cannot create: " + ec.message());

  std::string stage_template = (parent / (target.filename().string() + ".picket-XXXXXX")).string();
  if (::mkdtemp(stage_template.data()) == nullptr)
    return tl::make_unexpected(errno_text("cannot create a staging directory", parent.string()));
  const fs::path stage = stage_template;
  auto fail = [&](std::string message) -> tl::expected<void, std::string> {
    fs::remove_all(stage, ec);
    return tl::make_unexpected(std::move(message));
  };
  ::chmod(stage.c_str(), 0700);

  // Writing is mostly kernel time per file: two threads, each with its own slice of the
  // files (whole hosts, so their directories rarely overlap) and its own directory cache.
  auto write_slice = [&stage](const FileSet& all, std::size_t begin, std::size_t end)
      -> tl::expected<void, std::string> {
    std::unordered_set<std::string> made;  // every node's config/ holds several files
    std::error_code dir_ec;
    for (std::size_t i = begin; i < end; ++i) {
      const RenderedFile& f = all[i];
      const fs::path rel = fs::path(f.path).relative_path();
      if (!safe_relative(rel)) return tl::make_unexpected(f.path + ": refusing a path with \"..\"");
      if (f.host == "." || f.host == ".." || f.host.find('/') != std::string::npos)
        return tl::make_unexpected(f.host + ": refusing a host folder name that leaves the output");
      const fs::path out = f.host.empty() ? stage / rel : stage / f.host / rel;
      if (made.insert(out.parent_path().string()).second) {
        fs::create_directories(out.parent_path(), dir_ec);  // tolerates a concurrent creator
        if (dir_ec)
          return tl::make_unexpected(out.parent_path().string() + ": cannot create: " +
                                     dir_ec.message());
      }
      auto w = write_staged(out.string(), f.content, f.mode);
      if (!w) return w;
    }
    return {};
  };
  std::size_t split = files.size() / 2;
  while (split > 0 && split < files.size() && files[split].host == files[split - 1].host) ++split;
  tl::expected<void, std::string> second_half;
  std::thread helper([&] { second_half = write_slice(files, split, files.size()); });
  auto first_half = write_slice(files, 0, split);
  helper.join();
  if (!first_half) return fail(first_half.error());
  if (!second_half) return fail(second_half.error());
  for (const auto& [name, content] : extra) {
    auto w = write_staged((stage / name).string(), content, 0644);
    if (!w) return fail(w.error());
  }
  // One flush of the file system holding the tree, instead of one fsync per file.
  if (const int dfd = ::open(stage.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    const int rc = ::syncfs(dfd);
    ::close(dfd);
    if (rc != 0) return fail(errno_text("cannot sync", stage.string()));
  }

  // Swap: old → aside, new → in place, then drop the old one.
  const fs::path aside = stage.string() + ".old";
  const bool had_old = fs::exists(target, ec);
  if (had_old && ::rename(target.c_str(), aside.c_str()) != 0)
    return fail(errno_text("cannot move the previous output aside", target.string()));
  if (::rename(stage.c_str(), target.c_str()) != 0) {
    const std::string err = errno_text("cannot move the new output into place", target.string());
    if (had_old) ::rename(aside.c_str(), target.c_str());
    return fail(err);
  }
  if (had_old) fs::remove_all(aside, ec);
  return {};
}

}  // namespace picket::cli
