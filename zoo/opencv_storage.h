// OpenCV FileStorage writes with every byte checked. cv::FileStorage writing to a file ignores
// failed writes (disk full, file-size limit: the file is silently truncated), so weights are
// serialised in memory and written with lazystack's checked writes instead.
#pragma once

#include <functional>
#include <string>

namespace cv {
class FileStorage;
}

namespace lazystack {

/// Writes `path` (an OpenCV .yml/.xml/.json file, gzip-compressed when it ends in ".gz") with
/// the nodes `fill` adds to an in-memory FileStorage; the bytes go out through
/// write_bytes_to (checked writes, fsync, checked close). Throws WriteError on a failed write.
void write_opencv_storage(const std::string& path,
                          const std::function<void(cv::FileStorage&)>& fill);

/// `bytes` as a gzip stream (what OpenCV's .gz files and gzopen read).
std::string gzip_bytes(const std::string& bytes);

}  // namespace lazystack
