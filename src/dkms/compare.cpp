// VER() re-done without sed.
#include "dkms/compare.hpp"

#include <cctype>

namespace modkit::dkms {

std::string ver_key(std::string_view version) {
    // sed inserts spaces at every digit/non-digit boundary, pads one- and two-digit runs
    // that sit between spaces, then deletes all spaces.
    std::string out;
    size_t i = 0;
    while (i < version.size()) {
        size_t j = i;
        bool digits = std::isdigit(static_cast<unsigned char>(version[i])) != 0;
        while (j < version.size() &&
               (std::isdigit(static_cast<unsigned char>(version[j])) != 0) == digits)
            ++j;
        std::string_view run = version.substr(i, j - i);
        if (digits && run.size() < 3) out.append(3 - run.size(), '0');
        for (char c : run)
            if (c != ' ' && c != '\t' && c != '\n') out += c;
        i = j;
    }
    return out;
}

int ver_compare(std::string_view a, std::string_view b) {
    int c = ver_key(a).compare(ver_key(b));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

} // namespace modkit::dkms
