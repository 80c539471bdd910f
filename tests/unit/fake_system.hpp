// A kernel::System for unit tests: an in-memory /sys and /proc, module syscalls whose results
// can be set per module, and a record of every call. By default it behaves like a small
// kernel: a successful insert makes the module live (sysfs files and a /proc/modules line), a
// successful delete_module removes it, and the usual errors come back (EEXIST, ENOENT,
// EWOULDBLOCK for a module in use).
#pragma once

#include "kernel/system.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace modkit::test {

class FakeSystem : public kernel::System {
public:
    enum class CallKind { FinitModule, InitModule, DeleteModule };
    struct Call {
        CallKind kind;
        std::string name;      // the module: from the image or file, or delete_module's argument
        std::string path;      // finit_module: the file behind the descriptor
        std::string params;    // finit_module/init_module parameters
        int flags = 0;         // finit_module or delete_module flags
        size_t image_size = 0; // init_module: bytes passed; finit_module: size of the file
        std::vector<uint8_t> image; // init_module: the bytes passed
    };

    // A loaded module as sysfs shows it.
    struct Module {
        std::string initstate = "live";       // empty: no initstate file
        std::optional<int> refcnt = 0;        // nullopt: no refcnt file (no CONFIG_MODULE_UNLOAD)
        std::optional<long> coresize = 16384; // nullopt: no coresize file
        std::vector<std::string> holders;     // in readdir order
        long size = 16384;                    // the /proc/modules size column
    };

    FakeSystem();

    // --- files ---
    // Creates or replaces a file (parent directories are created).
    void set_file(const std::string& path, const std::string& content);
    void add_dir(const std::string& path);
    // Removes a file or a directory with everything under it.
    void remove(const std::string& path);
    // Makes read_file/list_dir of `path` fail with `err` (0 clears it).
    void set_error(const std::string& path, int err);
    bool exists(const std::string& path) const;

    // --- modules ---
    // Adds /sys/module/<name>/... and, unless /proc/modules was set by hand, a line there.
    void add_module(const std::string& name, const Module& m);
    void add_module(const std::string& name) { add_module(name, Module{}); }
    void remove_module_state(const std::string& name);
    // Names in /proc/modules order.
    const std::vector<std::string>& loaded() const { return m_loaded; }
    // /proc/modules is generated from loaded() unless set with set_file; this removes it.
    void set_proc_modules_missing(bool missing) { m_proc_missing = missing; }

    // --- syscalls ---
    // The answer for inserting or removing `name` (0 or -errno); replaces the simulation.
    void set_insert_result(const std::string& name, int err) { m_insert_result[name] = err; }
    void set_remove_result(const std::string& name, int err) { m_remove_result[name] = err; }
    // Every finit_module answers `err` (e.g. -ENOSYS for a kernel without it); nullopt resets.
    void set_finit_result(std::optional<int> err) { m_finit_result = err; }
    // Whether successful syscalls change the module state (default true).
    void set_simulate(bool on) { m_simulate = on; }
    void set_kernel_release(std::string r) { m_release = std::move(r); }
    void set_machine(std::string m) { m_machine = std::move(m); }

    const std::vector<Call>& calls() const { return m_calls; }
    void clear_calls() { m_calls.clear(); }

    // kernel::System
    int finit_module(int fd, const std::string& params, int flags) override;
    int init_module(std::span<const uint8_t> image, const std::string& params) override;
    int delete_module(const std::string& name, unsigned flags) override;
    util::Expected<std::string> read_file(const std::string& path) override;
    util::Expected<std::vector<std::string>> list_dir(const std::string& path) override;
    bool is_dir(const std::string& path) override;
    std::string kernel_release() override { return m_release; }
    std::string machine() override { return m_machine; }

private:
    int insert(const std::string& name, size_t size);
    std::string proc_modules() const;

    std::map<std::string, std::string> m_files;
    std::map<std::string, std::vector<std::string>> m_dirs; // children in creation order
    std::map<std::string, int> m_errors;
    std::vector<std::string> m_loaded;
    std::map<std::string, long> m_sizes;
    bool m_proc_missing = false;
    std::map<std::string, int> m_insert_result;
    std::map<std::string, int> m_remove_result;
    std::optional<int> m_finit_result;
    bool m_simulate = true;
    std::string m_release = "6.1.0-test";
    std::string m_machine = "x86_64";
    std::vector<Call> m_calls;
};

} // namespace modkit::test
