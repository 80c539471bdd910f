// BuiltinModinfo: record iteration over modules.builtin.modinfo.
#include "module/builtin_modinfo.hpp"

namespace modkit::module {

using util::ErrorKind;

util::Expected<BuiltinModinfo> BuiltinModinfo::open(const std::string& path) {
    auto file = util::MappedFile::open(path);
    if (!file) return std::unexpected(file.error());
    BuiltinModinfo b;
    b.m_file = std::move(*file);
    b.m_path = path;
    return b;
}

BuiltinModinfo BuiltinModinfo::from_string(std::string data, std::string path) {
    BuiltinModinfo b;
    b.m_owned = std::move(data);
    b.m_use_owned = true;
    b.m_path = std::move(path);
    return b;
}

std::string_view BuiltinModinfo::data() const {
    return m_use_owned ? std::string_view(m_owned) : m_file.chars();
}

util::Expected<void>
BuiltinModinfo::for_each(const std::function<void(std::string_view, std::string_view)>& fn) const {
    std::string_view d = data();
    size_t pos = 0;
    while (pos < d.size()) {
        size_t end = d.find('\0', pos);
        if (end == std::string_view::npos) end = d.size();
        std::string_view rec = d.substr(pos, end - pos);
        auto dot = rec.find('.');
        if (dot == std::string_view::npos)
            return util::fail(ErrorKind::Corrupt, EINVAL, m_path,
                              "unexpected string without modname prefix");
        fn(rec.substr(0, dot), rec.substr(dot + 1));
        pos = end + 1;
    }
    return {};
}

util::Expected<std::vector<std::string_view>>
BuiltinModinfo::lookup(std::string_view modname) const {
    std::string_view d = data();
    size_t pos = 0;
    std::string_view run_name;
    bool in_match = false;
    std::vector<std::string_view> out;
    while (pos < d.size()) {
        size_t end = d.find('\0', pos);
        if (end == std::string_view::npos) end = d.size();
        std::string_view rec = d.substr(pos, end - pos);
        auto dot = rec.find('.');
        if (dot == std::string_view::npos) {
            if (in_match) return out; // libkmod ends the run here
            return util::fail(ErrorKind::Corrupt, EINVAL, m_path,
                              "unexpected string without modname prefix");
        }
        std::string_view name = rec.substr(0, dot);
        if (name != run_name) {
            if (in_match) return out; // the first run is the only one used
            run_name = name;
            in_match = name == modname;
        }
        if (in_match) out.push_back(rec.substr(dot + 1));
        pos = end + 1;
    }
    if (in_match) return out;
    return util::fail(ErrorKind::NotFound, ENOSYS, m_path, "module not in modules.builtin.modinfo");
}

} // namespace modkit::module
