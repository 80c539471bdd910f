// Origin descriptions.
#include "config/diagnostic.hpp"

namespace modkit::config {

std::string Origin::describe() const {
    if (file.empty()) return "kernel command line";
    if (line == 0) return file;
    return file + ":" + std::to_string(line);
}

} // namespace modkit::config
