// Report's DKMS-style helpers and the two sinks.
#include "dkms/report.hpp"

#include "util/diag.hpp"
#include "util/output.hpp"

namespace modkit::dkms {

namespace {

std::string prefixed(std::string_view prefix, const std::vector<std::string>& lines) {
    std::string text(prefix);
    for (const auto& l : lines)
        text += l + "\n";
    if (lines.empty()) text += "\n";
    return text;
}

} // namespace

void Report::error(const std::vector<std::string>& lines) {
    err(prefixed("Error! ", lines));
}
void Report::warning(const std::vector<std::string>& lines) {
    err(prefixed("Warning: ", lines));
}
void Report::deprecated(std::string_view what) {
    err("Deprecated feature: " + std::string(what) + "\n");
}

void ConsoleReport::out(std::string_view text) {
    util::Output::write(text);
}
void ConsoleReport::err(std::string_view text) {
    util::Diag::raw(text);
}

void BufferedReport::replay(Report& to) const {
    for (const auto& item : m_items) {
        if (item.is_err)
            to.err(item.text);
        else
            to.out(item.text);
    }
}

} // namespace modkit::dkms
