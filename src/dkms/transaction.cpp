// The journal: one line per step, "kind<TAB>path[<TAB>path]", appended and fdatasync'ed
// before the step is done, so whatever moment a process dies at, the journal describes at
// least everything that happened. Undo steps are idempotent (they check what is there).
#include "dkms/transaction.hpp"

#include "depmod/publish.hpp"
#include "dkms/tree.hpp"
#include "util/atomic_file.hpp"
#include "util/copy_tree.hpp"
#include "util/diag.hpp"
#include "util/fault.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace modkit::dkms {

namespace {

constexpr const char* k_lock_name = "/.modkit-lock";
constexpr const char* k_tx_name = "/.modkit-transaction";

// The module index files depmod writes (and modkit's cache, which need not be restored).
constexpr const char* k_index_files[] = {
    "modules.dep",         "modules.dep.bin",           "modules.alias",   "modules.alias.bin",
    "modules.softdep",     "modules.weakdep",           "modules.symbols", "modules.symbols.bin",
    "modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname"};

std::string escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else
            out += c;
    }
    return out;
}

std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    }
    return out;
}

// rename(2), or copy + unlink across file systems. Symlinks stay symlinks.
util::Expected<void> move_path(const std::string& from, const std::string& to) {
    if (rename(from.c_str(), to.c_str()) == 0) return {};
    if (errno != EXDEV) return util::fail_errno(errno, from, "cannot move to " + to);
    struct stat st;
    if (lstat(from.c_str(), &st) != 0) return util::fail_errno(errno, from, "cannot stat");
    if (S_ISLNK(st.st_mode)) {
        char buf[4096];
        ssize_t n = readlink(from.c_str(), buf, sizeof buf);
        if (n < 0) return util::fail_errno(errno, from, "cannot read link");
        unlink(to.c_str());
        if (symlink(std::string(buf, static_cast<size_t>(n)).c_str(), to.c_str()) != 0)
            return util::fail_errno(errno, to, "cannot create symlink");
    } else if (auto r = util::copy_file(from, to, util::Preserve::All); !r) {
        return r;
    }
    unlink(from.c_str());
    return {};
}

struct Entry {
    std::string kind, a, b;
};

std::vector<Entry> read_journal(const std::string& path) {
    std::vector<Entry> entries;
    auto data = util::read_file(path);
    if (!data) return entries;
    for (std::string_view line : util::split(*data, '\n')) {
        if (line.empty()) continue;
        auto f = util::split(line, '\t');
        Entry e;
        e.kind = std::string(f[0]);
        if (f.size() > 1) e.a = unescape(f[1]);
        if (f.size() > 2) e.b = unescape(f[2]);
        entries.push_back(std::move(e));
    }
    return entries;
}

// Undoes the journal in `dir` (entries in reverse) and removes the transaction directory.
void undo_all(const std::string& dir) {
    std::vector<Entry> entries = read_journal(dir + "/journal");
    // Saved paths are numbered by their position among the entries.
    for (size_t n = entries.size(); n-- > 0;) {
        const Entry& e = entries[n];
        std::string backup = dir + "/backup/" + std::to_string(n);
        if (e.kind == "absent") {
            unlink(e.a.c_str());
        } else if (e.kind == "saved") {
            if (util::path_exists(backup)) {
                unlink(e.a.c_str());
                (void)move_path(backup, e.a);
            }
        } else if (e.kind == "moved") {
            if (util::path_exists(e.b) && !util::path_exists(e.a)) (void)move_path(e.b, e.a);
        } else if (e.kind == "mkdir") {
            rmdir(e.a.c_str());
        } else if (e.kind == "rmdir") {
            mkdir(e.a.c_str(), 0755);
        } else if (e.kind == "index") {
            // Let an interrupted depmod finish its renames first, so the saved index files
            // restored next are the last word.
            (void)depmod::recover_interrupted_commit(e.a);
        }
    }
    (void)util::remove_tree(dir);
}

} // namespace

util::Expected<TreeLock> TreeLock::try_acquire(const Context& ctx) {
    auto lock = util::FileLock::acquire(ctx.dkms_tree + k_lock_name, util::FileLock::Wait::NoWait);
    if (!lock) return util::fail(lock.error());
    return TreeLock(std::move(*lock));
}

util::Expected<TreeLock> TreeLock::acquire(const Context& ctx, Report& report,
                                           MissingTree missing) {
    if (!util::is_directory(ctx.dkms_tree)) {
        if (missing == MissingTree::NothingToLock) return TreeLock(std::nullopt);
        if (auto r = util::make_directories(ctx.dkms_tree, 0755); !r) return util::fail(r.error());
    }
    std::string path = ctx.dkms_tree + k_lock_name;
    auto lock = util::FileLock::acquire(path, util::FileLock::Wait::Block, [&] {
        report.err("Waiting for another dkms command to finish (" + path + ")...\n");
    });
    if (!lock) return util::fail(lock.error());
    return TreeLock(std::move(*lock));
}

Transaction::Transaction(const Context&, std::string dir)
    : m_dir(std::move(dir)) {}

Transaction::Transaction(Transaction&& o) noexcept
    : m_dir(std::move(o.m_dir))
    , m_journal(o.m_journal)
    , m_next(o.m_next)
    , m_done(o.m_done) {
    o.m_journal = -1;
    o.m_done = true;
}

util::Expected<Transaction> Transaction::begin(const Context& ctx, const std::string& what) {
    std::string dir = ctx.dkms_tree + k_tx_name;
    if (util::path_exists(dir))
        return util::fail(util::ErrorKind::Invalid, EEXIST, dir,
                          "an unfinished transaction exists");
    if (auto r = util::make_directories(dir + "/backup", 0700); !r) return util::fail(r.error());
    Transaction tx(ctx, dir);
    std::string journal = dir + "/journal";
    tx.m_journal = open(journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (tx.m_journal < 0) return util::fail_errno(errno, journal, "cannot create journal");
    if (auto r = tx.record("begin", what); !r) return util::fail(r.error());
    return tx;
}

Transaction::~Transaction() {
    if (!m_done) rollback();
    if (m_journal >= 0) close(m_journal);
}

util::Expected<void> Transaction::record(const std::string& kind, const std::string& path) {
    // Crash tests kill the process here: between any two steps of a transaction.
    util::fault_point("dkms-transaction");
    std::string line = kind + "\t" + escape(path) + "\n";
    if (!util::write_all(m_journal, line) || fdatasync(m_journal) != 0)
        return util::fail_errno(errno, m_dir + "/journal", "cannot write journal");
    ++m_next;
    return {};
}

util::Expected<void> Transaction::preserve(const std::string& path) {
    if (!util::path_exists(path)) return record("absent", path);
    std::string backup = m_dir + "/backup/" + std::to_string(m_next);
    if (auto r = record("saved", path); !r) return r;
    return move_path(path, backup);
}

util::Expected<void> Transaction::install_file(const std::string& from, const std::string& to,
                                               bool as_symlink) {
    std::string tmp =
        std::string(util::dirname(to)) + "/." + std::string(util::basename(to)) + ".modkit-tmp";
    if (auto r = record("absent", tmp); !r) return r;
    unlink(tmp.c_str());
    if (as_symlink) {
        if (symlink(from.c_str(), tmp.c_str()) != 0)
            return util::fail_errno(errno, tmp, "cannot create symlink");
    } else if (auto r = util::copy_file(from, tmp, util::Preserve::All); !r) {
        return r;
    }
    if (!as_symlink) {
        int fd = open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    if (auto r = preserve(to); !r) return r;
    if (auto r = record("absent", to); !r) return r;
    if (rename(tmp.c_str(), to.c_str()) != 0) return util::fail_errno(errno, to, "cannot install");
    return {};
}

util::Expected<void> Transaction::move(const std::string& from, const std::string& to) {
    if (auto r = preserve(to); !r) return r;
    std::string line = "moved\t" + escape(from) + "\t" + escape(to) + "\n";
    if (!util::write_all(m_journal, line) || fdatasync(m_journal) != 0)
        return util::fail_errno(errno, m_dir + "/journal", "cannot write journal");
    ++m_next;
    return move_path(from, to);
}

util::Expected<void> Transaction::write_file(const std::string& path, const std::string& content) {
    if (auto r = preserve(path); !r) return r;
    if (auto r = record("absent", path); !r) return r;
    return util::write_file_atomic(path, content);
}

util::Expected<void> Transaction::set_symlink(const std::string& path, const std::string& target) {
    if (auto r = preserve(path); !r) return r;
    if (auto r = record("absent", path); !r) return r;
    if (symlink(target.c_str(), path.c_str()) != 0)
        return util::fail_errno(errno, path, "cannot create symlink");
    return {};
}

util::Expected<void> Transaction::remove(const std::string& path) {
    return preserve(path);
}

util::Expected<void> Transaction::make_directories(const std::string& path) {
    std::vector<std::string> missing;
    for (std::string p = path; !p.empty() && p != "/" && !util::path_exists(p);
         p = std::string(util::dirname(p)))
        missing.push_back(p);
    for (size_t i = missing.size(); i-- > 0;) {
        if (auto r = record("mkdir", missing[i]); !r) return r;
        if (mkdir(missing[i].c_str(), 0755) != 0 && errno != EEXIST)
            return util::fail_errno(errno, missing[i], "cannot create directory");
    }
    return {};
}

util::Expected<void> Transaction::remove_empty_directories(const std::string& path,
                                                           const std::string& stop) {
    for (std::string p = path; p.size() > stop.size() && util::starts_with(p, stop + "/");
         p = std::string(util::dirname(p))) {
        if (!Tree::list(p).empty() || !util::path_exists(p)) break;
        if (auto r = record("rmdir", p); !r) return r;
        if (rmdir(p.c_str()) != 0) break;
    }
    return {};
}

util::Expected<void> Transaction::snapshot_indexes(const std::string& module_dir) {
    for (const char* name : k_index_files) {
        std::string path = module_dir + "/" + name;
        if (!util::path_exists(path)) {
            if (auto r = record("absent", path); !r) return r;
            continue;
        }
        std::string backup = m_dir + "/backup/" + std::to_string(m_next);
        if (auto r = record("saved", path); !r) return r;
        if (link(path.c_str(), backup.c_str()) != 0) {
            if (auto r = util::copy_file(path, backup, util::Preserve::All); !r) return r;
        }
    }
    return record("index", module_dir);
}

void Transaction::commit() {
    if (m_done) return;
    m_done = true;
    if (m_journal >= 0) {
        close(m_journal);
        m_journal = -1;
    }
    // Removing the journal is the commit point; the backups go after it.
    unlink((m_dir + "/journal").c_str());
    (void)util::remove_tree(m_dir);
}

void Transaction::rollback() {
    if (m_done) return;
    m_done = true;
    if (m_journal >= 0) {
        close(m_journal);
        m_journal = -1;
    }
    undo_all(m_dir);
}

util::Expected<bool> recover(const Context& ctx, Report& report) {
    std::string dir = ctx.dkms_tree + k_tx_name;
    if (!util::path_exists(dir)) return false;
    std::vector<Entry> entries = read_journal(dir + "/journal");
    if (entries.empty()) {
        (void)util::remove_tree(dir);
        return false;
    }
    std::string what = entries[0].kind == "begin" ? entries[0].a : std::string("a change");
    report.err("Rolling back an unfinished transaction (" + what +
               ") left by a dkms command that did not complete.\n");
    undo_all(dir);
    return true;
}

} // namespace modkit::dkms
