#pragma once
// What `picket deploy` shows while it works (issue 10, item 13). Every record goes to the
// deploy log (`.picket/deploy.log`, JSON lines) whatever is shown:
//   live     (stdout is a terminal): one line per host of the step under way, updated in place
//            with its elapsed time and what it waits for; finished steps stay on screen;
//   concise  (no terminal): one line per step and per host event that matters (restart,
//            health, reloads, rollback, lock take-over, any failure), never a file path;
//   verbose  (--verbose): every record, as the log has it.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "deploy/deploy_log.hpp"

namespace picket::cli {

class DeployProgress {
 public:
  enum class Mode { live, concise, verbose };

  DeployProgress(const std::string& log_path, Mode mode, std::FILE* out);
  /// Stops the live display (final redraw).
  ~DeployProgress();
  DeployProgress(const DeployProgress&) = delete;
  DeployProgress& operator=(const DeployProgress&) = delete;

  /// One record of the deploy (calls are serialized by the deploy).
  void operator()(const LogRecord& r);
  /// Ends the live display: the last step's lines are drawn once more and left.
  void finish();

 private:
  struct Row {
    std::string host;
    std::string state;
    std::chrono::steady_clock::time_point started;
    bool done = false;
    std::chrono::steady_clock::time_point ended{};  // when done: its time stops there
  };
  double elapsed() const;
  void line(const LogRecord& r);       // concise and verbose
  void update(const LogRecord& r);     // live
  void redraw();                       // live, with m_mutex held
  Row& row(const std::string& host);

  Mode m_mode;
  std::FILE* m_out;
  std::chrono::steady_clock::time_point m_start;
  std::ofstream m_log;
  std::mutex m_mutex;
  std::vector<Row> m_rows;  // the block being updated
  int m_drawn = 0;          // lines of the block on screen
  bool m_stop = false;
  std::condition_variable m_wake;
  std::thread m_ticker;
};

}  // namespace picket::cli
