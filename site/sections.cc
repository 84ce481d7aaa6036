#include "site/sections.h"

#include <fmt/core.h>

#include <fstream>

#include "site/html.h"

namespace lazystack::site {
namespace fs = std::filesystem;

std::string up(size_t depth) {
  std::string out;
  for (size_t i = 0; i < depth; ++i) out += "../";
  return out;
}

std::string breadcrumbs(const std::vector<Crumb>& crumbs) {
  std::string out = "<nav class=\"crumbs\">";
  for (size_t i = 0; i < crumbs.size(); ++i) {
    if (i) out += " \u203a ";
    out += crumbs[i].url.empty() ? escape(crumbs[i].text) : link(crumbs[i].url, crumbs[i].text);
  }
  return out + "</nav>\n";
}

std::vector<Crumb> run_crumbs(const RunFolder& run, const std::string& seed) {
  const std::string root = up(run.segments.size() + (seed.empty() ? 0 : 1));
  std::vector<Crumb> c = {{"results", root + "index.html"}};
  if (!run.suite.empty())
    c.push_back({"suite " + run.suite, root + relative_url({run.suite, "index.html"})});
  c.push_back({run.experiment, root + "index.html#" + url_segment("exp-" + run.experiment_key())});
  if (seed.empty()) {
    c.push_back({run.run_id, ""});
  } else {
    c.push_back({run.run_id, "../index.html"});
    c.push_back({seed, ""});
  }
  return c;
}

std::string file_links(const fs::path& page_dir, const std::string& label,
                       const std::vector<std::string>& files) {
  std::string out = "<p class=\"files\">" + escape(label) + " ";
  for (const std::string& f : files) {
    if (fs::exists(page_dir / f)) {
      std::vector<std::string> segments;
      for (const auto& part : fs::path(f)) segments.push_back(part.string());
      out += link(relative_url(segments), f) + " ";
    } else {
      out += "<span class=\"missing\">" + escape(f) + " (missing)</span> ";
    }
  }
  return out + "</p>\n";
}

std::string figure_block(const fs::path& dir, const std::string& stem, const std::string& caption,
                         bool main, const std::vector<std::string>& url_prefix) {
  const fs::path figures = dir / "figures";
  const auto url = [&](const std::string& file) {
    std::vector<std::string> segments = url_prefix;
    segments.push_back("figures");
    segments.push_back(file);
    return relative_url(segments);
  };
  auto has = [&](const char* ext) { return fs::exists(figures / (stem + "." + ext)); };
  const bool svg = has("svg"), png = has("png");
  if (!svg && !png && !has("csv")) return "";  // names-lint: ok (a file extension)
  std::string out = main ? "<figure class=\"main\" id=\"fig-" : "<figure id=\"fig-";
  out += escape(stem) + "\">";
  if (svg || png) {
    // The PNG where there is one: gnuplot lays its text out with cairo's own font metrics,
    // while in an SVG it only estimates them and a browser's fonts run wider (y labels over
    // tic labels, seen in Chromium). The SVG and PDF stay one click away.
    const std::string src = url(stem + (png ? ".png" : ".svg"));
    out += fmt::format("<a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\"{2}></a>", escape(src),
                       escape(caption), main ? "" : " loading=\"lazy\"");
  } else {
    out +=
        "<p class=\"missing\">image not rendered (gnuplot missing or failed); "
        "`lazystack report` on this folder renders it from the data below</p>";
  }
  out += "<figcaption>" + escape(caption) + "<br>";
  for (const char* ext : {"png", "svg", "pdf", "csv", "gp"})  // names-lint: ok (extensions)
    if (has(ext)) out += link(url(stem + "." + ext), ext) + " ";
  return out + "</figcaption></figure>\n";
}

std::string table_section(const fs::path& page_dir, const std::string& id, const std::string& title,
                          const std::string& stem, const std::function<reports::Table()>& make) {
  std::string out = fmt::format("<h3 id=\"{}\">{}</h3>\n", escape(id), escape(title));
  try {
    out += table_html(make(), "table-" + id);
  } catch (const std::exception& e) {
    out += "<p class=\"missing\">table not rendered: " + escape(e.what()) + "</p>\n";
  }
  std::vector<std::string> files;
  for (const char* ext : {".md", ".tex", ".csv"})
    if (fs::exists(page_dir / "tables" / (stem + ext))) files.push_back("tables/" + stem + ext);
  if (!files.empty()) out += file_links(page_dir, "as", files);
  return out;
}

std::string status_badge(RunInfo::Status status) {
  const char* kind = status == RunInfo::Status::kOk         ? "ok"
                     : status == RunInfo::Status::kFailures ? "warn"
                                                            : "bad";
  return fmt::format("<span class=\"badge {}\">{}</span>", kind, status_name(status));
}

std::string problems_block(const RunInfo& info) {
  if (info.problems.empty()) return "";
  std::string head;
  switch (info.status) {
    case RunInfo::Status::kFailures:
      head = "Failures: the run completed, but these did not (exit code 3)";
      break;
    case RunInfo::Status::kPartial:
      head = "Partial run: results are missing";
      break;
    case RunInfo::Status::kUnreadable:
      head = "Unreadable results";
      break;
    case RunInfo::Status::kOk:
      head = "Problems";
  }
  std::string out = "<section class=\"problems\" id=\"problems\"><h2>" + escape(head) + "</h2><ul>";
  for (const std::string& p : info.problems) out += "<li>" + escape(p) + "</li>";
  return out + "</ul></section>\n";
}

std::string file_pre(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<p class=\"missing\">" + escape(path.filename().string()) + " (missing)</p>\n";
  std::string text(max_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(max_bytes));
  text.resize(static_cast<size_t>(in.gcount()));
  const bool cut = in.peek() != std::char_traits<char>::eof();
  return "<pre>" + escape(text) + (cut ? "\n[... cut: open the file for the rest]" : "") +
         "</pre>\n";
}

std::string facts(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out = "<dl class=\"facts\">";
  for (const auto& [term, value] : pairs)
    if (!value.empty()) out += "<dt>" + escape(term) + "</dt><dd>" + escape(value) + "</dd>";
  return out + "</dl>\n";
}

}  // namespace lazystack::site
