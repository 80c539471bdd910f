// parse_devname(): kmod static-nodes' reading of modules.devname, piece by piece.
#include "index/devname.hpp"

#include <cstdio>

namespace modkit::index {

std::vector<DevnameLine> parse_devname(std::string_view text) {
    std::vector<DevnameLine> out;
    constexpr size_t k_piece = 4095; // fgets with a 4096-byte buffer
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        size_t len = nl == std::string_view::npos ? text.size() - pos : nl + 1 - pos;
        if (len > k_piece) len = k_piece;
        const std::string piece(text.substr(pos, len));
        pos += len;
        if (piece[0] == '#') continue;
        char modname[4096], dev[4096], type = 0;
        unsigned major = 0, minor = 0;
        int matches = std::sscanf(piece.c_str(), "%4095s %4095s %c%u:%u", modname, dev, &type,
                                  &major, &minor);
        DevnameLine line;
        if (matches != 5 || (type != 'c' && type != 'b')) {
            line.invalid = piece.c_str(); // printf("%s") stops at a NUL byte
        } else {
            line.valid = true;
            line.entry = {modname, dev, type, major, minor};
        }
        out.push_back(std::move(line));
    }
    return out;
}

} // namespace modkit::index
