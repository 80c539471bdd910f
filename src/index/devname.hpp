// modules.devname: the device nodes a module directory's modules need before they are loaded
// ("<module> <devname> <c|b><major>:<minor>", written by depmod), read as kmod static-nodes
// reads it: 4 KiB fgets pieces, '#' comments, each piece scanned like sscanf("%s %s %c%u:%u").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace modkit::index {

struct DevnameEntry {
    std::string modname;
    std::string devname; // below /dev
    char type = 'c';     // 'c' (character) or 'b' (block)
    unsigned major = 0, minor = 0;
};

// One piece of the file: an entry, or the text of a line that is not one (`invalid`, printed
// as kmod prints it: up to its first NUL byte).
struct DevnameLine {
    bool valid = false;
    DevnameEntry entry;
    std::string invalid;
};

// Every non-comment piece of `text`, in order.
std::vector<DevnameLine> parse_devname(std::string_view text);

} // namespace modkit::index
