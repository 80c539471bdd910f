// modules.builtin.modinfo: the .modinfo of every built-in module, as NUL-terminated records
// "modname.key=value". libkmod groups consecutive records with the same module name; only the
// first such run for a module counts.
#pragma once

#include "util/error.hpp"
#include "util/mapped_file.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::module {

class BuiltinModinfo {
public:
    static util::Expected<BuiltinModinfo> open(const std::string& path);
    static BuiltinModinfo from_string(std::string data, std::string path);

    // The "key=value" strings of the first run of records for `modname`. Fails with ENOSYS
    // (kind NotFound) if the module has no records, EINVAL on a record without a '.'.
    util::Expected<std::vector<std::string_view>> lookup(std::string_view modname) const;
    // Calls fn(modname, "key=value") for every record, in file order.
    util::Expected<void>
    for_each(const std::function<void(std::string_view, std::string_view)>& fn) const;

private:
    std::string_view data() const;

    util::MappedFile m_file;
    std::string m_owned;
    bool m_use_owned = false;
    std::string m_path;
};

} // namespace modkit::module
