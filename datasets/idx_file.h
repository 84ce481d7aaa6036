// Reader for gzip-compressed IDX files (the MNIST / Fashion-MNIST format), unsigned bytes only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lazystack {

/// An IDX array of unsigned bytes: dims[0] items of dims[1] x dims[2] x ... values, row-major.
struct IdxArray {
  std::vector<int> dims;
  std::vector<uint8_t> data;
};

/// Reads `path` (gzip-compressed or plain; zlib tells them apart) holding an unsigned-byte IDX
/// array with 1 + inner_dims.size() dimensions whose trailing dimensions equal `inner_dims`
/// (e.g. {28, 28} for images, {} for labels). Wrong magic number, wrong dimensions, a truncated
/// or corrupt stream and trailing data are std::runtime_errors naming the file.
IdxArray read_idx_ubyte(const std::string& path, const std::vector<int>& inner_dims);

}  // namespace lazystack
