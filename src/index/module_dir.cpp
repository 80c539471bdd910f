// ModuleDirectory: lazy access to a module directory's indexes.
#include "index/module_dir.hpp"

#include "index/format.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace modkit::index {

const char* index_base_name(IndexKind kind) {
    switch (kind) {
    case IndexKind::Dep:
        return "modules.dep";
    case IndexKind::Alias:
        return "modules.alias";
    case IndexKind::Symbols:
        return "modules.symbols";
    case IndexKind::Builtin:
        return "modules.builtin";
    case IndexKind::BuiltinAlias:
        return "modules.builtin.alias";
    }
    return "";
}

bool is_optional(IndexKind kind) {
    return kind == IndexKind::Builtin || kind == IndexKind::BuiltinAlias ||
           kind == IndexKind::Symbols;
}

ModuleDirectory::ModuleDirectory(std::string dirname)
    : m_dirname(std::move(dirname)) {}

ModuleDirectory::Pending& ModuleDirectory::Pending::operator=(Pending&& o) noexcept {
    if (this != &o) {
        if (fd >= 0) ::close(fd);
        fd = std::exchange(o.fd, -1);
        st = o.st;
    }
    return *this;
}

ModuleDirectory::Pending::~Pending() {
    if (fd >= 0) ::close(fd);
}

util::Expected<const IndexReader*> ModuleDirectory::index(IndexKind kind) const {
    auto& slot = m_indexes[static_cast<size_t>(kind)];
    const std::string path = m_dirname + "/" + index_base_name(kind) + ".bin";
    if (Pending& p = m_pending[static_cast<size_t>(kind)]; !slot && p.fd >= 0) {
        slot.emplace(IndexReader::from_fd(p.fd, path));
        p = Pending{};
    }
    if (!slot) slot.emplace(IndexReader::open(path));
    if (*slot) return &**slot;
    const util::Error& err = slot->error();
    // Missing or unreadable files mean "this source has no answer", as in libkmod; so does an
    // optional index that cannot be used at all (empty, short, bad magic): libkmod ignores it
    // and answers "not built in", "no such symbol". A mandatory one is reported, except to the
    // library, whose lookups ignore any index they cannot open, as libkmod's do.
    if (err.kind == util::ErrorKind::NotFound || err.kind == util::ErrorKind::Io ||
        is_optional(kind) || m_bad_header_is_missing)
        return static_cast<const IndexReader*>(nullptr);
    return std::unexpected(err);
}

util::Expected<void> ModuleDirectory::load(IndexKind kind) {
    const auto i = static_cast<size_t>(kind);
    if ((m_indexes[i] && *m_indexes[i]) || m_pending[i].fd >= 0) return {};
    m_indexes[i].reset();
    const std::string path = m_dirname + "/" + index_base_name(kind) + ".bin";
    Pending p;
    p.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (p.fd < 0) return util::fail_errno(errno, path, "could not open");
    if (::fstat(p.fd, &p.st) < 0) return util::fail_errno(errno, path, "could not stat");
    uint8_t header[k_header_size];
    ssize_t n = S_ISREG(p.st.st_mode) ? ::pread(p.fd, header, sizeof header, 0) : -1;
    if (n < 0 && S_ISREG(p.st.st_mode)) return util::fail_errno(errno, path, "could not read");
    if (n != static_cast<ssize_t>(sizeof header))
        return util::fail(util::ErrorKind::Corrupt, EINVAL, path, "index file too short");
    if (auto r = IndexReader::check_header(std::span<const uint8_t>(header, sizeof header), path);
        !r)
        return r;
    m_pending[i] = std::move(p);
    return {};
}

void ModuleDirectory::unload() {
    for (auto& slot : m_indexes)
        slot.reset();
    for (auto& p : m_pending)
        p = Pending{};
}

const struct stat* ModuleDirectory::open_stat(IndexKind kind) const {
    const auto i = static_cast<size_t>(kind);
    if (m_pending[i].fd >= 0) return &m_pending[i].st;
    const auto& slot = m_indexes[i];
    if (!slot || !*slot) return nullptr;
    return &(*slot)->file_stat();
}

std::string ModuleDirectory::join(std::string_view relpath) const {
    if (relpath.starts_with('/')) return std::string(relpath);
    std::string out = m_dirname;
    out += '/';
    out += relpath;
    return out;
}

DepLine parse_dep_line(std::string_view line) {
    DepLine d;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return d;
    d.path = std::string(line.substr(0, colon));
    for (auto dep : util::split_any(line.substr(colon + 1), " \t"))
        d.deps.emplace_back(dep);
    return d;
}

util::Expected<std::optional<DepLine>> ModuleDirectory::dep(std::string_view modname) const {
    auto idx = index(IndexKind::Dep);
    if (!idx) return std::unexpected(idx.error());
    if (*idx == nullptr) return std::nullopt;
    auto line = (*idx)->search(modname);
    if (!line) return std::unexpected(line.error());
    if (!*line) return std::nullopt;
    DepLine d = parse_dep_line(**line);
    if (d.path.empty()) return std::nullopt;
    d.path = join(d.path);
    for (auto& dep : d.deps)
        dep = join(dep);
    return d;
}

util::Expected<bool> ModuleDirectory::is_builtin(std::string_view modname) const {
    auto idx = index(IndexKind::Builtin);
    if (!idx) return std::unexpected(idx.error());
    if (*idx == nullptr) return false;
    auto v = (*idx)->search(modname);
    if (!v) return std::unexpected(v.error());
    return v->has_value();
}

} // namespace modkit::index
