#include "core/atomic_file.h"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/file_lock.h"
#include "core/hdf5_io.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  fs::path d =
      fs::temp_directory_path() / ("lazystack_atomic_" + std::to_string(getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `body` in a child process (so a resource limit stays there); its exit code.
template <class Body>
int in_child(const Body& body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(AtomicFile, TemporaryKeepsTheWholeExtensionAndNamesItsProcess) {
  const std::string a = temporary_name("/x/model-abc.json");
  EXPECT_EQ(fs::path(a).parent_path(), "/x");
  EXPECT_EQ(a.substr(a.size() - 5), ".json");
  EXPECT_EQ(a.rfind("/x/model-abc.tmp-", 0), 0u) << a;
  const std::string gz = temporary_name("w/rf.yml.gz");
  EXPECT_EQ(gz.substr(gz.size() - 7), ".yml.gz") << gz;
  EXPECT_EQ(temporary_owner(fs::path(a).filename().string()), static_cast<long>(getpid()));
  EXPECT_EQ(temporary_owner(fs::path(gz).filename().string()), static_cast<long>(getpid()));
  EXPECT_NE(temporary_name("/x/a.h5"), temporary_name("/x/a.h5"));
  EXPECT_EQ(temporary_owner("noext"), -1);
  EXPECT_EQ(temporary_owner("a.h5"), -1);
  EXPECT_EQ(temporary_owner("weights.pt.tmp.4242"), 4242);  // the older form
  EXPECT_EQ(temporary_owner("a.tmp-12-0123abcd.h5"), 12);
  EXPECT_EQ(temporary_owner("a.tmp-12-xyz.h5"), -1);
}

TEST(AtomicFile, ReplacesAndLeavesNothingElse) {
  const fs::path d = temp_dir();
  write_text_atomically((d / "sub/a.json").string(), "old");
  write_text_atomically((d / "sub/a.json").string(), "new");
  EXPECT_EQ(slurp(d / "sub/a.json"), "new");
  EXPECT_EQ(names_in(d / "sub"), std::set<std::string>{"a.json"});
}

TEST(AtomicFile, AWriterThatFailsLeavesTheOldFileAndNoTemporary) {
  const fs::path d = temp_dir();
  write_text_atomically((d / "a.h5").string(), "old");
  EXPECT_THROW(write_file_atomically((d / "a.h5").string(),
                                     [](const std::string& tmp) {
                                       std::ofstream(tmp) << "half";
                                       throw std::runtime_error("boom");
                                     }),
               std::runtime_error);
  EXPECT_EQ(slurp(d / "a.h5"), "old");
  EXPECT_EQ(names_in(d), std::set<std::string>{"a.h5"});
}

// Under a file-size limit (ulimit -f) a write fails with a message, no signal kills the
// process, and neither the final file nor a temporary is left: text and HDF5 alike.
TEST(AtomicFile, FileSizeLimitIsAnErrorNotACrash) {
  const fs::path d = temp_dir();
  const int code = in_child([&] {
    ignore_file_size_signal();
    rlimit limit{4096, 4096};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
    try {
      write_text_atomically((d / "big.txt").string(), std::string(100000, 'x'));
      return 11;
    } catch (const WriteError& e) {
      if (std::string(e.what()).find("File too large") == std::string::npos) return 12;
    }
    const std::vector<float> x(100000, 1.0f);
    try {
      h5::write_atomically((d / "big.h5").string(),
                           [&](h5::File& f) { f.write_f32("/x", x.data(), {x.size()}); });
      return 13;
    } catch (const WriteError&) {
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(names_in(d).empty()) << *names_in(d).begin();
}

TEST(AtomicFile, RemovesTemporariesOfDeadProcessesOnly) {
  const fs::path d = temp_dir();
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string mine = fs::path(temporary_name((d / "live.h5").string())).filename();
  fs::create_directories(d / "deep");
  for (const std::string& name :
       {fmt::format("a.tmp-{}-0123abcd.h5", dead), fmt::format("b.h5.tmp.{}", dead), mine,
        std::string("keep.h5"), std::string("keep.h5.lock")})
    std::ofstream((d / "deep" / name).string()) << "x";
  EXPECT_EQ(remove_orphaned_temporaries(d.string()), 2);
  EXPECT_EQ(names_in(d / "deep"), (std::set<std::string>{mine, "keep.h5", "keep.h5.lock"}));
  EXPECT_EQ(remove_orphaned_temporaries((d / "missing").string()), 0);
}

TEST(FileLock, ASecondHolderWaitsForTheFirst) {
  const fs::path d = temp_dir();
  const std::string entry = (d / "entry.h5").string();
  int ready[2], order[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(order), 0);
  const pid_t child = fork();
  if (child == 0) {
    {
      const FileLock lock(entry, "child");
      char c = 'r';
      if (write(ready[1], &c, 1) != 1) _exit(2);
      usleep(300000);
      c = 'c';
      if (write(order[1], &c, 1) != 1) _exit(2);
    }
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  bool waited;
  {
    const FileLock lock(entry, "parent");
    waited = lock.waited();
    c = 'p';
    ASSERT_EQ(write(order[1], &c, 1), 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(waited);
  char first;
  ASSERT_EQ(read(order[0], &first, 1), 1);
  EXPECT_EQ(first, 'c');  // the child finished its work before the parent got the lock
}

}  // namespace
}  // namespace lazystack
