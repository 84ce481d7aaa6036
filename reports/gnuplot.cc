#include "reports/gnuplot.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/log.h"
#include "reports/text_file.h"

namespace lazystack::reports {
namespace fs = std::filesystem;

std::string Gnuplot::locate() const {
  if (command_.empty()) return "";
  auto executable = [](const std::string& p) {
    return fs::is_regular_file(p) && ::access(p.c_str(), X_OK) == 0;
  };
  if (command_.find('/') != std::string::npos) return executable(command_) ? command_ : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + command_;
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

GnuplotRun Gnuplot::run(const std::string& dir, const std::string& script_name) const {
  GnuplotRun result;
  const std::string exe = locate();
  if (exe.empty()) {
    result.output = command_ + ": not found";
    return result;
  }
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args = {exe, script_name};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    result.output = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  const int null_fd = ::open("/dev/null", O_RDONLY);
  const pid_t pid = ::fork();
  if (pid < 0) {
    result.output = std::string("fork: ") + std::strerror(errno);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    if (null_fd >= 0) ::close(null_fd);
    return result;
  }
  if (pid == 0) {
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close(pipe_fds[0]);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  if (null_fd >= 0) ::close(null_fd);
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.started = result.exit_code != 126 && result.exit_code != 127;
  if (result.exit_code == 126) result.output += "cannot enter " + dir;
  return result;
}

std::string gnuplot_outputs(const std::string& stem, const FigureSize& size,
                            const std::string& plot_command) {
  // PNG: the PDF's layout at png_dpi; pngcairo lays fonts out at 72 dpi, hence the scale.
  const double png_scale = size.png_dpi / 72.0;
  // SVG: 96 user units per inch (CSS pixels); its font sizes are in those units too.
  const double svg_scale = 96.0 / 72.0;
  std::string out;
  out += "# Outputs: each written only where this gnuplot has the terminal.\n";
  out += "terminals = \" \" . GPVAL_TERMINALS . \" \"\n";
  out += "do for [format in \"png svg pdf\"] {\n";
  out +=
      "  terminal = format eq \"png\" ? \"pngcairo\" : format eq \"pdf\" ? \"pdfcairo\" : format\n";
  out += "  if (strstrt(terminals, \" \" . terminal . \" \") > 0) {\n";
  out += fmt::format(
      "    if (format eq \"png\") {{ set terminal pngcairo size {:.0f},{:.0f} enhanced "
      "font \"Sans,{:g}\" fontscale {:.3f} linewidth {:.3f} pointscale {:.3f} }}\n",
      size.width_in * size.png_dpi, size.height_in * size.png_dpi, size.font_pt, png_scale,
      png_scale, png_scale);
  out += fmt::format(
      "    if (format eq \"svg\") {{ set terminal svg size {:.0f},{:.0f} dynamic enhanced "
      "font \"Sans,{:g}\" fontscale {:.3f} linewidth {:.3f} }}\n",
      size.width_in * 96, size.height_in * 96, size.font_pt, svg_scale, svg_scale);
  out += fmt::format(
      "    if (format eq \"pdf\") {{ set terminal pdfcairo size {:g}in,{:g}in enhanced "
      "font \"Sans,{:g}\" }}\n",
      size.width_in, size.height_in, size.font_pt);
  out += fmt::format("    set output {} . \".\" . format\n", gnuplot_quote(stem));
  // The plot command, indented to sit inside the loop.
  std::string indented = "    ";
  for (char c : plot_command) {
    indented += c;
    if (c == '\n') indented += "    ";
  }
  while (!indented.empty() && (indented.back() == ' ' || indented.back() == '\n'))
    indented.pop_back();
  out += indented + "\n    unset output\n  }\n}\n";
  return out;
}

std::string gnuplot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string gnuplot_enhanced_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::strchr("_^@&{}~", c)) out += '\\';
    out += c;
  }
  return out;
}

SeriesStyle series_style(int index) {
  // Okabe-Ito and Tol colours, told apart by colour-blind readers, minus yellow, which
  // vanishes on white. 11 colours and 6 shapes are coprime: the first 66 looks all differ.
  static const char* const kColours[kNumSeriesColours] = {
      "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
      "#882255", "#332288", "#999933", "#aa4499", "#44aa99"};
  // Filled / hollow pairs: circle, square, triangle up, triangle down, diamond, pentagon.
  static const int kShapes[][2] = {{7, 6}, {5, 4}, {9, 8}, {11, 10}, {13, 12}, {15, 14}};
  const int n_shapes = static_cast<int>(sizeof kShapes / sizeof kShapes[0]);
  const int i = index < 0 ? 0 : index;
  return {kColours[i % kNumSeriesColours], kShapes[i % n_shapes][0], kShapes[i % n_shapes][1]};
}

void FigureRenderer::warn(const std::string& message) {
  if (warned_) return;
  warned_ = true;
  log_warn("{}", message);
}

bool FigureRenderer::render(const std::string& dir, const std::string& stem, const std::string& csv,
                            const std::string& script) {
  write_text_file((fs::path(dir) / (stem + ".csv")).string(), csv);
  write_text_file((fs::path(dir) / (stem + ".gp")).string(), script);
  if (gnuplot_.command().empty()) return false;  // images turned off: data and script only
  if (!checked_) {
    checked_ = true;
    available_ = !gnuplot_.locate().empty();
    if (!available_)
      warn(
          fmt::format("gnuplot ('{}') is not on PATH: figures are left as data and scripts "
                      "(render them with `cd {} && gnuplot {}.gp`; install gnuplot-nox)",
                      gnuplot_.command(), dir, stem));
  }
  if (!available_) return false;

  // Stale images from an earlier render must not pass for this one's.
  static const char* const kFormats[] = {"png", "svg", "pdf"};
  for (const char* ext : kFormats) {
    std::error_code ec;
    fs::remove(fs::path(dir) / (stem + "." + ext), ec);
  }
  const GnuplotRun run = gnuplot_.run(dir, stem + ".gp");
  std::string missing;
  for (const char* ext : kFormats) {
    const fs::path image = fs::path(dir) / (stem + "." + ext);
    std::error_code ec;
    if (!fs::exists(image, ec) || fs::file_size(image, ec) == 0)
      missing += (missing.empty() ? "" : ", ") + image.filename().string();
  }
  if (run.started && run.exit_code == 0 && missing.empty()) {
    if (!run.output.empty()) log_debug("gnuplot {}/{}.gp said: {}", dir, stem, run.output);
    return true;
  }
  std::string why =
      !run.started ? "could not be run" : fmt::format("exited with status {}", run.exit_code);
  if (run.started && run.exit_code == 0) why = "did not write " + missing;
  std::string output = run.output;
  if (output.size() > 800) output = output.substr(0, 800) + "...";
  while (!output.empty() && std::isspace(static_cast<unsigned char>(output.back())))
    output.pop_back();
  warn(fmt::format("gnuplot {} on {}/{}.gp; the CSV and script are kept{}{}", why, dir, stem,
                   output.empty() ? "" : ": ", output));
  return false;
}

}  // namespace lazystack::reports
