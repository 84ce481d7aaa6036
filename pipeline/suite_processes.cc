#include "pipeline/suite_processes.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>

#include "core/log.h"
#include "core/parallel.h"

extern char** environ;

namespace lazystack {
namespace fs = std::filesystem;

namespace {

double work_estimate(const ExperimentConfig& cfg) {
  const Options& d = cfg.dataset_options;
  for (const char* key : {"classes", "val_size", "test_size"})
    if (!d.has(key)) return 0.0;
  try {
    return static_cast<double>(d.get_int("val_size") + d.get_int("test_size")) *
           static_cast<double>(d.get_int("classes")) * static_cast<double>(cfg.zoo.size());
  } catch (const std::exception&) {  // not integers: no estimate
    return 0.0;
  }
}

// The last `n` lines of a text file (a failed child's log), each indented.
std::string last_lines(const std::string& path, size_t n) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > n) lines.pop_front();
  }
  std::string out;
  for (const std::string& l : lines) out += "\n    " + l;
  return out;
}

// A signal that stops the suite (SIGINT, SIGTERM, SIGHUP) is passed on to the children, so
// that killing `run SUITE --jobs N` stops its experiments too instead of orphaning them.
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void record_stop_signal(int sig) { g_stop_signal = sig; }

// Installs record_stop_signal for the suite's life (without SA_RESTART, so that the wait
// loop's sleep is cut short) and restores the previous handlers when it ends.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction sa {};
    sa.sa_handler = record_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &sa, &previous_[i]);
  }
  ~StopSignals() {
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> previous_{};
};

struct Child {
  size_t experiment = 0;
  pid_t pid = -1;
  std::string log, record;
  std::chrono::steady_clock::time_point start;
};

// Starts `argv` with stdout and stderr appended to `log` and `env` as its environment.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, STDIN_FILENO);
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw std::runtime_error(fmt::format("cannot start {}: {}", argv[0], std::strerror(rc)));
  return pid;
}

}  // namespace

std::vector<size_t> suite_start_order(const SuiteConfig& suite) {
  std::vector<size_t> order(suite.experiments.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return work_estimate(suite.experiments[a]) > work_estimate(suite.experiments[b]);
  });
  return order;
}

std::vector<std::string> run_suite_in_processes(const SuiteConfig& suite, const RunOptions& options,
                                                const SuiteProcesses& p) {
  if (p.jobs < 2) throw std::invalid_argument("run_suite_in_processes needs jobs >= 2");
  const auto t0 = std::chrono::steady_clock::now();
  const std::string log_dir = suite.results_dir + "/logs";
  fs::create_directories(log_dir);

  // The children share the machine: each gets its share of the CPUs unless the user chose.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  const bool threads_set = std::getenv("LAZYSTACK_THREADS") != nullptr;
  const int threads = std::max(1, worker_threads() / p.jobs);
  if (!threads_set) env.push_back(fmt::format("LAZYSTACK_THREADS={}", threads));
  log_info("[suite] {}: {} experiments, {} at once, each its own process ({}); logs in {}",
           suite.suite, suite.experiments.size(), p.jobs,
           threads_set ? "LAZYSTACK_THREADS from the environment"
                       : fmt::format("{} thread(s) each", threads),
           log_dir);

  std::vector<std::string> run_dirs(suite.experiments.size());
  const std::vector<size_t> order = suite_start_order(suite);
  std::map<pid_t, Child> running;
  size_t next = 0, done = 0;
  auto start_next = [&] {
    const size_t i = order[next++];
    const ExperimentConfig& cfg = suite.experiments[i];
    Child c;
    c.experiment = i;
    c.log = log_dir + "/" + cfg.experiment + ".log";
    c.record = log_dir + "/" + cfg.experiment + ".run-dir";
    fs::remove(c.record);
    std::vector<std::string> argv = {
        p.executable, "run", suite.path, "--only", cfg.experiment, "--record-run-dir", c.record};
    if (p.force) argv.push_back("--force");
    if (!p.overrides.empty()) {
      argv.push_back("--set");
      argv.insert(argv.end(), p.overrides.begin(), p.overrides.end());
    }
    c.start = std::chrono::steady_clock::now();
    c.pid = spawn_logged(argv, env, c.log);
    log_info("[suite] {} started (pid {}, log {})", cfg.experiment, c.pid, c.log);
    running[c.pid] = c;
  };
  std::vector<std::string> failures;
  g_stop_signal = 0;
  const StopSignals stop_signals;
  while (done < suite.experiments.size()) {
    if (g_stop_signal) {
      const int sig = g_stop_signal;
      log_warn("[suite] {}: stopped by signal {}; stopping the {} running experiment(s)",
               suite.suite, sig, running.size());
      for (const auto& [pid, child] : running) ::kill(pid, SIGTERM);
      for (const auto& [pid, child] : running) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
      // Their .partial run folders record dead writers: the next run removes them, and every
      // finished cache entry is reused.
      throw std::runtime_error(fmt::format(
          "suite '{}' stopped by signal {} after {} of {} experiments; run it again to resume "
          "from the cache",
          suite.suite, sig, done, suite.experiments.size()));
    }
    while (running.size() < static_cast<size_t>(p.jobs) && next < order.size()) start_next();
    int status = 0;
    // Polled, not blocking: a stop signal that arrives just before a blocking wait would
    // otherwise be seen only when some child ends.
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid == 0) {
      ::usleep(100000);  // cut short by a signal
      continue;
    }
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("waiting for the suite's processes: ") +
                               std::strerror(errno));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;  // not one of ours
    const Child c = it->second;
    running.erase(it);
    ++done;
    const ExperimentConfig& cfg = suite.experiments[c.experiment];
    const double minutes =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - c.start).count() / 60.0;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::string run_dir;
    if (code == 0 || code == 3) {  // 3: the run completed with failed parts
      std::ifstream in(c.record);
      std::getline(in, run_dir);
    }
    if (!run_dir.empty()) run_dirs[c.experiment] = run_dir;
    const std::string how = WIFSIGNALED(status)
                                ? fmt::format("killed by signal {}", WTERMSIG(status))
                                : fmt::format("exit {}", code);
    if (code == 0 && !run_dir.empty()) {
      log_info("[suite] {} done in {:.1f} min ({}/{}): {}", cfg.experiment, minutes, done,
               suite.experiments.size(), run_dir);
      continue;
    }
    const std::string what = run_dir.empty()
                                 ? fmt::format("experiment '{}' of suite '{}' failed ({}); log {}",
                                               cfg.experiment, suite.suite, how, c.log)
                                 : fmt::format(
                                       "experiment '{}' of suite '{}' completed with "
                                       "failed parts ({}); log {}",
                                       cfg.experiment, suite.suite, how, c.log);
    log_warn("[suite] {} after {:.1f} min; the log ends:{}", what, minutes, last_lines(c.log, 15));
    failures.push_back(what);
  }
  if (options.failures)
    options.failures->insert(options.failures->end(), failures.begin(), failures.end());
  else if (!failures.empty())
    throw std::runtime_error(failures.front());

  nlohmann::json runs = nlohmann::json::object();
  std::vector<std::string> done_dirs;
  for (size_t i = 0; i < suite.experiments.size(); ++i)
    if (!run_dirs[i].empty()) {
      runs[suite.experiments[i].experiment] = run_dirs[i];
      done_dirs.push_back(run_dirs[i]);
    }
  finish_suite(suite, runs, suite_site_root(suite));
  log_info("[suite] {}: {} runs in {:.1f} min ({} at once); run folders listed in {}/runs.json",
           suite.suite, done_dirs.size(),
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 60.0,
           p.jobs, suite.results_dir);
  return done_dirs;
}

}  // namespace lazystack
