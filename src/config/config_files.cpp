// Listing, filtering, sorting and masking configuration files.
#include "config/config_files.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

namespace modkit::config {

namespace {

constexpr size_t k_path_max = 4096;

// Inserts keeping the list sorted by strcmp() on the name; a name already present wins.
void insert_sorted(std::vector<ConfigFile>& files, ConfigFile file) {
    auto pos = std::lower_bound(files.begin(), files.end(), file.name,
                                [](const ConfigFile& f, const std::string& name) {
                                    return std::strcmp(f.name.c_str(), name.c_str()) < 0;
                                });
    if (pos != files.end() && pos->name == file.name) return; // masked
    files.insert(pos, std::move(file));
}

// kmod's conf_files_filter_out / cfg_files_filter_out: true when the entry is skipped.
bool filter_out(int dir_fd, const std::string& dir, const std::string& name, ConfigKind kind,
                Diagnostics& diags) {
    if (name.empty() || name[0] == '.') return true;
    if (name.size() < 6 || !util::ends_with(name, ".conf")) {
        if (kind == ConfigKind::Depmod)
            diags.push_back({util::LogLevel::Info, dir + "/" + name, 0,
                             "All cfg files need .conf: " + dir + "/" + name});
        return true;
    }
    struct stat st {};
    if (fstatat(dir_fd, name.c_str(), &st, 0) == 0 && S_ISDIR(st.st_mode)) {
        diags.push_back({util::LogLevel::Error, dir + "/" + name, 0,
                         "Directories inside directories are not supported: " + dir + "/" + name,
                         "conf_files_filter_out"});
        return true;
    }
    return false;
}

void list_one(const std::string& path, ConfigKind kind, FileList& out) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
        insert_sorted(out.files, {path, std::string(util::basename(path))});
        out.stamps.push_back({path, mtime_usec(st)});
        return;
    }
    DIR* d = opendir(path.c_str());
    if (d == nullptr) {
        std::string what =
            kind == ConfigKind::Modprobe ? "opendir(" + path + "): " : "files list " + path + ": ";
        out.diagnostics.push_back(
            {util::LogLevel::Error, path, 0, what + std::strerror(errno), "conf_files_list"});
        return;
    }
    out.stamps.push_back({path, mtime_usec(st)});
    // readdir order only decides the order of the messages; sort it so they are repeatable.
    std::vector<std::string> names;
    while (dirent* de = readdir(d))
        names.emplace_back(de->d_name);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
        if (filter_out(dirfd(d), path, name, kind, out.diagnostics)) continue;
        std::string full = path + "/" + name;
        if (kind == ConfigKind::Modprobe && full.size() >= k_path_max) {
            out.diagnostics.push_back({util::LogLevel::Error, full, 0,
                                       "Error parsing " + full + ": path too long",
                                       "conf_files_list"});
            continue;
        }
        insert_sorted(out.files, {std::move(full), name});
    }
    closedir(d);
}

} // namespace

uint64_t mtime_usec(const struct stat& st) {
    return static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000u +
           static_cast<uint64_t>(st.st_mtim.tv_nsec) / 1000u;
}

bool stamps_changed(std::span<const PathStamp> stamps) {
    for (const PathStamp& p : stamps) {
        struct stat st {};
        if (stat(p.path.c_str(), &st) != 0 || mtime_usec(st) != p.mtime_usec) return true;
    }
    return false;
}

std::vector<std::string> default_config_dirs(ConfigKind kind, std::string_view root) {
    std::string base(root);
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    const char* leaf = kind == ConfigKind::Modprobe ? "/modprobe.d" : "/depmod.d";
    std::vector<std::string> dirs;
    for (const char* dir : {"/etc", "/run", "/usr/local/lib", "/usr/lib", "/lib"})
        dirs.push_back(base + dir + leaf);
    return dirs;
}

FileList list_config_files(std::span<const std::string> paths, const ListOptions& options) {
    FileList out;
    if (options.kind == ConfigKind::Modprobe && !options.module_dir.empty()) {
        // libkmod inserts these first, so they mask any same-named entry (none can pass the
        // .conf filter anyway). kmod 30 knows only modules.softdep; weakdep is kmod 33+.
        for (const char* name : {"modules.softdep", "modules.weakdep"})
            insert_sorted(out.files, {options.module_dir + "/" + name, name});
    }
    for (const std::string& path : paths)
        list_one(path, options.kind, out);
    return out;
}

} // namespace modkit::config
