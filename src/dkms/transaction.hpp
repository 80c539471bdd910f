// Install and uninstall as transactions. DKMS has no locking and changes /lib/modules and its
// tree step by step, so a failure or a kill half-way leaves a machine half-updated. modkit:
//  - TreeLock: an exclusive flock on <dkms_tree>/.modkit-lock for every command that changes
//    anything; concurrent invocations wait for each other.
//  - Transaction: every change to a file or symlink is first written to a journal
//    (<dkms_tree>/.modkit-transaction/journal, fsynced), with the previous content kept in
//    the transaction's backup directory. commit() forgets it all; rollback() puts every path
//    back as it was, in reverse order. A process killed in between leaves the journal behind,
//    and the next modkit dkms command rolls it back before doing anything else.
// Module indexes are covered too: snapshot_indexes() keeps the current modules.* files
// (hard links, so depmod's renames leave the old versions intact) for rollback to restore.
#pragma once
#include "dkms/context.hpp"
#include "dkms/report.hpp"
#include "util/error.hpp"
#include "util/file_lock.hpp"
#include "util/fs.hpp"

#include <optional>
#include <string>

namespace modkit::dkms {

// What TreeLock::acquire does when the DKMS tree does not exist yet (apt deletes
// /var/lib/dkms when it removes the dkms package): create it, for the actions that add to the
// tree, or take no lock, for the others (there is nothing to change or to roll back).
enum class MissingTree { Create, NothingToLock };

class TreeLock {
public:
    // Blocks until the lock is free (printing once that it waits). Creates the lock file.
    static util::Expected<TreeLock> acquire(const Context& ctx, Report& report,
                                            MissingTree missing);
    // Takes the lock only if nobody holds it.
    static util::Expected<TreeLock> try_acquire(const Context& ctx);
    // False when the tree did not exist and nothing was locked (MissingTree::NothingToLock).
    bool holds_lock() const { return m_lock.has_value(); }

private:
    explicit TreeLock(std::optional<util::FileLock> lock)
        : m_lock(std::move(lock)) {}
    std::optional<util::FileLock> m_lock; // util::FileLock: an flock held until destruction
};

class Transaction {
public:
    // Starts one; there must be no unfinished one (recover() first).
    static util::Expected<Transaction> begin(const Context& ctx, const std::string& what);
    Transaction(Transaction&& o) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    // An unfinished transaction rolls back when destroyed.
    ~Transaction();

    // Puts a copy of `from` at `to` (a symlink to `from` when `as_symlink`), replacing it.
    util::Expected<void> install_file(const std::string& from, const std::string& to,
                                      bool as_symlink);
    // Moves `from` to `to` (replacing `to`).
    util::Expected<void> move(const std::string& from, const std::string& to);
    // Writes `content` to `path`.
    util::Expected<void> write_file(const std::string& path, const std::string& content);
    // Makes `path` a symlink to `target`.
    util::Expected<void> set_symlink(const std::string& path, const std::string& target);
    // Removes a file or symlink; fine if it does not exist.
    util::Expected<void> remove(const std::string& path);
    // Creates the directory and its missing parents.
    util::Expected<void> make_directories(const std::string& path);
    // Removes `path` and then each parent up to (not including) `stop`, while they are empty.
    util::Expected<void> remove_empty_directories(const std::string& path, const std::string& stop);
    // Keeps the module index files of `module_dir` for rollback (call before depmod).
    util::Expected<void> snapshot_indexes(const std::string& module_dir);

    void commit();
    void rollback();

private:
    Transaction(const Context& ctx, std::string dir);
    util::Expected<void> record(const std::string& kind, const std::string& path);
    util::Expected<void> preserve(const std::string& path);

    std::string m_dir; // <dkms_tree>/.modkit-transaction
    int m_journal = -1;
    unsigned m_next = 0;
    bool m_done = false;
};

// Rolls back a transaction a killed process left behind. Call with the TreeLock held.
// Returns true if there was one.
util::Expected<bool> recover(const Context& ctx, Report& report);

} // namespace modkit::dkms
