// FakeSystem: the in-memory kernel of the unit tests.
#include "fake_system.hpp"

#include "module/module_file.hpp"
#include "module/names.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::test {

namespace {

std::string parent_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string leaf_of(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

// The name the kernel would take from the image: .gnu.linkonce.this_module, else modinfo's
// name=; empty when the image is not a module at all.
std::string module_name(util::Expected<module::ModuleFile> mod) {
    if (!mod) return {};
    if (auto n = mod->this_module_name(); n && !n->empty()) return std::string(*n);
    if (auto info = mod->modinfo())
        for (const auto& e : *info)
            if (e.key == "name") return std::string(e.value);
    return {};
}

} // namespace

FakeSystem::FakeSystem() {
    m_dirs["/"];
}

void FakeSystem::add_dir(const std::string& path) {
    if (path == "/" || m_dirs.contains(path)) return;
    std::string parent = parent_of(path);
    add_dir(parent);
    m_dirs[path];
    m_dirs[parent].push_back(leaf_of(path));
}

void FakeSystem::set_file(const std::string& path, const std::string& content) {
    std::string parent = parent_of(path);
    add_dir(parent);
    if (!m_files.contains(path)) m_dirs[parent].push_back(leaf_of(path));
    m_files[path] = content;
}

void FakeSystem::remove(const std::string& path) {
    const std::string prefix = path + "/";
    std::erase_if(m_files,
                  [&](const auto& kv) { return kv.first == path || kv.first.starts_with(prefix); });
    std::erase_if(m_dirs,
                  [&](const auto& kv) { return kv.first == path || kv.first.starts_with(prefix); });
    auto parent = m_dirs.find(parent_of(path));
    if (parent != m_dirs.end()) std::erase(parent->second, leaf_of(path));
}

void FakeSystem::set_error(const std::string& path, int err) {
    if (err == 0)
        m_errors.erase(path);
    else
        m_errors[path] = err;
}

bool FakeSystem::exists(const std::string& path) const {
    return m_files.contains(path) || m_dirs.contains(path);
}

void FakeSystem::add_module(const std::string& name, const Module& m) {
    const std::string dir = "/sys/module/" + name;
    remove(dir);
    add_dir(dir);
    if (!m.initstate.empty()) set_file(dir + "/initstate", m.initstate + "\n");
    if (m.refcnt) set_file(dir + "/refcnt", std::to_string(*m.refcnt) + "\n");
    if (m.coresize) set_file(dir + "/coresize", std::to_string(*m.coresize) + "\n");
    add_dir(dir + "/holders");
    for (const std::string& h : m.holders)
        add_dir(dir + "/holders/" + h);
    if (std::find(m_loaded.begin(), m_loaded.end(), name) == m_loaded.end())
        m_loaded.push_back(name);
    m_sizes[name] = m.size;
}

void FakeSystem::remove_module_state(const std::string& name) {
    remove("/sys/module/" + name);
    std::erase(m_loaded, name);
    m_sizes.erase(name);
}

std::string FakeSystem::proc_modules() const {
    std::string out;
    for (const std::string& name : m_loaded) {
        const std::string dir = "/sys/module/" + name;
        std::string used_by;
        if (auto h = m_dirs.find(dir + "/holders"); h != m_dirs.end())
            for (const std::string& holder : h->second)
                used_by += holder + ",";
        std::string refs = "0";
        if (auto r = m_files.find(dir + "/refcnt"); r != m_files.end())
            refs = r->second.substr(0, r->second.find('\n'));
        out += name + " " + std::to_string(m_sizes.at(name)) + " " + refs + " " +
               (used_by.empty() ? "-" : used_by) + " Live 0x0000000000000000\n";
    }
    return out;
}

int FakeSystem::insert(const std::string& name, size_t size) {
    if (auto r = m_insert_result.find(name); r != m_insert_result.end()) {
        if (r->second == 0 && m_simulate) add_module(name, Module{});
        return r->second;
    }
    if (!m_simulate) return 0;
    if (name.empty()) return -ENOEXEC;
    if (std::find(m_loaded.begin(), m_loaded.end(), name) != m_loaded.end()) return -EEXIST;
    Module m;
    m.size = static_cast<long>(size);
    m.coresize = static_cast<long>(size);
    add_module(name, m);
    return 0;
}

int FakeSystem::finit_module(int fd, const std::string& params, int flags) {
    Call call{CallKind::FinitModule, {}, {}, params, flags, 0, {}};
    char target[4096];
    ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), target, sizeof target);
    if (n > 0) call.path.assign(target, static_cast<size_t>(n));
    struct stat st {};
    if (::fstat(fd, &st) == 0) call.image_size = static_cast<size_t>(st.st_size);
    call.name = module_name(module::ModuleFile::open(call.path));
    m_calls.push_back(call);
    if (m_finit_result) return *m_finit_result;
    return insert(call.name, call.image_size);
}

int FakeSystem::init_module(std::span<const uint8_t> image, const std::string& params) {
    Call call{CallKind::InitModule, {}, {}, params, 0, image.size(), {image.begin(), image.end()}};
    call.name = module_name(module::ModuleFile::from_memory(util::Buffer(image), "<init_module>"));
    m_calls.push_back(call);
    return insert(call.name, image.size());
}

int FakeSystem::delete_module(const std::string& name, unsigned flags) {
    m_calls.push_back(Call{CallKind::DeleteModule, name, {}, {}, static_cast<int>(flags), 0, {}});
    if (auto r = m_remove_result.find(name); r != m_remove_result.end()) {
        if (r->second == 0 && m_simulate) remove_module_state(name);
        return r->second;
    }
    if (!m_simulate) return 0;
    if (std::find(m_loaded.begin(), m_loaded.end(), name) == m_loaded.end()) return -ENOENT;
    const std::string dir = "/sys/module/" + name;
    if (auto h = m_dirs.find(dir + "/holders"); h != m_dirs.end() && !h->second.empty())
        return -EWOULDBLOCK;
    if (auto r = m_files.find(dir + "/refcnt");
        r != m_files.end() && std::stol(r->second) > 0 && !(flags & kernel::k_delete_trunc))
        return -EWOULDBLOCK;
    remove_module_state(name);
    return 0;
}

util::Expected<std::string> FakeSystem::read_file(const std::string& path) {
    if (auto e = m_errors.find(path); e != m_errors.end())
        return util::fail_errno(e->second, path, "could not open");
    if (auto f = m_files.find(path); f != m_files.end()) return f->second;
    if (m_dirs.contains(path)) return util::fail_errno(EISDIR, path, "could not read");
    if (path == "/proc/modules" && !m_proc_missing) return proc_modules();
    return util::fail_errno(ENOENT, path, "could not open");
}

util::Expected<std::vector<std::string>> FakeSystem::list_dir(const std::string& path) {
    if (auto e = m_errors.find(path); e != m_errors.end())
        return util::fail_errno(e->second, path, "could not open directory");
    if (auto d = m_dirs.find(path); d != m_dirs.end()) return d->second;
    if (m_files.contains(path)) return util::fail_errno(ENOTDIR, path, "could not open directory");
    return util::fail_errno(ENOENT, path, "could not open directory");
}

bool FakeSystem::is_dir(const std::string& path) {
    return m_dirs.contains(path);
}

} // namespace modkit::test
