// <run-id>.partial folders: a sweep removes those whose writer is gone and keeps those of live
// writers, of other hosts and of unknown owners (listed).
#include "core/partial_folder.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path temp_dir() {
  fs::path d =
      fs::temp_directory_path() / ("lazystack_partial_" + std::to_string(getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A pid that belonged to a process that has exited.
pid_t dead_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_owner(const fs::path& dir, const json& owner) {
  fs::create_directories(dir);
  std::ofstream(dir / kPartialOwnerFile) << owner.dump();
}

bool contains(const std::vector<std::string>& v, const fs::path& p) {
  return std::find(v.begin(), v.end(), p.string()) != v.end();
}

TEST(PartialFolder, ClaimRecordsThisProcess) {
  const fs::path d = temp_dir() / "run.partial";
  fs::create_directories(d);
  claim_partial_folder(d.string());
  const json owner = json::parse(read_text(d / kPartialOwnerFile));
  EXPECT_EQ(owner.at("pid").get<long>(), static_cast<long>(getpid()));
  EXPECT_FALSE(owner.at("host").get<std::string>().empty());
  EXPECT_GT(owner.at("start_ticks").get<long long>(), 0);
  EXPECT_FALSE(partial_owner_gone(read_text(d / kPartialOwnerFile)));  // this process lives
  release_partial_folder(d.string());
  EXPECT_FALSE(fs::exists(d / kPartialOwnerFile));
  release_partial_folder(d.string());  // twice: no error
}

TEST(PartialFolder, SweepRemovesFoldersOfStoppedWritersOnly) {
  const fs::path root = temp_dir();
  const json mine = json::parse([&] {
    claim_partial_folder(root.string());  // a record of this (live) process, to edit below
    return read_text(root / kPartialOwnerFile);
  }());
  fs::remove(root / kPartialOwnerFile);

  json dead = mine;
  dead["pid"] = dead_pid();
  write_owner(root / "exp/a.partial", dead);
  std::ofstream(root / "exp/a.partial/summary.json") << "{}";
  write_owner(root / "suite/exp/b.partial/seed-0", json::object());  // only a seed folder
  write_owner(root / "suite/exp/b.partial", dead);
  // A live pid (1, init) whose recorded start time is not its own: a later process reusing the
  // writer's pid, so the writer is gone.
  json reused = mine;
  reused["pid"] = 1;
  reused["start_ticks"] = 999999999999LL;
  write_owner(root / "exp/c.partial", reused);
  // pid 1 lives (init); without a start time the writer may be it: kept.
  json live = mine;
  live["pid"] = 1;
  live.erase("start_ticks");
  write_owner(root / "exp/live.partial", live);
  json elsewhere = dead;
  elsewhere["host"] = "another-host-" + mine["host"].get<std::string>();
  write_owner(root / "exp/elsewhere.partial", elsewhere);
  fs::create_directories(root / "exp/older.partial");  // no owner record (an older version)
  write_owner(root / "exp/garbled.partial", json::object());
  std::ofstream(root / "exp/garbled.partial" / kPartialOwnerFile) << "{not json";
  write_owner(root / "exp/done", dead);            // a complete run folder: not swept
  write_owner(root / "a/b/c/deep.partial", dead);  // deeper than results/<suite>/<experiment>/

  const PartialSweep sweep = sweep_partial_folders(root.string());
  EXPECT_EQ(sweep.removed.size(), 3u);
  EXPECT_TRUE(contains(sweep.removed, root / "exp/a.partial"));
  EXPECT_TRUE(contains(sweep.removed, root / "suite/exp/b.partial"));
  EXPECT_TRUE(contains(sweep.removed, root / "exp/c.partial"));
  EXPECT_FALSE(fs::exists(root / "exp/a.partial"));
  EXPECT_FALSE(fs::exists(root / "suite/exp/b.partial"));
  EXPECT_EQ(sweep.live.size(), 1u);
  EXPECT_TRUE(contains(sweep.live, root / "exp/live.partial"));
  EXPECT_EQ(sweep.unknown.size(), 3u);
  for (const char* kept : {"exp/live.partial", "exp/elsewhere.partial", "exp/older.partial",
                           "exp/garbled.partial", "exp/done", "a/b/c/deep.partial"})
    EXPECT_TRUE(fs::exists(root / kept)) << kept;
  EXPECT_TRUE(sweep_partial_folders((root / "missing").string()).removed.empty());
  fs::remove_all(root);
}

}  // namespace
}  // namespace lazystack
