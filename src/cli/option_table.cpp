// OptionParser: getopt_long driven by an OptionSpec table; the list of every tool's table.
#include "cli/option_table.hpp"

namespace modkit::cli {

OptionParser::OptionParser(std::span<const OptionSpec> specs, std::string_view mode)
    : m_specs(specs)
    , m_short(mode) {
    for (const OptionSpec& s : specs) {
        const int has_arg = s.value == ValueKind::None ? no_argument : required_argument;
        if (!s.long_name.empty()) m_long.push_back({s.long_name.data(), has_arg, nullptr, s.id});
        if (s.short_name != 0 && m_short.find(s.short_name) == std::string::npos) {
            m_short += s.short_name;
            if (has_arg == required_argument) m_short += ':';
        }
    }
    m_long.push_back({nullptr, 0, nullptr, 0});
}

int OptionParser::next(int argc, char** argv) {
    m_index = -1;
    m_id = getopt_long(argc, argv, m_short.c_str(), m_long.data(), &m_index);
    return m_id;
}

std::string OptionParser::typed() const {
    if (m_index >= 0) return std::string("--") + m_long[static_cast<size_t>(m_index)].name;
    return std::string("-") + static_cast<char>(m_id);
}

std::span<const ToolOptions> all_tool_options() {
    static const ToolOptions k_all[] = {
        {"depmod", depmod_options()},
        {"modprobe", modprobe_options()},
        {"modinfo", modinfo_options()},
        {"insmod", insmod_options()},
        {"rmmod", rmmod_options()},
        {"lsmod", lsmod_options()},
        {"static-nodes", static_nodes_options()},
    };
    return k_all;
}

} // namespace modkit::cli
