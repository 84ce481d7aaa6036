#include "core/parallel.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace lazystack {
namespace {

TEST(ParallelFor, CallsEveryIndexExactlyOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3, 16}) {
    std::vector<int> calls(37, 0);
    parallel_for(static_cast<int>(calls.size()), threads, [&](int i) { calls[i] += 1; });
    EXPECT_EQ(calls, std::vector<int>(37, 1)) << threads << " threads";
  }
  int none = 0;
  parallel_for(0, 4, [&](int) { ++none; });
  EXPECT_EQ(none, 0);
}

TEST(ParallelFor, RethrowsTheWorkersException) {
  for (int threads : {1, 3}) {
    EXPECT_THROW(parallel_for(10, threads,
                              [](int i) {
                                if (i == 4) throw std::runtime_error("index 4 failed");
                              }),
                 std::runtime_error)
        << threads << " threads";
  }
}

TEST(ParallelFor, WorkerThreadsFollowsTheEnvironment) {
  ASSERT_EQ(setenv("LAZYSTACK_THREADS", "3", 1), 0);
  EXPECT_EQ(worker_threads(), 3);
  ASSERT_EQ(setenv("LAZYSTACK_THREADS", "0", 1), 0);  // not >= 1: the affinity mask decides
  EXPECT_GE(worker_threads(), 1);
  unsetenv("LAZYSTACK_THREADS");
  EXPECT_GE(worker_threads(), 1);
}

}  // namespace
}  // namespace lazystack
