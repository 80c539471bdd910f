// run_depmod(): the pipeline, step by step, with kmod's messages and exit codes.
#include "depmod/depmod.hpp"

#include "config/config_files.hpp"
#include "config/depmod_config.hpp"
#include "depmod/cache.hpp"
#include "depmod/outputs.hpp"
#include "depmod/publish.hpp"
#include "depmod/scan.hpp"
#include "module/names.hpp"
#include "util/atomic_file.hpp"
#include "util/file_lock.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/parallel.hpp"
#include "util/timing.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::depmod {

using config::Diagnostic;
using util::LogLevel;

namespace {

std::string strip_leading_slashes(std::string_view s) {
    while (s.starts_with('/'))
        s.remove_prefix(1);
    return std::string(s);
}

void say(const DepmodSink& sink, LogLevel level, std::string text) {
    sink.message(Diagnostic{level, {}, 0, std::move(text)});
}

// kmod's depfile_up_to_date(): true if no module file under `dirname` is newer than its
// modules.dep (sub-second resolution, as kmod after 34.2).
bool up_to_date(const std::string& dirname, const std::string& dep_file, const DepmodSink& sink) {
    struct stat dep_st;
    if (::stat(dep_file.c_str(), &dep_st) != 0) {
        say(sink, LogLevel::Error,
            "could not fstatat(" + dirname + ", modules.dep): " + std::strerror(errno));
        return false;
    }
    auto newer = [&](const struct stat& st) {
        return st.st_mtim.tv_sec > dep_st.st_mtim.tv_sec ||
               (st.st_mtim.tv_sec == dep_st.st_mtim.tv_sec &&
                st.st_mtim.tv_nsec / 1000 > dep_st.st_mtim.tv_nsec / 1000);
    };
    std::vector<std::string> dirs{dirname};
    while (!dirs.empty()) {
        std::string dir = std::move(dirs.back());
        dirs.pop_back();
        DIR* d = opendir(dir.c_str());
        if (d == nullptr) continue;
        while (dirent* de = readdir(d)) {
            std::string_view name = de->d_name;
            if (name == "." || name == ".." || name == "build" || name == "source") continue;
            struct stat st;
            if (fstatat(dirfd(d), de->d_name, &st, 0) != 0) continue;
            if (S_ISDIR(st.st_mode)) {
                dirs.push_back(dir + "/" + std::string(name));
            } else if (S_ISREG(st.st_mode) && module::has_module_extension(name) && newer(st)) {
                closedir(d);
                return false;
            }
        }
        closedir(d);
    }
    return true;
}

std::optional<std::string> read_optional(const std::string& path) {
    auto text = util::read_file(path);
    if (!text) return std::nullopt;
    return std::move(*text);
}

} // namespace

std::string module_directory(const DepmodOptions& opt) {
    return opt.basedir + "/" + strip_leading_slashes(opt.moduledir) + "/" + opt.kernel_version;
}

std::string output_directory(const DepmodOptions& opt) {
    const std::string& root = opt.outdir.empty() ? opt.basedir : opt.outdir;
    return root + "/" + strip_leading_slashes(opt.moduledir) + "/" + opt.kernel_version;
}

namespace {

// One depmod run, step by step: each step returns false when depmod stops there (its message
// sent), so run_depmod reads as the sequence kmod follows.
class DepmodRun {
public:
    DepmodRun(const DepmodOptions& opt, const DepmodSink& sink, DepmodStats& st)
        : m_opt(opt)
        , m_sink(sink)
        , m_st(st)
        , m_dirname(module_directory(opt))
        , m_outdir(output_directory(opt))
        , m_cache_path(m_outdir + "/" + k_cache_name)
        , m_jobs(opt.jobs != 0 ? opt.jobs : util::default_jobs()) {}

    // -A: nothing to do when no module is newer than modules.dep.
    bool quick_and_up_to_date() const {
        if (!m_opt.quick) return false;
        return m_opt.dry_run || up_to_date(m_dirname, m_outdir + "/modules.dep", m_sink);
    }

    // 0. vmlinux symbols first: kmod fails on an unreadable -E/-F file before anything else.
    bool read_kernel_symbols_file() {
        config::Diagnostics messages;
        m_kernel_symbols = read_kernel_symbols(m_opt.graph, messages);
        send(messages);
        return m_kernel_symbols.has_value();
    }

    // 1. The modules: the whole tree (with depmod.d) or the paths given.
    bool find_modules() {
        m_timer.emplace("scan");
        bool ok = m_opt.module_paths.empty() ? scan() : take_paths();
        m_st.modules = m_candidates.size();
        return ok;
    }

    // 2. Records: from the cache when the file is unchanged, otherwise read (in parallel).
    void load_records() {
        m_timer.emplace("cache load");
        if (m_opt.use_cache) {
            std::string why;
            m_cache = RecordCache::load(m_cache_path, m_dirname, why);
            if (!why.empty())
                say(m_sink, LogLevel::Warning, "ignoring " + m_cache_path + ": " + why);
        }
        m_records.assign(m_candidates.size(), nullptr);
        for (size_t i = 0; i < m_candidates.size(); ++i) {
            if (m_opt.use_cache) m_records[i] = m_cache.find(m_candidates[i]);
            if (m_records[i] == nullptr) m_to_read.push_back(i);
        }
        m_timer.emplace("read modules");
        util::MemoryBudget budget(64u << 20);
        std::atomic<size_t> done{0};
        const size_t total = m_to_read.size();
        m_fresh = util::parallel_map(m_to_read.size(), m_jobs, [&](size_t k) {
            auto record = extract_record(m_candidates[m_to_read[k]].path, &budget);
            if (m_sink.progress) m_sink.progress(done.fetch_add(1) + 1, total);
            return record;
        });
        for (size_t k = 0; k < m_to_read.size(); ++k)
            m_records[m_to_read[k]] = &m_fresh[k];
        m_st.read = m_to_read.size();
        m_st.from_cache = m_candidates.size() - m_to_read.size();
        if (util::PhaseTimer::enabled())
            std::fprintf(stderr, "timing: %zu modules read, %zu from cache\n", m_st.read,
                         m_st.from_cache);
    }

    // 3. The graph; false on a dependency cycle (nothing is written then).
    bool build_graph() {
        m_timer.emplace("graph");
        m_files.reserve(m_candidates.size());
        for (const auto& c : m_candidates)
            m_files.push_back(&c);
        m_graph.emplace(m_files, m_records, read_optional(m_dirname + "/modules.order"), m_dirname);
        m_graph->add_kernel_symbols(*m_kernel_symbols, m_opt.graph);
        bool resolved = m_graph->resolve(m_opt.graph);
        send(m_graph->messages());
        for (const auto& line : m_graph->verbose_lines())
            m_sink.out(line);
        return resolved;
    }

    // 4. The files, rendered; -n prints the text ones instead of writing anything.
    bool render() {
        m_timer.emplace("render");
        BuiltinInputs builtin{
            m_opt.dry_run ? std::string() : read_optional(m_dirname + "/modules.builtin"),
            m_opt.dry_run ? std::string() : read_optional(m_dirname + "/modules.builtin.modinfo"),
            m_dirname};
        m_rendered = render_outputs(*m_graph, builtin, m_opt.warn_dups, m_jobs);
        send(m_rendered.messages);
        if (m_rendered.fatal) {
            say(m_sink, LogLevel::Fatal, *m_rendered.fatal);
            return false;
        }
        if (m_opt.dry_run)
            for (const auto& f : m_rendered.files)
                if (!f.binary) m_sink.out(f.content);
        return true;
    }

    // 5. Every file published at once, under the directory's lock, finishing any commit an
    // earlier run left interrupted.
    bool publish() {
        m_timer.emplace("publish");
        // The output directory (only ever different from the module directory with -o) is
        // created as needed, as kmod 31+ does.
        if (auto made = util::make_directories(m_outdir, 0755); !made) {
            say(m_sink, LogLevel::Fatal,
                "could not create directory " + m_outdir + ": " +
                    std::strerror(made.error().sys_errno));
            return false;
        }
        auto lock = util::FileLock::acquire(m_outdir);
        if (!lock) {
            say(m_sink, LogLevel::Fatal,
                "could not open directory " + m_outdir + ": " +
                    std::strerror(lock.error().sys_errno));
            return false;
        }
        if (auto rec = recover_interrupted_commit(m_outdir); !rec)
            say(m_sink, LogLevel::Error, rec.error().describe());
        if (auto p = publish_files(m_outdir, m_rendered.files); !p) {
            say(m_sink, LogLevel::Fatal, p.error().describe());
            return false;
        }
        return true;
    }

    // 6. The cache: untouched when every record came from it; a small appended segment when a
    // few modules were read; rewritten whole when it is new or mostly stale.
    void update_cache() {
        m_timer.emplace("cache write");
        if (!m_opt.use_cache || m_st.read == 0) return;
        util::Expected<void> w;
        bool append = m_cache.stored_entries() > 0 &&
                      m_cache.stored_entries() + m_st.read <= 2 * m_candidates.size();
        if (append) {
            std::vector<const Candidate*> fresh_files;
            std::vector<const ModuleRecord*> fresh_records;
            for (size_t k = 0; k < m_to_read.size(); ++k) {
                fresh_files.push_back(&m_candidates[m_to_read[k]]);
                fresh_records.push_back(&m_fresh[k]);
            }
            w = util::append_file(m_cache_path,
                                  RecordCache::serialize_segment(fresh_files, fresh_records));
        } else {
            w = util::write_file_atomic(m_cache_path,
                                        RecordCache::serialize(m_dirname, m_files, m_records), 0644,
                                        util::AtomicFile::Sync::No);
        }
        if (!w)
            say(m_sink, LogLevel::Warning,
                "could not write " + m_cache_path + ": " + std::strerror(w.error().sys_errno));
    }

private:
    void send(const config::Diagnostics& messages) {
        for (const auto& d : messages)
            m_sink.message(d);
    }

    bool scan() {
        std::vector<std::string> paths = m_opt.config_paths;
        if (paths.empty()) paths = config::default_config_dirs(config::ConfigKind::Depmod);
        auto files = config::list_config_files(paths, {config::ConfigKind::Depmod, {}});
        send(files.diagnostics);
        auto cfg = config::DepmodConfig::load(files, m_opt.kernel_version);
        send(cfg.diagnostics());
        ScanResult scan = scan_tree(m_dirname, cfg, m_opt.use_cache);
        send(scan.messages);
        if (scan.failed) {
            say(m_sink, LogLevel::Fatal,
                "could not search modules: " + std::string(std::strerror(ENOENT)));
            return false;
        }
        m_candidates = std::move(scan.modules);
        return true;
    }

    bool take_paths() {
        std::unordered_map<std::string, size_t> seen;
        for (const std::string& path : m_opt.module_paths) {
            if (!path.starts_with('/')) {
                say(m_sink, LogLevel::Fatal, path + ": not absolute path.");
                return false;
            }
            Candidate c;
            c.path = path;
            c.relpath = relative_to(m_dirname, path);
            c.name = module::path_to_modname(path);
            if (!seen.emplace(c.name, m_candidates.size()).second) {
                say(m_sink, LogLevel::Fatal, "could not add module " + path + ": File exists");
                return false;
            }
            struct stat s;
            if (::stat(path.c_str(), &s) != 0) {
                say(m_sink, LogLevel::Fatal,
                    "could not create module " + path + ": " + std::strerror(errno));
                return false;
            }
            set_identity(c, s);
            m_candidates.push_back(std::move(c));
        }
        return true;
    }

    const DepmodOptions& m_opt;
    const DepmodSink& m_sink;
    DepmodStats& m_st;
    const std::string m_dirname, m_outdir, m_cache_path;
    const unsigned m_jobs;
    std::optional<util::PhaseTimer> m_timer;
    std::optional<KernelSymbols> m_kernel_symbols;
    std::vector<Candidate> m_candidates;
    RecordCache m_cache;
    std::vector<const ModuleRecord*> m_records;
    std::vector<size_t> m_to_read;
    std::vector<ModuleRecord> m_fresh;
    std::vector<const Candidate*> m_files;
    std::optional<DepGraph> m_graph;
    RenderResult m_rendered;
};

} // namespace

int run_depmod(const DepmodOptions& opt, const DepmodSink& sink, DepmodStats* stats) {
    DepmodStats local_stats;
    DepmodRun run(opt, sink, stats != nullptr ? *stats : local_stats);
    if (run.quick_and_up_to_date()) return 0;
    if (!run.read_kernel_symbols_file() || !run.find_modules()) return 1;
    run.load_records();
    if (!run.build_graph() || !run.render()) return 1;
    if (opt.dry_run) return 0;
    if (!run.publish()) return 1;
    run.update_cache();
    return 0;
}

} // namespace modkit::depmod
