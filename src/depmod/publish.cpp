// publish_files(): temp files, journal, renames; recovery of an interrupted commit.
#include "depmod/publish.hpp"

#include "util/atomic_file.hpp"
#include "util/fault.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace modkit::depmod {

namespace {

util::Expected<void> sync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return util::fail_errno(errno, dir, "could not open directory");
    int rc = fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc < 0) return util::fail_errno(err, dir, "could not sync directory");
    return {};
}

// Temporary files are ".<name>.XXXXXX" (util::AtomicFile) for names depmod writes.
bool is_our_temp(std::string_view name) {
    if (!name.starts_with(".modules.") || name.size() < 8) return false;
    size_t dot = name.rfind('.');
    return dot != std::string_view::npos && name.size() - dot == 7;
}

} // namespace

util::Expected<size_t> recover_interrupted_commit(const std::string& dir) {
    size_t completed = 0;
    const std::string journal = dir + "/" + k_journal_name;
    auto text = util::read_file(journal);
    if (text) {
        // Each line: "<temporary name>\t<final name>". Renames already done have no temp.
        for (auto line : util::split(*text, '\n')) {
            auto tab = line.find('\t');
            if (tab == std::string_view::npos) continue;
            std::string tmp = dir + "/" + std::string(line.substr(0, tab));
            std::string dst = dir + "/" + std::string(line.substr(tab + 1));
            if (::rename(tmp.c_str(), dst.c_str()) == 0)
                ++completed;
            else if (errno != ENOENT)
                return util::fail_errno(errno, dst, "could not complete commit");
        }
        if (auto r = sync_dir(dir); !r) return std::unexpected(r.error());
        if (::unlink(journal.c_str()) < 0 && errno != ENOENT)
            return util::fail_errno(errno, journal, "could not remove");
    } else if (text.error().kind != util::ErrorKind::NotFound) {
        return std::unexpected(text.error());
    }
    // Temporary files left by a run that died before its journal: never part of the set.
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* de = readdir(d))
            if (is_our_temp(de->d_name)) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
    }
    return completed;
}

util::Expected<void> publish_files(const std::string& dir, const std::vector<OutputFile>& files) {
    std::vector<util::AtomicFile> temps;
    temps.reserve(files.size());
    for (const OutputFile& f : files) {
        auto tmp = util::AtomicFile::create(dir + "/" + f.name, 0644);
        if (!tmp) return std::unexpected(tmp.error());
        if (auto r = tmp->write(f.content); !r) return r;
        if (auto r = tmp->finish(util::AtomicFile::Sync::No); !r) return r;
        temps.push_back(std::move(*tmp));
        util::fault_point("depmod-write");
    }
    // One syncfs makes every temporary file durable (one journal commit instead of one per
    // file).
    {
        int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return util::fail_errno(errno, dir, "could not open directory");
        int rc = syncfs(fd);
        int err = errno;
        ::close(fd);
        if (rc < 0) return util::fail_errno(err, dir, "could not sync");
    }
    std::string journal;
    for (size_t i = 0; i < files.size(); ++i) {
        journal += util::basename(temps[i].temp_path());
        journal += '\t';
        journal += files[i].name;
        journal += '\n';
    }
    if (auto r = util::write_file_atomic(dir + "/" + k_journal_name, journal, 0644); !r) return r;
    if (auto r = sync_dir(dir); !r) return r;
    // From here on the new set is decided: the journal lets a later run finish these renames.
    for (auto& t : temps) {
        util::fault_point("depmod-rename");
        if (auto r = t.commit(); !r) return r;
    }
    if (auto r = sync_dir(dir); !r) return r;
    // A journal that survives a crash here only names renames already done: harmless.
    if (::unlink((dir + "/" + k_journal_name).c_str()) < 0)
        return util::fail_errno(errno, dir + "/" + k_journal_name, "could not remove");
    return {};
}

} // namespace modkit::depmod
