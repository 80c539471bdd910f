// ModinfoQuery: kmod modinfo's resolution of its arguments and the reading of each module's
// .modinfo, with the messages kmod prints when either fails.
#include "resolve/modinfo.hpp"

#include "module/module_file.hpp"
#include "module/names.hpp"
#include "util/fs.hpp"

#include <cerrno>
#include <cstring>

namespace modkit::resolve {

namespace {

ModinfoTarget failure(std::string message) {
    ModinfoTarget t;
    t.error = std::move(message);
    return t;
}

// modinfo treats an argument as a file when it has a module extension and is a regular file.
bool is_module_filename(const std::string& arg) {
    return module::has_module_extension(arg) && util::is_regular_file(arg);
}

ModinfoEntries failed(std::vector<std::string> errors) {
    ModinfoEntries e;
    e.status = ModinfoEntries::Status::Failed;
    e.errors = std::move(errors);
    return e;
}

} // namespace

std::optional<util::Error> ModinfoQuery::add_found(const std::vector<Found>& found,
                                                   std::vector<ModinfoTarget>& out) {
    for (const auto& f : found) {
        ModinfoTarget t;
        t.name = f.name;
        auto dep = m_dir.dep(f.name);
        if (!dep) return dep.error();
        if (*dep) t.path = (*dep)->path;
        auto builtin = f.builtin ? util::Expected<bool>(true) : m_dir.is_builtin(f.name);
        if (!builtin) return builtin.error();
        t.builtin = *builtin;
        m_need_builtin |= t.builtin;
        out.push_back(std::move(t));
    }
    return std::nullopt;
}

std::vector<ModinfoTarget> ModinfoQuery::resolve(const std::vector<std::string_view>& args,
                                                 bool by_name, bool& index_failed) {
    std::vector<ModinfoTarget> out;
    index_failed = false;
    for (std::string_view a : args) {
        const std::string arg(a);
        std::optional<util::Error> err;
        if (by_name) {
            auto found = lookup_name(m_dir, arg);
            if (!found)
                err = found.error();
            else if (found->empty())
                out.push_back(failure("Module name " + arg + " not found."));
            else
                err = add_found(*found, out);
        } else if (is_module_filename(arg)) {
            ModinfoTarget t;
            t.path = util::absolute_path(arg); // libkmod's path_make_absolute_cwd
            t.name = module::path_to_modname(t.path);
            out.push_back(std::move(t));
        } else {
            auto found = lookup(m_dir, nullptr, arg);
            if (!found) {
                if (found.error().kind == util::ErrorKind::Invalid)
                    out.push_back(failure("Module alias " + arg + " not found."));
                else
                    err = found.error();
            } else if (found->empty()) {
                out.push_back(failure("Module " + arg + " not found."));
            } else {
                err = add_found(*found, out);
            }
        }
        if (err) {
            // A corrupt index: say which file and stop; kmod would misbehave here.
            out.push_back(failure(err->describe()));
            index_failed = true;
            break;
        }
    }
    if (m_need_builtin) {
        auto b = module::BuiltinModinfo::open(m_dir.file("modules.builtin.modinfo"));
        if (b)
            m_builtin = std::move(*b);
        else
            m_builtin_error = b.error();
    }
    return out;
}

ModinfoEntries ModinfoQuery::entries(const ModinfoTarget& t, util::MemoryBudget& budget) const {
    ModinfoEntries out;
    const bool no_path = t.path.empty();
    if (t.builtin) {
        if (!m_builtin) {
            // No modules.builtin.modinfo (an old kernel): kmod prints name and filename only.
            if (m_builtin_error && m_builtin_error->sys_errno == ENOENT && no_path) {
                out.status = ModinfoEntries::Status::NameOnly;
                return out;
            }
            int err = m_builtin_error ? m_builtin_error->sys_errno : ENOENT;
            return failed({"could not get modinfo from '" + t.name + "': " + std::strerror(err)});
        }
        auto records = m_builtin->lookup(t.name);
        if (!records)
            return failed({"could not get modinfo from '" + t.name +
                           "': " + std::strerror(records.error().sys_errno)});
        out.entries = module::info_from_records(*records);
        return out;
    }
    if (no_path) { // an alias whose module has no file: kmod shows only this much
        out.status = ModinfoEntries::Status::NameOnly;
        return out;
    }
    auto mod = module::ModuleFile::open(t.path, module::ModuleFile::Load::OnDemand, &budget);
    util::Expected<std::vector<module::InfoEntry>> info =
        mod ? module::module_info(*mod) : std::unexpected(mod.error());
    if (!info) {
        const util::Error& e = info.error();
        std::vector<std::string> errors;
        // One line that names the file and the exact problem, then kmod's own line.
        if (e.kind == util::ErrorKind::Corrupt || e.sys_errno == EISDIR)
            errors.push_back(e.describe());
        errors.push_back("could not get modinfo from '" + t.name +
                         "': " + std::strerror(e.sys_errno));
        return failed(std::move(errors));
    }
    out.entries = std::move(*info);
    return out;
}

} // namespace modkit::resolve
