#include "zoo/opencv_storage.h"

#include <zlib.h>

#include <climits>
#include <opencv2/core.hpp>
#include <stdexcept>

#include "core/atomic_file.h"

namespace lazystack {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string gzip_bytes(const std::string& bytes) {
  if (bytes.size() > UINT_MAX / 2) throw std::runtime_error("zlib: too much data for one block");
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: cannot start compressing");
  // deflateBound covers the whole stream (gzip header and trailer included): one call does it.
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: compression failed");
  return out;
}

void write_opencv_storage(const std::string& path,
                          const std::function<void(cv::FileStorage&)>& fill) {
  const std::string plain = ends_with(path, ".gz") ? path.substr(0, path.size() - 3) : path;
  // With MEMORY the name only picks the format (its extension).
  const size_t dot = plain.rfind('.');
  const std::string format = dot == std::string::npos ? ".yml" : plain.substr(dot);
  cv::FileStorage fs(format, cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
  if (!fs.isOpened()) throw std::runtime_error("OpenCV cannot write " + format + " storage");
  fill(fs);
  std::string text = fs.releaseAndGetString();
  if (plain.size() != path.size()) text = gzip_bytes(text);
  write_bytes_to(path, text.data(), text.size());
}

}  // namespace lazystack
