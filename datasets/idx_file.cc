#include "datasets/idx_file.h"

#include <fmt/core.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "core/size_check.h"
#include "datasets/prefault.h"

namespace lazystack {
namespace {

using GzFile = std::unique_ptr<gzFile_s, decltype(&gzclose)>;

constexpr unsigned kUbyteType = 0x08;
constexpr int64_t kMaxElements = int64_t{1} << 31;  // a corrupt header must not allocate GBs

std::string gz_message(gzFile f) {
  int code = Z_OK;
  const char* msg = gzerror(f, &code);
  if (code == Z_OK) return "end of file";
  return (msg && *msg) ? msg : fmt::format("zlib error {}", code);
}

// Reads exactly `bytes` bytes or throws, saying how far it got and what zlib reported.
void read_exact(gzFile f, void* buf, size_t bytes, const std::string& path, const char* what) {
  auto* out = static_cast<unsigned char*>(buf);
  size_t done = 0;
  while (done < bytes) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(bytes - done, 1u << 30));
    const int got = gzread(f, out + done, chunk);
    if (got <= 0)
      throw std::runtime_error(
          fmt::format("{}: truncated or corrupt IDX file: read {} of the {} bytes of {} ({})", path,
                      done, bytes, what, gz_message(f)));
    done += static_cast<size_t>(got);
  }
}

uint32_t big_endian(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

IdxArray read_idx_ubyte(const std::string& path, const std::vector<int>& inner_dims) {
  GzFile file(gzopen(path.c_str(), "rb"), &gzclose);
  if (!file) throw std::runtime_error(fmt::format("{}: cannot open for reading", path));
  gzbuffer(file.get(), 1 << 18);

  const size_t ndims = inner_dims.size() + 1;
  unsigned char magic[4];
  read_exact(file.get(), magic, sizeof magic, path, "the magic number");
  const uint32_t expected_magic = (kUbyteType << 8) | static_cast<uint32_t>(ndims);
  if (big_endian(magic) != expected_magic)
    throw std::runtime_error(
        fmt::format("{}: wrong magic number 0x{:08x}, expected 0x{:08x} (IDX, unsigned bytes, {} "
                    "dimensions): not the IDX file expected here",
                    path, big_endian(magic), expected_magic, ndims));

  std::vector<unsigned char> header(4 * ndims);
  read_exact(file.get(), header.data(), header.size(), path, "the dimensions");
  IdxArray a;
  int64_t elements = 1;
  for (size_t d = 0; d < ndims; ++d) {
    const uint32_t n = big_endian(header.data() + 4 * d);
    if (n > static_cast<uint32_t>(kMaxElements))
      throw std::runtime_error(fmt::format("{}: dimension {} is {}: corrupt header", path, d, n));
    a.dims.push_back(static_cast<int>(n));
    elements *= n;
    if (elements > kMaxElements)
      throw std::runtime_error(
          fmt::format("{}: header declares more than {} values: corrupt", path, kMaxElements));
  }
  for (size_t d = 1; d < ndims; ++d)
    if (a.dims[d] != inner_dims[d - 1])
      throw std::runtime_error(fmt::format("{}: dimension {} is {}, expected {}", path, d,
                                           a.dims[d], inner_dims[d - 1]));

  // The header's claim against the file: a plain file holds exactly its values after the
  // header, a gzip one cannot inflate beyond deflate's maximum ratio (1032:1).
  std::error_code size_error;
  const uint64_t file_size = std::filesystem::file_size(path, size_error);
  if (!size_error) {
    const uint64_t header_bytes = 4 * (ndims + 1);
    const uint64_t most = gzdirect(file.get()) ? file_size - std::min(file_size, header_bytes)
                                               : checked_mul(file_size, 1032, path, "IDX size");
    if (static_cast<uint64_t>(elements) > most)
      throw SizeError(path,
                      fmt::format("the IDX header declares {} values, the file ({} bytes{}) "
                                  "cannot hold more than {}: truncated or corrupt",
                                  elements, file_size, gzdirect(file.get()) ? "" : ", gzip", most));
  }
  check_fits_in_memory(static_cast<uint64_t>(elements), path, "reading this IDX file");
  resize_prefaulted(a.data, static_cast<size_t>(elements));
  read_exact(file.get(), a.data.data(), a.data.size(), path, "the values");
  // One more byte must be the end; reading it also makes zlib check the gzip CRC and length.
  unsigned char extra;
  const int tail = gzread(file.get(), &extra, 1);
  if (tail > 0)
    throw std::runtime_error(fmt::format(
        "{}: more data than the header's {} values: corrupt or not this IDX file", path, elements));
  int code = Z_OK;
  gzerror(file.get(), &code);
  if (tail < 0 || code != Z_OK)
    throw std::runtime_error(
        fmt::format("{}: corrupt gzip stream ({})", path, gz_message(file.get())));
  return a;
}

}  // namespace lazystack
