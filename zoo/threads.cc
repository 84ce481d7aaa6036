#include "zoo/threads.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdlib>
#include <opencv2/core/utility.hpp>
#include <thread>

namespace lazystack {

int default_compute_threads() {
  if (const char* env = std::getenv("LAZYSTACK_THREADS"); env && std::atoi(env) >= 1)
    return std::atoi(env);
  return std::max(1u, std::thread::hardware_concurrency());
}

ScopedComputeThreads::ScopedComputeThreads(int threads)
    : previous_torch_(at::get_num_threads()), previous_opencv_(cv::getNumThreads()) {
  at::set_num_threads(threads);
  cv::setNumThreads(threads);
}

ScopedComputeThreads::~ScopedComputeThreads() {
  at::set_num_threads(previous_torch_);
  cv::setNumThreads(previous_opencv_);
}

}  // namespace lazystack
